"""The report on synthetic metrics.json files, every figure function, and bench on smoke."""

import io
import json
import re

import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from benchmarks import files, runs
from benchmarks.reporting import report as report_command
from benchmarks.reporting.figures import plots
from benchmarks.reporting.figures.table import table_figure
from benchmarks.reporting.text import tables


def build(out):
    """The report command's tables and figures for `out`; its summary."""
    return report_command.build_report(out)[0]


def _config(model, seed):
    from benchmarks.suite_file import load_suite
    from benchmarks.training.run_config import resolve_config

    return resolve_config(load_suite("smoke", dtype="float32"), model, seed, "synthetic")


def _write_run(out, model, seed, metrics, status="finished", curve=None):
    folder = runs.run_dir(out, model, seed)
    files.write_json(folder / "config.json", _config(model, seed))
    files.write_json(folder / "status.json", {"status": status})
    files.write_json(folder / "metrics.json", {"model": model, "seed": seed, "status": status, **metrics})
    if curve is not None:  # (training seconds, quick FID) at each evaluation point
        seconds, fid = zip(*curve)
        images = np.arange(len(curve)) * 25_000
        files.write_csv(folder / "curve.csv", pd.DataFrame({"images": images, "epoch": images / 50_000,
                                                             "train_seconds": seconds, "fid_quick": fid}))


def test_report_means_stds_and_files(tmp_path):
    _write_run(tmp_path, "gan-dense", 0, {"fid": 10.0, "train_seconds": 60.0, "precision": 0.5})
    _write_run(tmp_path, "gan-dense", 1, {"fid": 14.0, "train_seconds": 62.0, "precision": 0.7})
    _write_run(tmp_path, "vae-dense", 0, {"fid": 30.0, "test_elbo": -100.0, "train_seconds": 61.0})
    _write_run(tmp_path, "vae-dense", 1, {"fid": 40.0, "test_elbo": -110.0, "train_seconds": 59.0})
    _write_run(tmp_path, "vae-dense", 2, {"epochs": 2}, status="diverged")
    summary = build(tmp_path)
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
    assert (tmp_path / "figures" / "samples-final.png").exists() is False  # no samples.npz here


def test_the_index_names_the_files_that_are_there(tmp_path):
    curve = [(0, 300), (30, 40), (60, 10)]
    _write_run(tmp_path, "gan-dense", 0, {"fid": 10.0, "epochs": 1, "train_seconds": 60.0}, curve=curve)
    build(tmp_path)
    index = (tmp_path / "README.md").read_text()
    assert "every run's quick-FID curve: `curves.csv`" in index and "published numbers: `papers.md`" in index
    assert "perf.md" not in index and "early-vs-converged" not in index  # no perf run, no long suite here
    # a long suite's report beside it, and a perf table: both named, and the early-against-converged figures
    (tmp_path / "long").mkdir()
    pd.DataFrame({"model": ["gan-dense"], "fid_mean": [5.0], "epochs_mean": [20.0], "train_seconds_mean": [600.0],
                  "converged_mean": [1.0], "seeds": [1]}).to_csv(tmp_path / "long" / "summary.csv", index=False)
    pd.read_csv(tmp_path / "curves.csv").to_csv(tmp_path / "long" / "curves.csv", index=False)
    (tmp_path / "perf.md").write_text("# Training throughput\n")
    build(tmp_path)
    index = (tmp_path / "README.md").read_text()
    assert "throughput: `perf.md`" in index and "early against converged: `early-vs-converged.md`" in index
    assert "- `figures/early-vs-converged.png`" in index and "- `figures/early-vs-converged-table.png`" in index
    assert (tmp_path / "figures" / "early-vs-converged.png").is_file()


def test_a_seed_band_draws_its_mean_only_where_every_seed_has_a_value():
    # seed 0 runs to x = 4, seed 1 stops at x = 2: the mean (40, 30, 20) ends at x = 2, where a mean over
    # seed 0 alone would jump from 20 to 10; past it, seed 0 is its own thin line from x = 2
    frames = [pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 4.0], "y": [50.0, 40.0, 30.0, 20.0, 15.0]}),
              pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [30.0, 20.0, 10.0]})]
    fig, axes = plots.figure()
    plots.band(axes[0][0], frames, "x", "y", "gan-dense")
    mean, *thin = axes[0][0].lines
    assert mean.get_label() == "gan-dense" and np.allclose(mean.get_ydata()[:3], [40, 30, 20])
    assert np.isnan(mean.get_ydata()[3:]).all()
    assert [np.flatnonzero(~np.isnan(line.get_ydata())).tolist() for line in thin] == [[2, 3, 4], [2]]
    plt.close(fig)


def test_quick_fid_at_t_interpolates_a_hand_made_curve():
    curve = pd.DataFrame({"train_seconds": [0.0, 10.0, 20.0], "fid_quick": [100.0, 50.0, 30.0]})
    assert tables.fid_at(curve, 15.0) == pytest.approx(40.0)  # halfway from 50 to 30
    assert tables.fid_at(curve, 0.0) == 100.0 and tables.fid_at(curve, 20.0) == 30.0
    assert np.isnan(tables.fid_at(curve, 20.5))  # the run never got there
    assert np.isnan(tables.fid_at(None, 5.0)) and np.isnan(tables.fid_at(curve, np.nan))
    # T: the shortest run's end, rounded down to two significant digits
    ends = lambda *e: [pd.DataFrame({"train_seconds": [0.0, x], "fid_quick": [9.0, 1.0]}) for x in e]
    assert tables.equal_time(ends(57.3, 123.0)) == 57.0
    assert tables.equal_time(ends(250.0, 123.4)) == 120.0
    assert tables.equal_time(ends(9.87)) == pytest.approx(9.8)
    assert np.isnan(tables.equal_time([]))


def test_every_table_says_which_commits_made_it(tmp_path):
    from benchmarks import provenance
    from benchmarks.reporting.text import findings

    clean, dirty = {"environment": {"commit": "abc1234", "dirty": False}}, {"environment": {"commit": "def5678",
                                                                                           "dirty": True}}
    now = provenance.describe(provenance.commit())
    assert findings.made_by([clean, clean]) == f"runs trained at commit abc1234; this report written at {now}"
    assert findings.made_by([clean, dirty, {}]).startswith(
        "runs trained at an unrecorded commit, commit abc1234, commit def5678 with uncommitted changes (runs of "
        "several commits)")
    assert provenance.commit()["commit"]  # this checkout is a git repository
    _write_run(tmp_path, "gan-dense", 0, {"fid": 10.0})
    build(tmp_path)
    for name in ("summary.md", "summary.tex", "papers.md", "README.md"):
        assert f"this report written at {now}" in (tmp_path / name).read_text(), name


def test_quick_fid_after_one_epoch_reads_the_epoch_end_point():
    curve = pd.DataFrame({"epoch": [0.0, 0.4, 1.0, 1.4, 2.0], "fid_quick": [300.0, 90.0, 50.0, 40.0, 30.0]})
    assert tables.fid_after(curve, 1) == 50.0 and tables.fid_after(curve, 2) == 30.0
    assert np.isnan(tables.fid_after(curve, 3))  # the run never got there
    assert np.isnan(tables.fid_after(curve.drop(columns=["fid_quick"]), 1)) and np.isnan(tables.fid_after(None, 1))


def test_the_report_names_the_best_model_at_equal_time_and_at_the_end(tmp_path):
    # gan-dense ends better (FID 12 against 35), but vae-dense is better at the equal time
    for model, seed, fid, epochs, curve in [("gan-dense", 0, 10.0, 5, [(0, 300), (30, 40), (60, 10)]),
                                            ("gan-dense", 1, 14.0, 5, [(0, 300), (31, 44), (62, 14)]),
                                            ("vae-dense", 0, 30.0, 10, [(0, 300), (20, 20), (45.7, 15)]),
                                            ("vae-dense", 1, 40.0, 10, [(0, 300), (20, 22), (59, 16)])]:
        _write_run(tmp_path, model, seed, {"fid": fid, "epochs": epochs, "train_seconds": curve[-1][0]}, curve=curve)
    summary = build(tmp_path).set_index("model")
    # T = 45 (45.7 rounded down). gan-dense at 45 s: 40 + 15/30 * (10 - 40) = 25 and
    # 44 + 14/31 * (14 - 44) = 30.4516; vae-dense: 20 + 25/25.7 * (15 - 20) = 15.1362 and
    # 22 + 25/39 * (16 - 22) = 18.1538
    assert summary.loc["gan-dense", "equal_time_seconds_mean"] == 45.0
    assert summary.loc["gan-dense", "fid_quick_at_t_mean"] == pytest.approx((25 + 30.4516) / 2, abs=1e-4)
    assert summary.loc["vae-dense", "fid_quick_at_t_mean"] == pytest.approx((15.1362 + 18.1538) / 2, abs=1e-4)
    md = (tmp_path / "summary.md").read_text()
    assert "Quick FID at 45 s ↓" in md and "**16.6 ± 2.1**" in md
    assert re.search(r"T = 45 s\b[^.]*, the best model is \*\*vae-dense\*\*", md)  # at equal time
    assert re.search(r"\(vae-dense 10, gan-dense 5\)[^.]* \*\*gan-dense\*\*, FID 12\.00 ± 2\.83", md)  # at the end
    assert "measured on an unrecorded machine" in md
    assert (tmp_path / "figures" / "fid-vs-time.png").stat().st_size > 0
    index = (tmp_path / "README.md").read_text()  # the reading and its limits, then the index
    assert index.index("## What the table shows") < index.index("## What it does not show") < index.index("## Index")
    assert "the best model is **vae-dense**" in index
    assert "Budgets are 5 to 10 epochs per model, at least the long suite's 10, but with no stop rule" in index
    assert "standard deviation over 2 seeds" in index and "fid-vs-time" in index


def test_report_with_unscored_runs_says_so(tmp_path):
    folder = runs.run_dir(tmp_path, "gan-conv", 0)
    files.write_json(folder / "config.json", _config("gan-conv", 0))
    summary = build(tmp_path)
    assert summary.loc[0, "unfinished"] == 1
    assert "0/1, 1 unfinished" in (tmp_path / "summary.md").read_text()


def _history(seed):
    epochs = np.arange(1, 6)
    return pd.DataFrame({"epoch": epochs, "images": epochs * 50_000, "train_seconds": epochs * 10.0 + seed,
                         "fid_quick": 50.0 / epochs, "d_loss": 1.0 + 0 * epochs, "g_loss": 0.7 + 0 * epochs})


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def _readable(fig):
    """No text under 14 pt, and nothing cut off: all that is drawn lies inside the figure."""
    fig.canvas.draw()
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_visible() and text.get_text().strip():
            assert text.get_fontsize() >= 14, (text.get_text(), text.get_fontsize())
    drawn, (width, height) = fig.get_tightbbox(fig.canvas.get_renderer()), fig.get_size_inches()
    assert drawn.x0 >= -0.02 and drawn.y0 >= -0.02 and drawn.x1 <= width + 0.02 and drawn.y1 <= height + 0.02


def _check_sample_grids(fig):
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == ["vae-dense", "gan-dense", "real digits (held out)"]  # table order
    assert all(ax.images[0].get_array().shape == (6 * 29 + 1, 6 * 29 + 1) for ax in shown)  # 6x6 large tiles


def _check_evolution(fig):
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == ["0 images, FID 300", "1,000 images", "2,000 images, FID 20"]
    assert fig.get_suptitle().startswith("gan-dense: the same z as training goes on")


def _check_losses(fig):
    assert [ax.get_title() for ax in fig.axes] == ["Discriminator loss", "Generator loss"]
    assert [ax.get_ylabel() for ax in fig.axes] == ["−V(D, G)", "its own loss"]
    ax = fig.axes[0]
    thick = [line for line in ax.get_lines() if line.get_linewidth() > 3]
    thin = [line for line in ax.get_lines() if line.get_linewidth() < 2]
    assert len(thin) == 2 and len(thick) == 1  # each seed, then their mean
    np.testing.assert_allclose(thick[0].get_xdata(), [1000, 2000, 3000])  # images seen
    np.testing.assert_allclose(thick[0].get_ydata(), [1.5, 1.25, 1.0])  # (1 + 2) / 2, (1 + 1.5) / 2, (1 + 1) / 2
    (legend,) = fig.legends  # one, below every panel: a spike of a curve is never under it
    fig.canvas.draw()
    assert [t.get_text() for t in legend.get_texts()] == ["gan-dense"]
    assert legend.get_window_extent().y1 <= min(a.get_window_extent().y0 for a in fig.axes)


def _check_fid_curves(fig):
    (ax,) = fig.axes
    assert ax.get_xlabel() == "training images seen (log scale)" and ax.get_xscale() == ax.get_yscale() == "log"
    np.testing.assert_allclose(_lines(ax)["gan-dense"].get_ydata(), 50.0 / np.arange(1, 6))
    np.testing.assert_allclose(_lines(ax)["gan-dense"].get_xdata(), np.arange(1, 6) * 50_000)


def _check_fid_vs_time(fig):
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["gan-dense", "equal time T = 25 s"]
    # seeds end at 50 s and 51 s: the mean ends by 50 s, and seed 1 goes on alone as a thin line to (51, 10)
    curve = _lines(ax)["gan-dense"]
    assert curve.get_xdata()[~np.isnan(curve.get_ydata())][-1] <= 50.0
    ends = {(round(line.get_xdata()[-1], 6), round(line.get_ydata()[-1], 6)) for line in ax.get_lines()
            if line.get_label().startswith("_") and len(line.get_xdata()) > 2  # not the error bars' lines
            and not np.isnan(line.get_ydata()[-1])}
    assert ends == {(51.0, 10.0)}
    assert ax.get_xscale() == "log" and ax.get_ylim()[0] > 5  # the axis fits the curves, not the floor
    marker = ax.containers[0].lines[0]  # the errorbar's data point: (train seconds, FID)
    assert (marker.get_xdata()[0], marker.get_ydata()[0]) == (60.0, 12.0)
    notes = [t.get_text() for t in ax.texts]
    assert notes == ["real data (the floor): 0.5 (below the axis)"]


def _check_mode_histograms(fig):
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["gan-dense", "real-data", "true share"]
    assert [bar.get_height() for bar in ax.patches] == [0.05] * 10 + [0.1] * 10
    assert ax.get_ylim()[1] == pytest.approx(0.1 * 1.12)  # fits the data, not 1.0


def _check_manifold(fig):
    (ax,) = fig.axes
    assert ax.images[0].get_array().shape == (3 * 28, 3 * 28) and ax.get_xlabel().startswith("z₁")


def _check_interpolations(fig):
    assert fig.axes[0].images[0].get_array().shape == (2 * 29 + 1, 5 * 29 + 1)  # 2 lines x 5 steps


def _check_reconstructions(fig):
    shown = fig.axes[0].images[0].get_array()
    assert shown.shape == (4 * 29 + 1, 10 * 29 + 1)  # 20 test images: 2 pairs of rows of 10
    np.testing.assert_allclose(shown[1:29, 1:29], 1.0)  # row 1: the originals (all ones here)
    np.testing.assert_allclose(shown[30:58, 1:29], 0.0)  # row 2: their reconstructions (zeros)


def _check_traversal(fig):
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["z4", "z1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["-1.0", "+0.0", "+1.0"]


def _check_nearest(fig):
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == ["vae-dense", "gan-dense"]
    assert [t.get_text() for t in shown[0].get_xticklabels()] == ["1.0", "2.5"]
    pixels = shown[1].images[0].get_array()
    np.testing.assert_allclose(pixels[30:58, 1:29], 0.5)  # gan-dense's first neighbour under its sample


def _check_pr_planes(fig):
    ax_pr, ax_dc = fig.axes
    assert (ax_pr.get_xlabel(), ax_pr.get_ylabel()) == ("recall ↑", "precision ↑")
    assert (ax_dc.get_xlabel(), ax_dc.get_ylabel()) == ("coverage ↑", "density ↑")
    points = [(c.lines[0].get_xdata()[0], c.lines[0].get_ydata()[0]) for c in ax_pr.containers]
    assert points == [(0.5, 0.5), (0.9, 0.9)]  # gan-dense, real-data


def _check_table_figure(fig):
    (ax,) = fig.axes
    cells = ax.tables[0].get_celld()
    assert cells[(0, 1)].get_text().get_text() == "FID ↓" and cells[(1, 1)].get_text().get_text() == "12.0"
    assert cells[(1, 1)].get_text().get_weight() == "bold"


@pytest.mark.parametrize("name", ["sample_grids", "evolution", "losses", "fid_curves", "fid_vs_time",
                                  "mode_histograms", "manifold", "interpolations", "reconstructions", "traversal",
                                  "nearest", "pr_planes", "table_figure"])
def test_every_figure_draws_its_data_readably(tmp_path, name):
    from benchmarks.reporting.figures import pictures

    rng = np.random.default_rng(0)
    images = rng.random((36, 28, 28, 1)).astype(np.float32)
    summary = pd.DataFrame({
        "model": ["gan-dense", "real-data"], "fid_mean": [12.0, 0.5], "fid_std": [1.0, np.nan],
        "train_seconds_mean": [60.0, np.nan], "train_seconds_std": [1.0, np.nan],
        **{f"{m}_{s}": [0.5, 0.9] for m in ("precision", "recall", "density", "coverage") for s in ("mean", "std")},
        **{f"mode_hist_{d}_mean": [0.05, 0.1] for d in range(10)}})
    histories = {"gan-dense": [_history(0), _history(1)]}
    steps = {"gan-dense": [pd.DataFrame({"images": [1000, 2000, 3000], "d_loss": [1.0, 1.0, 1.0],
                                         "g_loss": [0.7, 0.7, 0.7]}),
                           pd.DataFrame({"images": [1000, 2000, 3000], "d_loss": [2.0, 1.5, 1.0],
                                         "g_loss": [0.7, 0.7, 0.7]})]}
    frames = [(0, 300.0, rng.random((20, 20, 3))), (1000, np.nan, rng.random((20, 20, 3))),
              (2000, 20.0, rng.random((20, 20, 3)))]
    calls = {
        "sample_grids": lambda: pictures.sample_grids({"gan-dense": images, "vae-dense": images}, images),
        "evolution": lambda: pictures.evolution("gan-dense", frames),
        "losses": lambda: plots.losses(steps, ["d_loss", "g_loss"], "GAN"),
        "fid_curves": lambda: plots.fid_curves(histories),
        "fid_vs_time": lambda: plots.fid_vs_time(summary, histories, 25.0),
        "mode_histograms": lambda: plots.mode_histograms(summary, np.full(10, 0.1)),
        "manifold": lambda: pictures.manifold(rng.random((9, 28, 28)), 3),
        "interpolations": lambda: pictures.interpolations(rng.random((2, 5, 28, 28)), "lines"),
        "reconstructions": lambda: pictures.reconstructions(np.ones((20, 28, 28)), np.zeros((20, 28, 28))),
        "traversal": lambda: pictures.traversal(rng.random((2, 3, 28, 28)), [4, 1], np.array([-1.0, 0.0, 1.0])),
        "nearest": lambda: pictures.nearest({"gan-dense": images[:2], "vae-dense": images[:2]},
                                            {"gan-dense": np.full((2, 28, 28), 0.5), "vae-dense": images[2:4]},
                                            {"gan-dense": [3.0, 4.0], "vae-dense": [1.0, 2.5]}),
        "pr_planes": lambda: plots.pr_planes(summary),
        "table_figure": lambda: table_figure(pd.DataFrame({"Model": ["gan-dense", "real-data"],
                                                                 "FID ↓": ["**12.0**", "0.5"]}), "table"),
    }
    with plots.style():  # as the report draws and saves them
        fig = calls[name]()
        globals()[f"_check_{name}"](fig)
        _readable(fig)
    paths = plots.save(fig, tmp_path, name)
    assert [p.suffix for p in paths] == [".pdf", ".png"] and all(p.stat().st_size > 1000 for p in paths)


def test_every_model_has_a_colour_of_its_own():
    import models

    colours = [plots.colour(m) for m in [*models.MODEL_NAMES, "real-data"]]
    assert len(set(colours)) == len(colours) and "black" not in colours


def test_the_evolution_gif_holds_every_frame():
    from PIL import Image

    from benchmarks.reporting.figures import pictures

    rng = np.random.default_rng(1)
    frames = [(i * 100, 10.0, rng.random((20, 20, 4))) for i in range(4)]
    gif = Image.open(io.BytesIO(pictures.evolution_gif(frames)))
    assert gif.n_frames == 4 and gif.size == (20, 20) and gif.info["loop"] == 0


@pytest.mark.mnist
def test_bench_on_the_smoke_suite(smoke_bench):
    tmp_path, printed = smoke_bench
    assert "## Sample quality" in printed and "figures" in printed
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert set(summary["model"]) == {"vae-dense", "vae-conv", "gan-dense", "gan-dense-minimax", "gan-conv",
                                     "diffusion", "flow-matching", "real-data"}
    assert (summary.loc[summary["model"] != "real-data", "seeds"] == 1).all()
    for name in ("samples-final", "fid-curves", "fid-vs-time", "modes", "precision-recall",
                 "losses-vae", "losses-gan", "vae-manifold", "vae-interpolations", "losses-diffusion", "fid-vs-steps"):
        assert (tmp_path / "figures" / f"{name}.png").stat().st_size > 0, name
    # sampling cost: one network pass for a VAE or GAN, the sampler's steps for the diffusion family
    cost = summary.set_index("model")
    assert cost.loc["gan-conv", "network_evaluations_mean"] == 1 and cost.loc["flow-matching",
                                                                               "network_evaluations_mean"] == 2
    assert (cost.drop("real-data")["seconds_per_1000_samples_mean"] > 0).all()
    assert "## Sampling cost" in (tmp_path / "summary.md").read_text()
    sweep = json.loads((tmp_path / "runs" / "diffusion" / "seed-0" / "metrics.json").read_text())["sampler_sweep"]
    assert [row["steps"] for row in sweep] == [1, 2] and all(row["fid_quick"] > 0 for row in sweep)
    assert (tmp_path / "lecture" / "denoising-trajectories.png").stat().st_size > 0
    checks = (tmp_path / "lecture" / "checks.md").read_text()
    passed, total = (int(n) for n in re.search(r"(\d+)/(\d+) checks pass", checks).groups())
    assert passed == total > 10 and "**NO**" not in checks
    # the PNGs at the suite's resolution (figure_dpi = slide_dpi = 72: 13.33 x 7.5 in is 960 x 540 px); the
    # figures' PDFs are vector
    for png in (tmp_path / "figures" / "fid-vs-time.png", tmp_path / "lecture" / "elbo-gap.png",
                next((tmp_path / "slides").glob("01-*.png"))):
        with Image.open(png) as image:
            assert image.size == (960, 540), png


def test_a_report_draws_at_the_highest_resolution_its_runs_suites_ask_for(tmp_path):
    assert plots.resolutions([]) == (200, 144)  # no run: the settings' defaults, 2,666 x 1,500 and 1,920 x 1,080
    configs = [{"figure_dpi": 72, "slide_dpi": 72}, {"figure_dpi": 100, "slide_dpi": 50}]
    assert plots.resolutions(configs) == (100, 72)
    with plots.style(60):
        fig, _ = plots.figure()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    with Image.open(buffer) as image:
        assert image.size == (800, 450)  # 13.33 x 7.5 in at 60 dpi
    fig, _ = plots.figure()  # outside the style: the default figure dpi
    png = plots.save(fig, tmp_path, "outside")[1]
    with Image.open(png) as image:
        assert image.size == (2666, 1500)  # 13.33 x 7.5 in at 200 dpi, rounded down


@pytest.mark.mnist
def test_report_reads_each_run_file_once(tmp_path, mnist_dir, monkeypatch, capsys):
    from benchmarks.__main__ import main

    suite = tmp_path / "two.toml"
    suite.write_text('models = ["vae-dense", "gan-dense"]\nseeds = [0, 1]\nepochs = 1\ntrain_images = 128\n'
                     'batch_size = 64\ngrid_samples = 4\ndtype = "float32"\nfigure_dpi = 72\nslide_dpi = 72\n'
                     '[eval]\nsamples = 200\nquick_fid_samples = 200\niwae_k = 2\nlikelihood_images = 50\n')
    out, data = tmp_path / "out", ["--data-dir", str(mnist_dir)]
    assert main(["run", "--suite", str(suite), "--out", str(out), *data]) == 0
    assert main(["score", str(out), *data]) == 0
    reads = []
    for name in ("read_json", "read_csv", "load_npz"):
        real = getattr(files, name)
        monkeypatch.setattr(files, name, lambda path, *a, real=real, **k: reads.append(path) or real(path, *a, **k))
    assert main(["report", str(out), *data]) == 0
    run_files = [p for p in reads if "runs" in p.parts]
    assert run_files, "the counter saw no read"
    assert len(set(run_files)) == len(run_files), sorted(run_files)  # no file read twice
    read = {(p.parent.parent.name, p.parent.name, p.name) for p in run_files}
    for model in ("vae-dense", "gan-dense"):
        for seed in (0, 1):
            for name in ("config.json", "status.json", "metrics.json", "history.csv", "curve.csv"):
                assert (model, f"seed-{seed}", name) in read  # each read once, by the record


def test_a_model_whose_runs_trained_in_different_precisions_says_so_in_one_line():
    from benchmarks.reporting.text import findings, tables

    def run(model, seed, dtype, fid):
        return {"model": model, "seed": seed, "status": "finished", "scored": True, "dtype": dtype, "fid": fid}

    runs_table = pd.DataFrame([run("vae-conv", 0, "float32", 38.0), run("vae-conv", 1, "mixed_bfloat16", 35.0),
                               run("vae-conv", 2, "float32", 39.0), run("gan-conv", 0, "float32", 12.0)])
    summary = tables.aggregate(runs_table)
    by_model = summary.set_index("model")
    assert by_model.loc["gan-conv", "dtype"] == "float32"  # one precision: named plainly
    assert by_model.loc["vae-conv", "dtype"] == "float32 (2 runs), mixed_bfloat16 (1 run)"
    lines = [line for line in findings.caveats(summary, "this machine") if "precisions" in line]
    assert lines == ["vae-conv: its runs trained in different precisions, float32 (2 runs), mixed_bfloat16 "
                     "(1 run); its mean mixes them."]
    assert tables.formatted(summary, tables.QUALITY)["Trained in"].tolist() == [
        "float32 (2 runs), mixed_bfloat16 (1 run)", "float32"]
