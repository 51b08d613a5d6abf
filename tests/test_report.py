"""The report on synthetic metrics.json files, every figure function, and bench on smoke."""

import numpy as np
import pandas as pd
import pytest

from benchmarks import plots, report, store


def _write_run(out, model, seed, metrics, status="finished"):
    folder = store.run_dir(out, model, seed)
    store.write_json(folder / "config.json", {"model": model, "seed": seed})
    store.write_json(folder / "status.json", {"status": status})
    store.write_json(folder / "metrics.json", {"model": model, "seed": seed, "status": status, **metrics})


def test_report_means_stds_and_files(tmp_path):
    _write_run(tmp_path, "gan-dense", 0, {"fid": 10.0, "train_seconds": 60.0, "precision": 0.5})
    _write_run(tmp_path, "gan-dense", 1, {"fid": 14.0, "train_seconds": 62.0, "precision": 0.7})
    _write_run(tmp_path, "vae-dense", 0, {"fid": 30.0, "test_elbo": -100.0, "train_seconds": 61.0})
    _write_run(tmp_path, "vae-dense", 1, {"fid": 40.0, "test_elbo": -110.0, "train_seconds": 59.0})
    _write_run(tmp_path, "vae-dense", 2, {"epochs": 2}, status="diverged")
    summary = report.build_report(tmp_path)
    gan = summary.set_index("model").loc["gan-dense"]
    vae = summary.set_index("model").loc["vae-dense"]
    assert gan["fid_mean"] == pytest.approx(12.0) and gan["fid_std"] == pytest.approx(2.8284271)  # sqrt(8)
    assert vae["fid_mean"] == pytest.approx(35.0) and vae["test_elbo_mean"] == pytest.approx(-105.0)
    assert vae["seeds"] == 2 and vae["diverged"] == 1 and gan["diverged"] == 0
    csv = pd.read_csv(tmp_path / "summary.csv")
    assert list(csv["model"]) == ["vae-dense", "gan-dense"]
    md = (tmp_path / "summary.md").read_text()
    assert "**12.00 ± 2.83**" in md and "FID ↓" in md and "2/3, 1 diverged" in md
    tex = (tmp_path / "summary.tex").read_text()
    assert r"\toprule" in tex and r"\textbf{12.00 $\pm$ 2.83}" in tex
    assert (tmp_path / "figures" / "fid-vs-time.png").stat().st_size > 0
    assert "fid-vs-time" in (tmp_path / "README.md").read_text()


def test_report_with_unscored_runs_says_so(tmp_path):
    folder = store.run_dir(tmp_path, "gan-conv", 0)
    store.write_json(folder / "config.json", {"model": "gan-conv", "seed": 0})
    summary = report.build_report(tmp_path)
    assert summary.loc[0, "unfinished"] == 1
    assert "0/1, 1 unfinished" in (tmp_path / "summary.md").read_text()


def _history(seed):
    epochs = np.arange(1, 6)
    return pd.DataFrame({"epoch": epochs, "train_seconds": epochs * 10.0 + seed, "fid_quick": 50.0 / epochs,
                         "d_loss": 1.0 + 0 * epochs, "g_loss": 0.7 + 0 * epochs})


@pytest.mark.parametrize("name", ["sample_grids", "evolution", "losses", "fid_curves", "fid_vs_time",
                                  "mode_histograms", "manifold", "interpolations", "pr_planes"])
def test_every_figure_function_writes_a_file(tmp_path, name):
    rng = np.random.default_rng(0)
    images = rng.random((36, 28, 28, 1)).astype(np.float32)
    summary = pd.DataFrame({
        "model": ["gan-dense", "real-data"], "fid_mean": [12.0, 0.5], "fid_std": [1.0, np.nan],
        "train_seconds_mean": [60.0, np.nan], "train_seconds_std": [1.0, np.nan],
        **{f"{m}_{s}": [0.5, 0.9] for m in ("precision", "recall", "density", "coverage") for s in ("mean", "std")},
        **{f"mode_hist_{d}_mean": [0.1, 0.1] for d in range(10)}})
    histories = {"gan-dense": [_history(0), _history(1)]}
    calls = {
        "sample_grids": lambda: plots.sample_grids({"gan-dense": images, "vae-dense": images}),
        "evolution": lambda: plots.evolution("gan-dense", [1, 5], [rng.random((20, 20, 3))] * 2),
        "losses": lambda: plots.losses(histories, ["d_loss", "g_loss"], "GAN"),
        "fid_curves": lambda: plots.fid_curves(histories),
        "fid_vs_time": lambda: plots.fid_vs_time(summary),
        "mode_histograms": lambda: plots.mode_histograms(summary, np.full(10, 0.1)),
        "manifold": lambda: plots.manifold(rng.random((9, 28, 28)), 3),
        "interpolations": lambda: plots.interpolations(rng.random((2, 5, 28, 28))),
        "pr_planes": lambda: plots.pr_planes(summary),
    }
    paths = plots.save(calls[name](), tmp_path, name)
    assert all(p.stat().st_size > 1000 for p in paths)


@pytest.mark.mnist
def test_bench_on_the_smoke_suite(tmp_path, mnist_dir, capsys):
    from benchmarks.__main__ import main

    assert main(["bench", "--suite", "smoke", "--out", str(tmp_path), "--data-dir", str(mnist_dir)]) == 0
    printed = capsys.readouterr().out
    assert "## Sample quality" in printed and "figures" in printed
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert set(summary["model"]) == {"vae-dense", "vae-conv", "gan-dense", "gan-dense-minimax", "gan-conv", "real-data"}
    assert (summary.loc[summary["model"] != "real-data", "seeds"] == 1).all()
    for name in ("samples-final", "fid-curves", "fid-vs-time", "modes", "precision-recall",
                 "losses-vae", "losses-gan", "vae-manifold", "vae-interpolations"):
        assert (tmp_path / "figures" / f"{name}.png").stat().st_size > 0, name
    assert "pass" in (tmp_path / "lecture" / "checks.md").read_text()
