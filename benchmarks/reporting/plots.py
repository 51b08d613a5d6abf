"""Slide-ready figures: 16:9, fonts >= 14 pt, colour-blind-safe, one colour per model.

Each figure function takes plain data (arrays, DataFrames) and returns a Figure; `save`
writes it as PDF and 200-dpi PNG. `figures.all_figures` gathers the data from an output folder.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks import files  # noqa: E402
from benchmarks.images import tile  # noqa: E402
from benchmarks.runs import REAL_ROW  # noqa: E402

SLIDE = (13.33, 7.5)  # inches: a 16:9 slide
STYLE = "seaborn-v0_8-colorblind"  # matplotlib's Okabe-Ito based, colour-blind-safe palette
# model -> index into the style's colour cycle (the yellow, index 4, is skipped: low contrast)
MODEL_COLOURS = {"vae-dense": 0, "vae-conv": 5, "gan-dense": 2, "gan-dense-minimax": 3, "gan-conv": 1, "vae-burda": 6}
RC = {"font.size": 16, "axes.titlesize": 18, "axes.labelsize": 16, "legend.fontsize": 14,
      "xtick.labelsize": 14, "ytick.labelsize": 14, "figure.titlesize": 18,
      "figure.constrained_layout.use": True, "savefig.facecolor": "white"}
plt.style.use(STYLE)
plt.rcParams.update(RC)


def colour(model: str) -> str:
    cycle = plt.style.library[STYLE]["axes.prop_cycle"].by_key()["color"]
    return cycle[MODEL_COLOURS[model]] if model in MODEL_COLOURS else "black"


def figure(nrows=1, ncols=1, **kwargs):
    return plt.subplots(nrows, ncols, figsize=SLIDE, squeeze=False, **kwargs)


def save(fig, folder: Path, name: str) -> list[Path]:
    paths = []
    for ext, kwargs in (("pdf", {}), ("png", {"dpi": 200})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=ext, **kwargs)
        files.atomic_write_bytes(Path(folder) / f"{name}.{ext}", buffer.getvalue())
        paths.append(Path(folder) / f"{name}.{ext}")
    plt.close(fig)
    return paths


def sample_grids(grids: dict) -> plt.Figure:
    """(a) the final samples of each model, side by side."""
    fig, axes = figure(1, len(grids))
    for ax, (model, images) in zip(axes[0], grids.items()):
        ax.imshow(tile(images[:36], 6), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(model, color=colour(model))
        ax.axis("off")
    return fig


def evolution(model: str, epochs: list, images: list) -> plt.Figure:
    """(b) one model's fixed-noise sample grid at several epochs."""
    rows = 2 if len(images) > 3 else 1
    fig, axes = figure(rows, int(np.ceil(len(images) / rows)))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, epoch, img in zip(axes.ravel(), epochs, images):
        ax.imshow(img)
        ax.set_title(f"epoch {epoch}")
    fig.suptitle(f"{model}: the same z at every epoch", color=colour(model))
    return fig


def losses(histories: dict, terms: list, title: str) -> plt.Figure:
    """(c) training losses: one panel per term, one line per model (mean, band = seed range)."""
    fig, axes = figure(1, len(terms))
    for ax, term in zip(axes[0], terms):
        for model, frames in histories.items():
            if term in frames[0]:
                band(ax, frames, "epoch", term, model)
        ax.set_xlabel("epoch")
        ax.set_title(term)
    axes[0][0].legend()
    fig.suptitle(title)
    return fig


def band(ax, frames, x, y, model, grid=None, faint=False):
    """Mean line and min-max band over seeds, on a common x grid (interpolated); `faint`
    draws a thin unlabelled line and a lighter band, for a backdrop."""
    frames = [f.dropna(subset=[y]) for f in frames if y in f and len(f.dropna(subset=[y]))]
    if not frames:
        return
    if grid is None:
        grid = np.unique(np.concatenate([f[x].to_numpy() for f in frames]))
    values = np.array([np.interp(grid, f[x], f[y], left=np.nan, right=np.nan) for f in frames])
    with warnings.catch_warnings():  # grid points past a seed's last epoch are NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, low, high = np.nanmean(values, 0), np.nanmin(values, 0), np.nanmax(values, 0)
    if faint:
        ax.plot(grid, mean, color=colour(model), lw=1.5, alpha=0.6)
    else:
        ax.plot(grid, mean, "o-" if len(grid) < 30 else "-", color=colour(model), label=model, lw=2.5, ms=6)
    if len(frames) > 1 or faint:
        ax.fill_between(grid, low, high, color=colour(model), alpha=0.15 if faint else 0.2)


def fid_curves(curves: dict) -> plt.Figure:
    """(d) quick FID against epochs and against images seen: what each model learns from its
    budget, whatever the machine's speed."""
    fig, axes = figure(1, 2)
    ax_e, ax_i = axes[0]
    for model, frames in curves.items():
        band(ax_e, frames, "epoch", "fid_quick", model)
        band(ax_i, [f[f["images"] > 0] for f in frames], "images", "fid_quick", model)  # log axis: no 0
    for ax, label in ((ax_e, "epochs (passes over the 50,000 training images)"),
                      (ax_i, "training images seen (log scale)")):
        ax.set_xlabel(label)
        ax.set_ylabel("quick FID ↓")
        ax.set_yscale("log")
    ax_i.set_xscale("log")
    ax_e.legend()
    return fig


def fid_vs_time(summary: pd.DataFrame, curves: dict, t: float = float("nan")) -> plt.Figure:
    """(e) the one-slide answer, every model on one axis: quick FID (the suite's quick_fid_samples) against
    training seconds (mean, band = seed range), the final FID (10,000 samples, ± std over
    seeds) at each model's end, and the equal time T every run reached."""
    fig, axes = figure()
    ax = axes[0][0]
    for model, frames in curves.items():
        frames = [f for f in frames if "fid_quick" in f]
        if frames:
            end = max(f["train_seconds"].max() for f in frames)
            band(ax, frames, "train_seconds", "fid_quick", model, np.linspace(0, end, 120))
    rows = summary[summary["model"] != REAL_ROW].dropna(subset=["fid_mean"]) if "fid_mean" in summary else []
    for _, r in getattr(rows, "iterrows", lambda: [])():
        ax.errorbar(r["train_seconds_mean"], r["fid_mean"], xerr=_nz(r.get("train_seconds_std")),
                    yerr=_nz(r.get("fid_std")), fmt="D", ms=11, capsize=6, lw=2, color=colour(r["model"]))
    real = summary[summary["model"] == REAL_ROW]
    if len(real) and not pd.isna(real.get("fid_mean", pd.Series([np.nan])).iloc[0]):
        ax.axhline(real["fid_mean"].iloc[0], ls="--", color="0.3", label="real data (floor)")
    if not pd.isna(t):
        ax.axvline(t, ls=":", color="0.2", lw=2, label=f"equal time T = {t:.0f} s")
    ax.set_xlabel("training seconds on this machine (lines: quick FID during training)")
    ax.set_ylabel("FID ↓ (diamonds: 10,000 samples at the end)")
    ax.set_yscale("log")
    ax.set_xlim(left=0)
    ax.legend(loc="upper right")
    ax.set_title("Sample quality against training time")
    return fig


def _nz(value):
    return None if value is None or pd.isna(value) else value


DIGITS = tuple(str(d) for d in range(10))


def mode_histograms(summary: pd.DataFrame, true: np.ndarray, classes: tuple = DIGITS,
                    noun: str = "digit") -> plt.Figure:
    """(f) each model's predicted-class shares against the true class distribution."""
    rows = summary.dropna(subset=["mode_hist_0_mean"])
    fig, axes = figure(1, max(len(rows), 1), sharey=True)
    for ax, (_, r) in zip(axes[0], rows.iterrows()):
        shares = [r[f"mode_hist_{d}_mean"] for d in range(10)]
        ax.bar(range(10), shares, color=colour(r["model"]))
        ax.step(np.arange(11) - 0.5, [*true, true[-1]], where="post", color="k", lw=1.5)
        ax.set_title(r["model"], fontsize=14)
        if all(len(c) == 1 for c in classes):
            ax.set_xticks(range(0, 10, 3), [classes[i] for i in range(0, 10, 3)])
        else:  # names: every class, turned
            ax.set_xticks(range(10), classes, rotation=90, fontsize=9)
        ax.set_xlabel(noun)
    axes[0][0].set_ylabel("share of samples (line: true)")
    return fig


def manifold(images: np.ndarray, n: int, z_range: tuple = (-1.645, 1.645)) -> plt.Figure:
    """(g) a decoded n x n grid over the latent plane of a 2-d VAE; z_range is the first and
    last grid value on each axis (the grid is drawn row by row, top row = largest z2)."""
    fig, axes = figure()
    ax = axes[0][0]
    half = (z_range[1] - z_range[0]) / (n - 1) / 2
    lo, hi = z_range[0] - half, z_range[1] + half
    ax.imshow(tile(images, n, pad=0), cmap="gray_r", vmin=0, vmax=1, extent=(lo, hi, lo, hi))
    ax.set_xlabel("z₁ (grid at Gaussian quantiles 5%–95%)")
    ax.set_ylabel("z₂")
    ax.set_title("VAE latent manifold (2-d latent)")
    return fig


def interpolations(rows: np.ndarray, noun: str = "digit") -> plt.Figure:
    """(g) decoded linear interpolations between pairs of test images, one pair per row."""
    fig, axes = figure()
    ax = axes[0][0]
    ax.imshow(tile(rows.reshape(-1, 28, 28), rows.shape[1]), cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
    ax.set_title(f"VAE: decoding the line between two encoded test {noun}s")
    return fig


def pr_planes(summary: pd.DataFrame) -> plt.Figure:
    """(h) precision/recall and density/coverage planes, mean ± std over seeds."""
    fig, axes = figure(1, 2)
    ax_pr, ax_dc = axes[0]
    for ax, (x, y) in ((ax_pr, ("recall", "precision")), (ax_dc, ("coverage", "density"))):
        for _, r in summary.dropna(subset=[f"{x}_mean"]).iterrows():
            ax.errorbar(r[f"{x}_mean"], r[f"{y}_mean"], xerr=_nz(r.get(f"{x}_std")),
                        yerr=_nz(r.get(f"{y}_std")), fmt="s" if r["model"] == REAL_ROW else "o",
                        ms=11, capsize=5, color=colour(r["model"]), label=r["model"])
        ax.set_xlabel(f"{x} ↑")
        ax.set_ylabel(f"{y} ↑")
        ax.set_xlim(-0.02, 1.02)
    ax_pr.set_ylim(-0.02, 1.02)
    ax_pr.legend(loc="lower left", fontsize=12)
    return fig
