"""Slide-ready figures of numbers: 16:9, no text under 14 pt at 1280 px wide, colour-blind-safe,
one colour per model, models in the table's order, panel titles in words and a label on every
axis.

Each figure function takes plain data (arrays, DataFrames) and returns a Figure; `save`
writes it as PDF and PNG (200 dpi unless the suite's `figure_dpi` says otherwise). (`pictures`
draws the image figures, `table` a table as a slide; `from_records` picks the data from the
runs' records.)
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import models
from benchmarks import files
from benchmarks.runs import REAL_ROW
from benchmarks.settings import SUITE

FIGURE_DPI, SLIDE_DPI = (SUITE[k].default for k in ("figure_dpi", "slide_dpi"))  # 2,666 x 1,500; 1,920 x 1,080 px
SLIDE = (40 / 3, 7.5)  # inches: a 16:9 slide (1280 x 720 px at 96 dpi, where 1 pt is 1.33 px)
PALETTE = "seaborn-v0_8-colorblind"  # matplotlib's Okabe-Ito based, colour-blind-safe palette
STYLE = (PALETTE, str(Path(__file__).with_name("genbench.mplstyle")))  # the palette, then slide-sized text
# model -> index into the style's six-colour cycle (its yellow, index 4, is skipped: low contrast), or
# Okabe-Ito's orange and Paul Tol's wine, olive and indigo (colour-blind-safe) where the cycle has no colour left
MODEL_COLOURS = {"vae-dense": 0, "vae-conv": 5, "gan-dense": 2, "gan-dense-minimax": 3, "gan-conv": 1,
                 "vae-burda": "#E69F00", "diffusion": "#882255", "flow-matching": "#999933",
                 "gan-goodfellow": "#332288"}


@contextlib.contextmanager
def style(figure_dpi: int = FIGURE_DPI):
    """The context every report figure is drawn and saved in (`STYLE`, and PNGs of `figure_dpi`
    dots per inch): matplotlib's settings change inside it only, never on import."""
    with plt.style.context(STYLE), plt.rc_context({"savefig.dpi": figure_dpi}):
        yield


def resolutions(configs: list) -> tuple[int, int]:
    """(figure dpi, slide dpi) of a report over runs of these configs: the highest their suites
    ask for (`figure_dpi`, `slide_dpi`), the settings' defaults where there is no run."""
    return (max((c["figure_dpi"] for c in configs), default=FIGURE_DPI),
            max((c["slide_dpi"] for c in configs), default=SLIDE_DPI))


ORDER = [*models.MODEL_NAMES, REAL_ROW]  # the table's order
REAL_COLOUR = "0.25"
TERMS = {  # steps.csv column -> (panel title, y label)
    "loss": ("Negative ELBO", "nats per image"), "reconstruction": ("Reconstruction term", "nats per image"),
    "kl": ("KL term", "nats per image"), "d_loss": ("Discriminator loss", "−V(D, G)"),
    "g_loss": ("Generator loss", "its own loss"), "d_real": ("D of real images", "mean D(x)"),
    "d_fake": ("D of generated ones", "mean D(G(z))"),
}
DENOISING_TERMS = {  # the diffusion family's one loss, titled per model
    "diffusion": ("Diffusion: noise-prediction MSE", "mean ‖ε − ε̂‖² per pixel"),
    "flow-matching": ("Flow matching: velocity MSE", "mean ‖v − v̂‖² per pixel"),
}


def colour(model: str) -> str:
    if model == REAL_ROW:
        return REAL_COLOUR
    cycle = plt.style.library[PALETTE]["axes.prop_cycle"].by_key()["color"]
    chosen = MODEL_COLOURS.get(model, "black")
    return cycle[chosen] if isinstance(chosen, int) else chosen


def ordered(names) -> list:
    """`names` in the table's order."""
    return sorted(names, key=lambda m: ORDER.index(m) if m in ORDER else len(ORDER))


def figure(nrows=1, ncols=1, **kwargs):
    return plt.subplots(nrows, ncols, figsize=SLIDE, squeeze=False, **kwargs)


def save(fig, folder: Path, name: str) -> list[Path]:
    """FOLDER/NAME.pdf and NAME.png (at the `style` context's figure dpi; outside it, FIGURE_DPI),
    each written atomically. The layout (constrained layout, where the figure has it) is worked out
    once, for the PDF, and kept for the PNG."""
    paths, dpi = [], plt.rcParams["savefig.dpi"]
    for ext, kwargs in (("pdf", {"dpi": "figure"}), ("png", {"dpi": FIGURE_DPI if dpi == "figure" else dpi})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=ext, **kwargs)
        fig.set_layout_engine("none")
        files.atomic_write_bytes(Path(folder) / f"{name}.{ext}", buffer.getvalue())
        paths.append(Path(folder) / f"{name}.{ext}")
    plt.close(fig)
    return paths


def _over_seeds(frames: list, x: str, y: str, grid=None):
    """(the seeds' frames with a value of y, the x grid, their y interpolated on it, NaN past a
    seed's range): the steps `seeds_and_mean` and `band` share. The grid: the first seed's x, or
    every seed's x where `grid` is "union"."""
    frames = [f.dropna(subset=[y]) for f in frames if y in f and len(f.dropna(subset=[y]))]
    if not frames:
        return [], None, None
    if grid is None:
        grid = frames[0][x].to_numpy(float)
    elif isinstance(grid, str):
        grid = np.unique(np.concatenate([f[x].to_numpy() for f in frames]))
    return frames, grid, np.array([np.interp(grid, f[x], f[y], left=np.nan, right=np.nan) for f in frames])


def _nan_stats(values: np.ndarray, *stats):
    with warnings.catch_warnings():  # grid points past a seed's last point are NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return [stat(values, 0) for stat in stats]


def seeds_and_mean(ax, frames: list, x: str, y: str, model: str, label: str | None = None) -> None:
    """Each seed a thin line, their mean (on the first seed's x, where all seeds have a value)
    a thick one."""
    frames, grid, values = _over_seeds(frames, x, y)
    if not frames:
        return
    for f in frames:
        ax.plot(f[x], f[y], color=colour(model), lw=1, alpha=0.45)
    ax.plot(grid, _nan_stats(values, np.nanmean)[0], color=colour(model), lw=3.5, label=label or model)


def band(ax, frames, x, y, model, grid=None, faint=False):
    """Mean line and min-max band over seeds, on a common x grid (interpolated; by default every
    seed's x), where every seed has a value; before and after that, each seed that reaches there
    as its own thin line (a mean over fewer seeds would jump where one starts or ends). `faint`
    draws a thin unlabelled line and a lighter band, for a backdrop."""
    frames, grid, values = _over_seeds(frames, x, y, "union" if grid is None else grid)
    if not frames:
        return
    mean, low, high = values.mean(0), values.min(0), values.max(0)  # NaN wherever a seed has no value
    every = ~np.isnan(mean)
    if faint:
        ax.plot(grid, mean, color=colour(model), lw=1.5, alpha=0.6)
    else:
        ax.plot(grid, mean, "o-" if len(grid) < 30 else "-", color=colour(model), label=model, lw=2.5, ms=6)
    if len(frames) > 1 or faint:
        ax.fill_between(grid, low, high, where=every, color=colour(model), alpha=0.15 if faint else 0.2)
    beyond = ~every
    beyond[1:] |= ~every[:-1]  # each thin part joined to the mean at its first or last point
    beyond[:-1] |= ~every[1:]
    for seed in values if beyond.any() else ():
        ax.plot(grid, np.where(beyond, seed, np.nan), color=colour(model), lw=1.2, alpha=0.6 if faint else 0.8)


def thousands(ax) -> None:
    """x tick labels of images seen: 20k, 40k, ... (plain numbers below 10,000)."""
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, _: f"{v / 1000:,.0f}k" if abs(ax.get_xlim()[1]) >= 10_000 else f"{v:,.0f}"))


def losses(steps: dict, terms: list, title: str) -> plt.Figure:
    """(c) training curves finer than an epoch (steps.csv): one panel per term, against
    training images seen; each seed a thin line, the mean a thick one."""
    fig, axes = figure(1, len(terms), sharex=True)
    for ax, term in zip(axes[0], terms):
        for model in ordered(steps):
            seeds_and_mean(ax, steps[model], "images", term, model)
        ax.set_title(TERMS[term][0])
        ax.set_ylabel(TERMS[term][1])
        ax.set_xlabel("training images seen")
        thousands(ax)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
    handles, labels = axes[0][0].get_legend_handles_labels()  # one legend under the panels, off every curve
    fig.legend(handles, labels, loc="outside lower center", ncols=max(len(labels), 1))
    fig.suptitle(title)
    return fig


def fid_curves(curves: dict) -> plt.Figure:
    """(d) quick FID against training images seen: what each model learns from its budget,
    whatever the machine's speed (band = seed range)."""
    fig, axes = figure()
    ax = axes[0][0]
    for model in ordered(curves):
        band(ax, [f[f["images"] > 0] for f in curves[model]], "images", "fid_quick", model)  # log axis: no 0
    ax.set(xscale="log", yscale="log", xlabel="training images seen (log scale)", ylabel="quick FID ↓ (log scale)",
           title="Sample quality against training images seen")
    plain(ax)
    ax.legend()
    return fig


def plain(ax) -> None:
    """Log axes ticked at 1, 2 and 5 of each decade, in plain numbers (20, 50, 5,000), not powers of ten."""
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            axis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
            axis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def _floor(ax, value: float, text: str) -> None:
    """A reference line with its label on it, inside the axis (the axis is not stretched to it)."""
    low, high = ax.get_ylim()
    if value < low:
        ax.annotate(f"{text}: {value:.2g} (below the axis)", xy=(0.99, 0.98), xycoords="axes fraction",
                    ha="right", va="top", fontsize=14, color=REAL_COLOUR)
        return
    ax.axhline(value, ls="--", color=REAL_COLOUR, lw=2)
    ax.annotate(f"{text}: {value:.2g}", xy=(0.99, value), xycoords=("axes fraction", "data"), ha="right",
                va="bottom", fontsize=14, color=REAL_COLOUR)


def fid_vs_time(summary: pd.DataFrame, curves: dict, t: float = float("nan")) -> plt.Figure:
    """(e) the one-slide answer, every model on one axis: quick FID against training seconds
    (log-log: short and long runs both visible; band = seed range), the final FID (10,000
    samples, ± std over seeds) at each model's end, the equal time T every run reached and the
    real-data floor as a labelled line."""
    fig, axes = figure()
    ax = axes[0][0]
    ends = {}
    for model in ordered(curves):
        frames = [f[f["train_seconds"] > 0] for f in curves[model] if "fid_quick" in f]
        frames = [f for f in frames if len(f)]
        if frames:
            start, end = min(f["train_seconds"].min() for f in frames), max(f["train_seconds"].max() for f in frames)
            band(ax, frames, "train_seconds", "fid_quick", model, np.geomspace(start, end, 120))
            ends[model] = end
    rows = summary[summary["model"] != REAL_ROW].dropna(subset=["fid_mean"]) if "fid_mean" in summary else summary[:0]
    for _, r in rows.iterrows():
        ax.errorbar(r["train_seconds_mean"], r["fid_mean"], xerr=_nz(r.get("train_seconds_std")),
                    yerr=_nz(r.get("fid_std")), fmt="D", ms=12, capsize=6, lw=2, color=colour(r["model"]))
    ax.set(xscale="log", yscale="log")
    if not pd.isna(t):
        ax.axvline(t, ls=":", color="0.2", lw=2, label=f"equal time T = {t:.0f} s")
    real = summary[summary["model"] == REAL_ROW]
    if len(real) and not pd.isna(real.get("fid_mean", pd.Series([np.nan])).iloc[0]):
        _floor(ax, float(real["fid_mean"].iloc[0]), "real data (the floor)")
    plain(ax)
    ax.set_xlabel("training seconds on this machine (log scale)")
    ax.set_ylabel("FID ↓ (log scale)")
    ax.set_title("Lines: quick FID during training; diamonds: FID of 10,000 samples at the end")
    ax.legend(loc="lower left")
    return fig


def _nz(value):
    return None if value is None or pd.isna(value) else value


DIGITS = tuple(str(d) for d in range(10))


def mode_histograms(summary: pd.DataFrame, true: np.ndarray, classes: tuple = DIGITS,
                    noun: str = "digit") -> plt.Figure:
    """(f) each model's predicted-class shares against the true class distribution: grouped
    bars, one group per class, the true share as a black line over each group."""
    rows = summary.dropna(subset=["mode_hist_0_mean"])
    rows = rows.set_index("model").loc[ordered(rows["model"])].reset_index()
    fig, axes = figure()
    ax = axes[0][0]
    width = 0.8 / max(len(rows), 1)
    for i, (_, r) in enumerate(rows.iterrows()):
        shares = [r[f"mode_hist_{d}_mean"] for d in range(10)]
        ax.bar(np.arange(10) - 0.4 + width * (i + 0.5), shares, width, color=colour(r["model"]), label=r["model"])
    ax.hlines(true, np.arange(10) - 0.45, np.arange(10) + 0.45, color="k", lw=3, label="true share")
    top = max([*true, *(rows[[f"mode_hist_{d}_mean" for d in range(10)]].to_numpy().ravel())])
    ax.set_ylim(0, top * 1.12)
    turned = any(len(c) > 2 for c in classes)
    ax.set_xticks(range(10), classes, rotation=25 if turned else 0, ha="right" if turned else "center")
    ax.set_xlabel(f"predicted {noun} (the pinned classifier's best guess)")
    ax.set_ylabel("share of the samples")
    ax.set_title(f"Which {noun}s each model generates")
    handles, labels = ax.get_legend_handles_labels()  # the models first, in table order, then the true share
    order = sorted(range(len(labels)), key=lambda i: labels[i] == "true share")
    # beside the axes, not over them: a collapsed model's one bar reaches the top
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def pr_planes(summary: pd.DataFrame) -> plt.Figure:
    """(h) precision/recall and density/coverage planes, mean ± std over seeds."""
    fig, axes = figure(1, 2)
    ax_pr, ax_dc = axes[0]
    rows = summary.set_index("model").loc[ordered(summary["model"])].reset_index()
    for ax, (x, y), title in ((ax_pr, ("recall", "precision"), "Precision and recall (k = 3)"),
                              (ax_dc, ("coverage", "density"), "Density and coverage (k = 5)")):
        for _, r in rows.dropna(subset=[f"{x}_mean"]).iterrows():
            ax.errorbar(r[f"{x}_mean"], r[f"{y}_mean"], xerr=_nz(r.get(f"{x}_std")),
                        yerr=_nz(r.get(f"{y}_std")), fmt="s" if r["model"] == REAL_ROW else "o",
                        ms=12, capsize=5, color=colour(r["model"]), label=r["model"])
        ax.set_xlabel(f"{x} ↑")
        ax.set_ylabel(f"{y} ↑")
        ax.set_title(title)
        ax.set_xlim(-0.02, 1.02)
    ax_pr.set_ylim(-0.02, 1.02)
    ax_pr.legend(loc="lower right")
    return fig
