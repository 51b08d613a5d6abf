"""`sample`: samples and interpolations of every model's finished run, and the one-line errors
for an unfinished or damaged run."""

import numpy as np
import pytest

from benchmarks import files, runs
from benchmarks.__main__ import main
from benchmarks.suite_file import load_suite
from benchmarks.training.grid import run_grid

pytestmark = pytest.mark.mnist


@pytest.fixture(scope="module")
def grid(tmp_path_factory, mnist_dir):
    out = tmp_path_factory.mktemp("grid")
    suite = load_suite("smoke", epochs=1, eval_every_images=None, eval={"quick_fid": False, "samples": 20})
    run_grid(suite, out, mnist_dir)
    return out, suite["models"]


def test_every_finished_run_samples_and_interpolates(grid, tmp_path):
    out, names = grid
    for name in names:
        folder = runs.run_dir(out, name, 0)
        assert main(["sample", str(folder), "--n", "10", "--seed", "3", "--out", str(tmp_path / f"{name}.npz")]) == 0
        images = files.load_npz(tmp_path / f"{name}.npz")["images"]
        assert images.shape == (10, 28, 28, 1) and images.dtype == np.float32 and 0 <= images.min() <= images.max() <= 1
        again = tmp_path / f"{name}-again.npz"
        assert main(["sample", str(folder), "--n", "10", "--seed", "3", "--out", str(again)]) == 0
        np.testing.assert_array_equal(files.load_npz(again)["images"], images)  # the seed fixes the samples
        png = tmp_path / f"{name}-line.png"
        assert main(["sample", str(folder), "--n", "16", "--interpolate", "--out", str(png)]) == 0
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_interpolation_moves_from_one_end_to_the_other(grid, tmp_path):
    out, _ = grid
    assert main(["sample", str(runs.run_dir(out, "vae-dense", 0)), "--n", "8", "--interpolate",
                 "--out", str(tmp_path / "line.npz")]) == 0
    row = files.load_npz(tmp_path / "line.npz")["images"].reshape(8, -1)
    steps = np.linalg.norm(np.diff(row, axis=0), axis=1)
    # 8 images along one line in latent space: consecutive images differ less than the two ends do
    assert steps.max() < np.linalg.norm(row[-1] - row[0])


def test_an_unfinished_or_damaged_run_is_one_line(grid, tmp_path, capsys):
    out, _ = grid
    unfinished = tmp_path / "runs" / "vae-dense" / "seed-0"
    unfinished.mkdir(parents=True)
    (unfinished / "config.json").write_text((runs.run_dir(out, "vae-dense", 0) / "config.json").read_text())
    damaged = tmp_path / "runs" / "gan-dense" / "seed-0"
    damaged.mkdir(parents=True)
    (damaged / "config.json").write_text("{")
    for folder, said in ((unfinished, "is unfinished, not finished"), (damaged, "config.json"),
                         (tmp_path / "nothing", "is not a run folder")):
        capsys.readouterr()
        assert main(["sample", str(folder)]) == 2
        err = capsys.readouterr().err
        assert said in err and len(err.strip().splitlines()) == 1, err


def test_steps_set_the_diffusion_family_s_sampler_and_a_one_pass_model_refuses_them(grid, tmp_path, capsys):
    out, _ = grid
    folder = runs.run_dir(out, "flow-matching", 0)
    drawn = {}
    for steps in (1, 3):
        assert main(["sample", str(folder), "--n", "4", "--steps", str(steps), "--out",
                     str(tmp_path / f"s{steps}.npz")]) == 0
        assert f"{steps} sampler steps" in capsys.readouterr().out
        drawn[steps] = files.load_npz(tmp_path / f"s{steps}.npz")["images"]
    assert not np.array_equal(drawn[1], drawn[3])  # another sampler, other images from the same noise
    for run, steps, said in ((runs.run_dir(out, "gan-conv", 0), "4", "samples in one network pass"),
                             (folder, "0", "give at least 1 sampler step")):
        assert main(["sample", str(run), "--steps", steps, "--out", str(tmp_path / "x.png")]) == 2
        err = capsys.readouterr().err
        assert said in err and len(err.strip().splitlines()) == 1, err
