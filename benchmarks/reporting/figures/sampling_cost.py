"""What a sample costs: the diffusion family's sampler sweep (quick FID, network evaluations and
seconds at each number of sampler steps, from metrics.json's `sampler_sweep`), every one-pass
model as a point at one network evaluation, the figure of both, and the diffusion family's
loss curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import models
from benchmarks import runs
from benchmarks.errors import Damaged
from benchmarks.records import Loaded
from benchmarks.reporting.figures import plots

SWEEP_COLUMNS = ("steps", "network_evaluations", "seconds_per_1000_samples", "fid_quick")


def sweep(record) -> pd.DataFrame | None:
    """A run's sampler sweep as a table (one row per number of steps), None where it has none;
    a malformed one is Damaged."""
    rows = (record.metrics or {}).get("sampler_sweep")
    if rows is None:
        return None
    fix = f"re-run `python -m benchmarks score --force {record.folder}`"
    if not isinstance(rows, list) or not rows or not all(
            isinstance(r, dict) and all(isinstance(r.get(c), (int, float)) for c in SWEEP_COLUMNS) for r in rows):
        raise Damaged(record.folder / runs.METRICS, f"has a malformed sampler_sweep (each row needs "
                      f"{', '.join(SWEEP_COLUMNS)})", fix)
    return pd.DataFrame(rows, columns=list(SWEEP_COLUMNS)).sort_values("network_evaluations")


def sweeps(loaded: Loaded, problems: list) -> dict[str, list[pd.DataFrame]]:
    """model -> its runs' sweeps, in seed order; damaged ones become lines in `problems`."""
    found = {}
    for record in loaded.runs:
        try:
            frame = sweep(record)
        except Damaged as err:
            problems.append(str(err))
            continue
        if frame is not None:
            found.setdefault(record.model, []).append(frame)
    return found


def one_pass_points(curves: dict) -> dict[str, tuple[float, float]]:
    """model -> (mean, std over seeds) of the quick FID at the end of its budget (curve.csv's last
    point, the same sample count and noise as the sweep's), for the models that sample in one
    network evaluation."""
    out = {}
    for model, frames in curves.items():
        if model not in models.MODEL_NAMES or models.family(model) == "diffusion":
            continue
        ends = [f["fid_quick"].dropna().iloc[-1] for f in frames if "fid_quick" in f and f["fid_quick"].notna().any()]
        if ends:
            out[model] = (float(np.mean(ends)), float(np.std(ends, ddof=1)) if len(ends) > 1 else np.nan)
    return out


def fid_vs_steps(found: dict, points: dict, default_steps: dict) -> plots.plt.Figure:
    """Quick FID against network evaluations per sample (log 2 axis): a line per diffusion-family
    model (band = seed range; a ring at the steps its final samples use), and every one-pass
    model as a marker at 1 (± std over seeds)."""
    fig, axes = plots.figure()
    ax = axes[0][0]
    for model in plots.ordered(found):
        plots.band(ax, found[model], "network_evaluations", "fid_quick", model)
        chosen = default_steps.get(model)
        rows = [f[f["steps"] == chosen]["fid_quick"] for f in found[model]]
        values = [float(r.iloc[0]) for r in rows if len(r)]
        if values:
            ax.plot(chosen, np.mean(values), "o", ms=22, mfc="none", mew=2.5, color=plots.colour(model))
    for model in plots.ordered(points):
        mean, std = points[model]
        ax.errorbar(1, mean, yerr=plots._nz(std), fmt="D", ms=12, capsize=6, lw=2, color=plots.colour(model),
                    label=model)
    ax.set(xscale="log", yscale="log")
    plots.plain(ax)
    ticks = sorted({1, *(int(v) for f in sum(found.values(), []) for v in f["network_evaluations"])})
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.xaxis.set_minor_locator(plots.matplotlib.ticker.NullLocator())
    ax.set_xlabel("network evaluations per sample (log scale)")
    ax.set_ylabel("quick FID ↓ (log scale)")
    ax.set_title("Quick FID against network passes per sample (ring: the final samples' steps)")
    ax.legend(loc="upper right")
    return fig


def denoising_losses(steps: dict) -> plots.plt.Figure:
    """(c) the diffusion family's training loss against images seen, a panel per model (each has
    its own target), log scale; each seed a thin line, the mean a thick one."""
    names = plots.ordered(steps)
    fig, axes = plots.figure(1, len(names), sharex=True)
    for ax, model in zip(axes[0], names):
        plots.seeds_and_mean(ax, steps[model], "images", "loss", model)
        title, label = plots.DENOISING_TERMS.get(model, (model, "loss"))
        ax.set(title=title, ylabel=label, xlabel="training images seen", yscale="log")
        plots.plain(ax)
        plots.thousands(ax)
        ax.xaxis.set_major_locator(plots.matplotlib.ticker.MaxNLocator(3))
    fig.suptitle("Diffusion-family training: the regression loss of each model")
    return fig


def ema_effect(curves: dict) -> dict:
    """model -> (mean quick FID with the EMA weights, mean with the raw ones, seeds where the EMA's
    was lower, seeds) at the end of the budget (curve.csv's last point with both)."""
    out = {}
    for model, frames in curves.items():
        pairs = [f.dropna(subset=["fid_quick", "fid_quick_raw"]).iloc[-1] for f in frames
                 if "fid_quick_raw" in f and f[["fid_quick", "fid_quick_raw"]].notna().all(axis=1).any()]
        if pairs:
            ema, raw = np.array([p["fid_quick"] for p in pairs]), np.array([p["fid_quick_raw"] for p in pairs])
            out[model] = (float(ema.mean()), float(raw.mean()), int((ema < raw).sum()), len(pairs))
    return out


def sweep_facts(found: dict, points: dict, summary: pd.DataFrame) -> dict:
    """What the trade-off's sentence reads: per diffusion-family model its mean quick FID and
    seconds per 1,000 samples at each step count; per one-pass model its quick FID and seconds."""
    mean = lambda frames, col: (pd.concat(frames).groupby("steps")[col].mean()).to_dict()
    seconds = {m: {int(k): v for k, v in mean(frames, "seconds_per_1000_samples").items()}
               for m, frames in found.items()}
    if "seconds_per_1000_samples_mean" in summary:
        for _, row in summary[summary["model"].isin(list(points))].iterrows():
            seconds[row["model"]] = {1: float(row["seconds_per_1000_samples_mean"])}
    return {"sweeps": {m: {int(k): v for k, v in mean(frames, "fid_quick").items()} for m, frames in found.items()},
            "one_pass": {m: v[0] for m, v in points.items()}, "seconds": seconds}


def figures(loaded: Loaded, summary: pd.DataFrame, folder: Path, problems: list, facts: dict) -> dict:
    """The sampling-cost figure and the diffusion family's loss curves, where there are such runs;
    their numbers into `facts` ('fid-vs-steps', 'ema') for the takeaways."""
    made = {}
    steps = {m: f for m, f in loaded.frames("steps").items()
             if m in models.MODEL_NAMES and models.family(m) == "diffusion"}
    if steps:
        plots.save(denoising_losses(steps), folder, "losses-diffusion")
        made["losses-diffusion"] = ("(c) diffusion-family training loss against images seen, several points per "
                                    "epoch (thin: each seed; thick: their mean)")
    curves = loaded.frames("curve")
    facts["ema"] = ema_effect(curves)
    found = sweeps(loaded, problems)
    if found:
        default_steps = {r.model: r.config["hyperparameters"].get("sample_steps") for r in loaded.runs
                         if r.model in found}
        points = one_pass_points(curves)
        facts["fid-vs-steps"] = sweep_facts(found, points, summary)
        plots.save(fid_vs_steps(found, points, default_steps), folder, "fid-vs-steps")
        made["fid-vs-steps"] = ("(m) quick FID against network evaluations per sample: the diffusion family at "
                                "each sampler step count (band = seed range), every VAE and GAN at one")
    return made
