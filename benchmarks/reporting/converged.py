"""Early against converged: each model after the default suite's first epochs beside the same
model trained by the long suite until its stop rule held (benchmarks.training.convergence).

The long run's report leaves summary.csv and curves.csv in OUT/long/ (both committed); the
default report reads them, if they are there, into a table (early-vs-converged.md and a slide),
a sentence on whether the FID ranking changes, and a figure of quick FID against training
seconds on one log axis, from the first seconds to the hours of the long runs.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd

from benchmarks import files, runs
from benchmarks.errors import Damaged
from benchmarks.reporting.figures import plots

LONG = "long"  # the long suite's folder below the default suite's OUT
CURVES = "curves.csv"  # every run's quick-FID curve: model, seed, epoch, images, train_seconds, fid_quick
CURVE_COLUMNS = ("model", "seed", "epoch", "images", "train_seconds", "fid_quick")
FIX = "re-run `tox -e bench -- --suite long` (or `python -m benchmarks report results/long`)"
# summary column -> (header, higher is better, decimals)
COLUMNS = {"fid": ("FID", False, 1), "precision": ("Precision", True, 2), "recall": ("Recall", True, 2),
           "test_elbo": ("Test ELBO", True, 1)}


def curves_table(curves: dict) -> pd.DataFrame:
    """curves.csv from a report's curves (model -> its runs' curve.csv frames, in seed order,
    each with its `seed`)."""
    parts = [f.assign(model=model)[[c for c in CURVE_COLUMNS if c in f or c == "model"]]
             for model, frames in curves.items() for f in frames if "fid_quick" in f]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(CURVE_COLUMNS))


def read(out: Path, problems: list) -> tuple[pd.DataFrame, dict] | None:
    """The long suite's summary and curves (model -> one frame per seed) from OUT/long/, or None
    where the long suite has not been reported there; a damaged file is a line in `problems`."""
    folder = Path(out) / LONG
    if not (folder / "summary.csv").is_file():
        return None
    try:
        summary = files.read_csv(folder / "summary.csv", FIX, ("model", "fid_mean", "epochs_mean"))
        curves = files.read_csv(folder / CURVES, FIX, CURVE_COLUMNS)
    except Damaged as err:
        problems.append(str(err))
        return None
    return summary, {m: [g for _, g in frame.groupby("seed")] for m, frame in curves.groupby("model", sort=False)}


def table(early: pd.DataFrame, late: pd.DataFrame) -> pd.DataFrame:
    """Per model in both summaries (not the real-data row): epochs, each COLUMNS' mean early and
    converged, the share of runs the stop rule ended, and the FID rank in each (1: best)."""
    both = [m for m in early["model"] if m != runs.REAL_ROW and m in set(late["model"])]
    e, c = (s.set_index("model").loc[both] for s in (early, late))
    out = pd.DataFrame({"model": both, "epochs_early": e["epochs_mean"].to_numpy(),
                        "epochs_converged": c["epochs_mean"].to_numpy(),
                        "converged_share": c.get("converged_mean", pd.Series(np.nan, index=c.index)).to_numpy(),
                        "seeds_converged": c.get("seeds", pd.Series(np.nan, index=c.index)).to_numpy()})
    for col in COLUMNS:
        out[f"{col}_early"] = e.get(f"{col}_mean", pd.Series(np.nan, index=e.index)).to_numpy()
        out[f"{col}_converged"] = c.get(f"{col}_mean", pd.Series(np.nan, index=c.index)).to_numpy()
    out["rank_early"] = out["fid_early"].rank(method="min").astype("Int64")
    out["rank_converged"] = out["fid_converged"].rank(method="min").astype("Int64")
    return out


def _order(t: pd.DataFrame, column: str) -> str:
    return ", ".join(t.sort_values(column, kind="stable")["model"])


def ranking(t: pd.DataFrame) -> str:
    """Whether training to convergence changes the FID ranking, which models moved (by their
    converged rank), and how many models' FID improved: short enough for a slide's foot."""
    if t.empty:
        return "No model is in both the default and the long suite's tables."
    better = t[t["fid_converged"] < t["fid_early"]]
    gains = f"FID improved for {len(better)} of {len(t)} models"
    worse = t[t["fid_converged"] > t["fid_early"]]
    if len(worse):
        gains += f" (worse: {', '.join(worse['model'])})"
    moved = t[t["rank_early"] != t["rank_converged"]].sort_values("rank_converged", kind="stable")
    if moved.empty:
        return f"{gains}; the FID ranking is the same early and converged: {_order(t, 'fid_converged')}."
    moves = ", ".join(f"{r.model} {r.rank_early} → {r.rank_converged}" for r in moved.itertuples())
    return f"{gains}; trained to convergence, the FID ranking changes: {moves}."


def stopped(t: pd.DataFrame) -> str:
    """How many runs the stop rule ended before their cap, per model where not all."""
    share = t["converged_share"]
    if share.isna().all():
        return "The long runs record no stop rule: each trained its whole budget."
    capped = t[share < 1]
    if capped.empty:
        return (f"Every long run stopped by the rule, after {t['epochs_converged'].min():.0f} to "
                f"{t['epochs_converged'].max():.0f} epochs (mean over seeds).")
    names = ", ".join(f"{r.model} {(1 - r.converged_share) * r.seeds_converged:.0f} of {r.seeds_converged:.0f}"
                      for r in capped.itertuples())
    return (f"Runs that reached their cap still improving by the rule: {names}; those models' converged numbers "
            "may yet improve with more training.")


def formatted(t: pd.DataFrame) -> pd.DataFrame:
    """The table as strings: one column per (metric, budget), the better of each pair in bold."""
    out = pd.DataFrame({"Model": t["model"], "Epochs": [f"{a:.0f} → {b:.0f}" for a, b in
                                                        zip(t["epochs_early"], t["epochs_converged"])]})
    for col, (header, higher, decimals) in COLUMNS.items():
        a, b = t[f"{col}_early"], t[f"{col}_converged"]
        if a.isna().all() and b.isna().all():
            continue
        cells = []
        for x, y in zip(a, b):
            left, right = ("–" if pd.isna(v) else f"{v:.{decimals}f}" for v in (x, y))
            if not (pd.isna(x) or pd.isna(y)) and left != right:  # equal as shown: neither is better
                win = (y > x) == higher
                left, right = (left, f"**{right}**") if win else (f"**{left}**", right)
            cells.append(f"{left} → {right}")
        out[f"{header} {'↑' if higher else '↓'}"] = cells
    out["FID rank"] = [f"{a} → {b}" for a, b in zip(t["rank_early"], t["rank_converged"])]
    return out


def markdown(t: pd.DataFrame, made_by: str) -> str:
    """early-vs-converged.md: the table and its sentences."""
    cells = formatted(t)
    head = "| " + " | ".join(cells.columns) + " |"
    rule = "|" + "|".join("---" for _ in cells.columns) + "|"
    body = ["| " + " | ".join(map(str, row)) + " |" for row in cells.itertuples(index=False)]
    return "\n".join([
        "# Early against converged", "",
        "Each model after the default suite's budget (left of each arrow) and trained by the long suite until "
        "its stop rule held (right); means over seeds, bold: the better of the two.", "",
        ranking(t), "", stopped(t), "", head, rule, *body, "", f"Made by genbench: {made_by}.", ""])


TIME_TICKS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400, 28_800, 57_600)  # seconds


def duration(seconds: float) -> str:
    """A tick label in the unit a reader thinks in: 30 s, 2 min, 4 h."""
    if seconds < 60:
        return f"{seconds:g} s"
    if seconds < 3600:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"


def figure(early: pd.DataFrame, late: pd.DataFrame, curves: dict):
    """Quick FID against training seconds on log axes, from the long runs' curves (band: seed
    range), with each model's final FID early (open diamond) and converged (filled)."""
    fig, axes = plots.figure()
    ax = axes[0][0]
    for model in plots.ordered(curves):
        frames = [f[f["train_seconds"] > 0] for f in curves[model]]
        frames = [f for f in frames if len(f)]
        if frames:
            start, end = min(f["train_seconds"].min() for f in frames), max(f["train_seconds"].max() for f in frames)
            plots.band(ax, frames, "train_seconds", "fid_quick", model, np.geomspace(start, end, 200))
    for summary, filled in ((early, False), (late, True)):
        rows = summary[summary["model"].isin(curves)].dropna(subset=["fid_mean", "train_seconds_mean"])
        for r in rows.itertuples():
            ax.plot(r.train_seconds_mean, r.fid_mean, "D", ms=13, mew=2.5, color=plots.colour(r.model),
                    mfc=plots.colour(r.model) if filled else "white")
    ax.set(xscale="log", yscale="log")
    plots.plain(ax)
    low, high = ax.get_xlim()
    ticks = [t for t in TIME_TICKS if low <= t <= high]
    ax.set_xticks(ticks, [duration(t) for t in ticks])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.plot([], [], "D", ms=13, mew=2.5, color="0.3", mfc="white", label="FID at the default budget")
    ax.plot([], [], "D", ms=13, mew=2.5, color="0.3", label="FID converged (long suite)")
    ax.set_xlabel("training time (log scale): the long runs' quick FID, from the first epoch to the stop")
    ax.set_ylabel("FID ↓ (log scale)")
    ax.set_title("Early against converged: quick FID (lines) and FID of 10,000 samples (diamonds)")
    ax.legend(loc="lower left", ncols=2)
    return fig
