"""The compiled training loop against Keras's fit, resume inside it, the save interval with a
kill between two saves, and the Burda schedule's stage boundaries."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks import files, runs
from benchmarks.suite_file import hyperparameters, load_suite, run_settings
from benchmarks.training.grid import run_grid
from models.schedules import learning_rate
from tests.training.test_harness import TIMING, Crash, history, tiny_suite

pytestmark = pytest.mark.mnist
LOSSES = {"vae-dense": ["loss", "reconstruction", "kl"], "gan-dense": ["d_loss", "g_loss", "d_real", "d_fake"]}


def steps_table(out, model):
    return pd.read_csv(runs.run_dir(out, model, 0) / "steps.csv")


@pytest.mark.parametrize("model", ["vae-dense", "gan-dense"])
def test_the_compiled_loop_gives_fits_history_within_float_rounding(tmp_path, mnist_dir, model):
    # 3 epochs of 3 steps, 2 steps per call: a chunk of 2 and a last, shorter chunk of 1 in every pass
    suite = tiny_suite(models=[model], steps_per_execution=2, log_points=3)
    run_grid(suite, tmp_path / "fit", mnist_dir)
    run_grid(load_suite("smoke", **{**suite, "loop": "compiled"}), tmp_path / "compiled", mnist_dir)
    run_grid(load_suite("smoke", **{**suite, "loop": "compiled", "jit_compile": True}), tmp_path / "xla", mnist_dir)
    fit, compiled, xla = (history(tmp_path / out, model) for out in ("fit", "compiled", "xla"))
    assert fit["epoch"].tolist() == compiled["epoch"].tolist() == xla["epoch"].tolist() == [1, 2, 3]
    assert list(fit.columns) == list(compiled.columns) == list(xla.columns)
    # the same steps on the same batches and noise; graph and XLA round a few sums differently
    for other, rtol in ((compiled, 1e-6), (xla, 1e-5)):
        np.testing.assert_allclose(other[LOSSES[model]], fit[LOSSES[model]], rtol=rtol)
        np.testing.assert_array_equal(other["images"], fit["images"])
    # the rows inside a pass fall at the chunk boundaries, as fit's do with steps_per_execution
    rows = [steps_table(tmp_path / out, model) for out in ("fit", "compiled")]
    assert rows[0]["images"].tolist() == rows[1]["images"].tolist() == [128, 192, 320, 384, 512, 576]
    np.testing.assert_allclose(rows[0][LOSSES[model]], rows[1][LOSSES[model]], rtol=1e-6)
    samples = [files.load_npz(runs.run_dir(tmp_path / out, model, 0) / "samples.npz")["images"]
               for out in ("fit", "compiled", "xla")]
    np.testing.assert_allclose(samples[1], samples[0], atol=1e-5)
    np.testing.assert_allclose(samples[2], samples[0], atol=1e-4)


def test_resume_inside_the_compiled_loop_equals_an_uninterrupted_run(tmp_path, mnist_dir):
    suite = tiny_suite(loop="compiled", jit_compile=True, steps_per_execution=2)
    with pytest.raises(KeyboardInterrupt):
        run_grid(suite, tmp_path / "a", mnist_dir, keras_callbacks=[Crash(3)])  # dies as pass 3 begins
    assert history(tmp_path / "a")["epoch"].tolist() == [1, 2]
    run_grid(suite, tmp_path / "a", mnist_dir)
    run_grid(suite, tmp_path / "b", mnist_dir)
    resumed, straight = history(tmp_path / "a"), history(tmp_path / "b")
    assert resumed["sitting"].tolist() == [1, 1, 2] and straight["sitting"].tolist() == [1, 1, 1]
    same = [*TIMING, "sitting"]
    assert resumed.drop(columns=same).to_csv() == straight.drop(columns=same).to_csv()
    assert steps_table(tmp_path / "a", "vae-dense")["images"].is_unique


KILLED = """
import sys, time
sys.path.insert(0, {root!r})
from benchmarks.suite_file import hyperparameters, load_suite, run_settings
from benchmarks.training.grid import run_grid
suite = load_suite("smoke", models=["vae-dense"], epochs=400, train_images=64, batch_size=64,
                   eval_every_images=None, loop="compiled", save_every_seconds={every},
                   eval={{"quick_fid": False, "samples": 50}})
run_grid(suite, {out!r}, {data!r})
"""


def test_a_kill_between_two_saves_loses_at_most_the_interval(tmp_path, mnist_dir):
    # a run of 400 one-step passes that saves every 2 s, killed with SIGKILL after about 7 s
    every, out = 2, tmp_path / "run"
    script = KILLED.format(root=str(Path(__file__).parents[2]), every=every, out=str(out), data=str(mnist_dir))
    log = (tmp_path / "log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=log, stderr=subprocess.STDOUT)
    folder = runs.run_dir(out, "vae-dense", 0)
    deadline = time.monotonic() + 300
    while not (folder / runs.CHECKPOINT).exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert (folder / runs.CHECKPOINT).exists(), (tmp_path / "log").read_text()[-2000:]
    time.sleep(5)
    killed_at = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    h = history(out)
    # what was saved: whole passes, each once, and the checkpoint's epoch is the table's last
    assert h["epoch"].tolist() == list(range(1, len(h) + 1)) and len(h) > 1
    assert int(files.load_npz(folder / runs.CHECKPOINT)["epoch"]) == len(h)
    # saves come at the first epoch end at least `every` seconds after the last one, so the
    # last save is at most `every` (plus one short pass and the save itself) before the kill
    age = time.time() - (folder / runs.CHECKPOINT).stat().st_mtime - (time.monotonic() - killed_at)
    assert age < every + 1.5, age
    # and fewer saves than passes: the interval amortises them
    grids = list((folder / "samples").iterdir())
    assert 1 < len(grids) < len(h) / 2


def test_the_full_burda_schedule_has_3_to_the_i_passes_per_stage():
    suite = load_suite("paper")
    hp, run = hyperparameters(suite, "vae-burda"), run_settings(suite, "vae-burda")
    assert hp["stages"] == [3**i for i in range(8)] and run["epochs"] == 3280
    # stage i: passes [sum 3^j for j < i, sum 3^j for j <= i), learning rate 1e-3 * 10^(-i/7)
    starts = np.cumsum([0] + hp["stages"][:-1])  # 0, 1, 4, 13, 40, 121, 364, 1093
    assert starts.tolist() == [0, 1, 4, 13, 40, 121, 364, 1093]
    for i, start in enumerate(starts):
        assert learning_rate(hp, int(start)) == pytest.approx(1e-3 * 10 ** (-i / 7))
        if start:
            assert learning_rate(hp, int(start) - 1) == pytest.approx(1e-3 * 10 ** (-(i - 1) / 7))
    assert learning_rate(hp, 3279) == pytest.approx(1e-3 * 10 ** (-1))
    assert run["train_images"] == 60_000  # all the training images, as the paper trained
