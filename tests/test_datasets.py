"""Fashion-MNIST through the same harness, scorer and report: a tiny budget on the real files."""

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from benchmarks import files, runs
from benchmarks.__main__ import main
from benchmarks.scoring import feature_net, sample_quality

pytestmark = pytest.mark.mnist

SUITE = """
models = ["vae-dense", "gan-dense"]
seeds = [0]
epochs = 1
train_images = 128
batch_size = 64
grid_samples = 4
figure_dpi = 72
slide_dpi = 72
eval_every_images = 64
[eval]
samples = 300
quick_fid_samples = 100
iwae_k = 2
likelihood_images = 50
[manifold]
epochs = 1
"""


@pytest.fixture(scope="module")
def fashion_out(tmp_path_factory, fashion_dir):
    root = tmp_path_factory.mktemp("fashion")
    (root / "tiny.toml").write_text(SUITE)
    out = root / "out"
    data = ["--data-dir", str(fashion_dir)]
    assert main(["run", "--suite", str(root / "tiny.toml"), "--dataset", "fashion-mnist", "--out", str(out),
                 *data]) == 0
    assert main(["score", str(out), *data]) == 0
    assert main(["report", str(out), *data]) == 0
    return root, out


def test_a_fashion_run_is_trained_scored_and_reported_as_fashion(fashion_out):
    _, out = fashion_out
    folder = runs.run_dir(out, "gan-dense", 0)
    assert runs.read_config(folder)["dataset"] == "fashion-mnist"
    assert runs.read_curve(folder)["images"].tolist() == [0, 64, 128]
    metrics = runs.read_metrics(folder)
    assert metrics["dataset"] == "fashion-mnist"
    real = runs.read_metrics(runs.reference_dir(out))
    assert real["dataset"] == "fashion-mnist" and real["modes_covered"] == 10 and real["fid"] < 2.0
    summary = (out / "summary.md").read_text()
    assert summary.startswith("# Results on Fashion-MNIST") and re.search(r"\|\s+Classes, p ≥ 0.9 ↑\s+\|", summary)
    assert "pinned Fashion-MNIST classifier" in (out / "README.md").read_text()
    assert "No published numbers are set beside ours for Fashion-MNIST" in (out / "papers.md").read_text()
    assert r"\caption{Sample quality, Fashion-MNIST}" in (out / "summary.tex").read_text()
    assert (out / "figures" / "modes.png").stat().st_size > 0
    assert np.isfinite(pd.read_csv(out / "summary.csv").set_index("model").loc["vae-dense", "iwae_bound_mean"])


def test_one_output_folder_holds_one_dataset(fashion_out, capsys):
    root, out = fashion_out
    mixed = root / "mixed"
    shutil.copytree(out, mixed)
    config = files.read_json(mixed / "runs" / "vae-dense" / "seed-0" / "config.json")
    files.write_json(mixed / "runs" / "vae-dense" / "seed-0" / "config.json", {**config, "dataset": "mnist"})
    assert main(["report", str(mixed)]) == 2
    assert "holds runs of fashion-mnist and mnist; give each dataset its own --out" in capsys.readouterr().err


def test_the_default_output_folder_is_per_dataset(tmp_path, monkeypatch):
    import argparse

    from benchmarks.commands.run import output_folder
    from benchmarks.suite_file import load_suite

    suite = load_suite("default")
    assert str(output_folder(argparse.Namespace(out=None), load_suite("default", dataset="fashion-mnist"))) == \
        "results/fashion-mnist"
    assert str(output_folder(argparse.Namespace(out=None), suite)) == "results"
    assert str(output_folder(argparse.Namespace(out=str(tmp_path)), suite)) == str(tmp_path)
    # any other suite: its own folder under the dataset's (tests/test_safe_defaults.py has the rest)
    assert str(output_folder(argparse.Namespace(out=None), load_suite("smoke", dataset="fashion-mnist"))) == \
        "results/fashion-mnist/smoke"


def test_a_fashion_run_is_scored_in_fashion_features(fashion_out, fashion_dir):
    # in MNIST's features its metrics would differ: scoring the same run against MNIST's
    # references gives another FID, and the stored one is Fashion-MNIST's
    _, out = fashion_out
    folder = runs.run_dir(out, "gan-dense", 0)
    stored = runs.read_metrics(folder)["fid"]
    refs = sample_quality.references(fashion_dir, "fashion-mnist")
    assert refs.net.dataset == "fashion-mnist" and feature_net.pinned("fashion-mnist").weights.name == \
        "feature_net-fashion-mnist.npz"
    images = runs.read_samples(folder)
    assert sample_quality.sample_metrics(images, refs)["fid"] == pytest.approx(stored, rel=1e-5)
