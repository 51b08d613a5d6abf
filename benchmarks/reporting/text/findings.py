"""What the summary table shows and what it does not, in sentences computed from it: the
machine its seconds were measured on, the best model at equal time and at the end of the
budgets, and the caveats (README.md, summary.md, the deck's last slide)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import models
from benchmarks import provenance
from benchmarks.data.mnist import MNIST, Dataset
from benchmarks.reporting.text.tables import PEAKS, REAL, cell
from benchmarks.scoring.metrics import MODE_CONFIDENCE, MODE_MIN_SHARE


def machine(summary: pd.DataFrame, configs: list) -> str:
    """The machine the training seconds were measured on: CPU, cores, matmul peaks."""
    env = next((c["environment"] for c in configs if "environment" in c), None)
    if env is None:
        return "an unrecorded machine"
    gpus = ", ".join(env["gpus"]) or "no GPU"
    text = f"{env['cpu']}, {env['cpu_count']} cores, {gpus}, TensorFlow {env['tensorflow']}"
    peaks = [summary.get(f"matmul_gflops_{d}_mean", pd.Series(dtype=float)).median() for d in PEAKS]
    if not any(pd.isna(p) for p in peaks):
        text += (f"; matmul peaks (2048³, median over runs, measured as each run started) fp32 "
                 f"{peaks[0]:.0f} and bf16 {peaks[1]:.0f} GFLOP/s")
    return text


def reading(summary: pd.DataFrame) -> str:
    """Which model is best at equal time on this machine, and which at the end of its budget."""
    rows = summary[summary["model"] != REAL]
    at_t = rows.dropna(subset=["fid_quick_at_t_mean"]) if "fid_quick_at_t_mean" in rows else rows[:0]
    end = rows.dropna(subset=["fid_mean"]) if "fid_mean" in rows else rows[:0]
    parts = []
    if len(at_t):
        best, t = at_t.loc[at_t["fid_quick_at_t_mean"].idxmin()], at_t["equal_time_seconds_mean"].max()
        fid = cell(best["fid_quick_at_t_mean"], best["fid_quick_at_t_std"], 1, False)
        parts.append(f"At equal training time on this machine, T = {t:.0f} s (the shortest run's training "
                     f"time), the best model is **{best['model']}**, quick FID {fid} "
                     "(of the suite's quick_fid_samples; FID is biased upward at small sample sizes). This "
                     "ranking depends on the machine: on a faster one every model is further into its budget at T.")
    if len(end):
        best = end.loc[end["fid_mean"].idxmin()]
        budgets = ", ".join(f"{r['model']} {r['epochs_mean']:.0f}" for _, r in end.iterrows()
                            if not pd.isna(r.get("epochs_mean")))
        fid = cell(best["fid_mean"], best["fid_std"], 2, False)
        counts = end.get("eval_samples_mean", pd.Series(dtype=float)).dropna().unique()
        of = f" ({counts[0]:,.0f} samples)" if len(counts) == 1 else ""
        parts.append(f"At the end of each model's budget in epochs ({budgets}), the best model is "
                     f"**{best['model']}**, FID {fid}{of}. "
                     "Budgets in epochs make this ranking the same on any machine; only the seconds change.")
    return " ".join(parts)


def caveats(summary: pd.DataFrame, machine_text: str, spec: Dataset = MNIST) -> list[str]:
    """What the table does not show, with this report's own numbers."""
    rows = summary[summary["model"] != REAL]
    real = summary[summary["model"] == REAL]
    out = []
    epochs = rows.get("epochs_mean", pd.Series(dtype=float)).dropna()
    if len(epochs):
        share = rows.get("converged_mean", pd.Series(dtype=float)).dropna()
        out.append(budgets(epochs.min(), epochs.max(), share.mean() if len(share) else float("nan")))
    out.append("FID, KID, precision/recall and density/coverage are computed in the features of a pinned "
               f"{spec.title} classifier: comparable between runs of this benchmark, not with the Inception-"
               "feature FIDs of papers.")
    gans = rows[rows["model"].map(lambda m: m in models.MODEL_NAMES and models.family(m) == "gan")]
    if "recall_mean" in summary and gans["recall_mean"].notna().any():
        real_recall = real["recall_mean"].iloc[0] if len(real) else np.nan
        out.append(gan_recall(gans["recall_mean"].max(), real_recall, spec.noun))
    if "modes_confident_mean" in summary:
        digits = ", ".join(f"{r['model']} {r['modes_confident_mean']:.1f} ({r['modes_covered_mean']:.1f} by any "
                           "guess)" for _, r in rows.iterrows() if not pd.isna(r["modes_confident_mean"]))
        out.append(f"{spec.classes_header} covered (of {len(spec.classes)}, mean over seeds), counting only the "
                   f"samples the classifier assigns with probability at least {MODE_CONFIDENCE}: {digits}. "
                   f"{'An' if spec.noun[0] in 'aeiou' else 'A'} "
                   f"{spec.noun} counts as covered when at least {MODE_MIN_SHARE:.0%} of its true share of the "
                   "samples is assigned to it; the count by the classifier's best guess lets noise 'cover' "
                   "whatever the classifier guesses for it.")
    iterative = rows[rows["model"].map(lambda m: m in models.MODEL_NAMES and models.family(m) == "diffusion")]
    if "network_evaluations_mean" in iterative and iterative["network_evaluations_mean"].notna().any():
        steps = ", ".join(f"{r['model']} {r['network_evaluations_mean']:.0f}" for _, r in iterative.iterrows()
                          if not pd.isna(r["network_evaluations_mean"]))
        out.append(f"The diffusion family's FID is that of its final sampler, in network evaluations per sample: "
                   f"{steps}, against one for a VAE or GAN (`fid-vs-steps.png` shows the other step counts). Its "
                   "pixels are continuous, so it has no entry in the likelihood table, whose bounds are Bernoulli "
                   "likelihoods of binarized pixels.")
    for _, r in rows[rows.get("dtype_mixed", pd.Series(False, index=rows.index)).fillna(False).astype(bool)].iterrows():
        out.append(f"{r['model']}: its runs trained in different precisions, {r['dtype']}; its mean mixes them.")
    out.append(f"Seconds and images/s are those of {machine_text}; across machines compare shares of the "
               "matmul peaks, not seconds.")
    seeds = rows.get("seeds", pd.Series(dtype=float))
    if len(seeds):
        out.append(f"± is the standard deviation over {int(seeds.max())} seeds: a rough spread, not a "
                   "confidence interval.")
    return out


def budgets(low: float, high: float, converged: float = float("nan")) -> str:
    """The training budgets, and whether the runs were trained until they stopped improving:
    `converged` is the share of runs the stop rule ended (NaN where the suite has none), else
    the long suite's rule (benchmarks/suites/long.toml) is what they are set against."""
    from benchmarks.suite_file import load_suite

    text = f"Budgets are {low:.0f} to {high:.0f} epochs per model"
    if not pd.isna(converged):
        if converged >= 1:
            return f"{text}, each run ended by the stop rule once its quick FID had stopped improving: trained models."
        return (f"{text}; {converged:.0%} of the runs met the stop rule and the others stopped at their cap while "
                "still improving: not all are trained models.")
    long = load_suite("long")
    if high < long["stop_min_epochs"]:
        return (f"{text}, against at least {long['stop_min_epochs']} in the long suite, which trains each run until "
                f"its quick FID improves by less than {long['stop_tolerance']:.0%} over the last "
                f"{long['stop_window']:.0%} of its epochs: the table describes early training, not trained models.")
    return (f"{text}, at least the long suite's {long['stop_min_epochs']}, but with no stop rule: whether the runs "
            "had stopped improving is not measured.")


RECALL_LITTLE = 0.5  # below this share of the real data's recall, the GANs "cover little of the variety"


def gan_recall(best: float, real: float, noun: str = "digit") -> str:
    """The GANs' best recall against the real data's, and what it says about their variety."""
    head = f"The GANs' recall is at most {best:.3f} (real data: {real:.3f})"
    if pd.isna(real) or real <= 0:
        return head + "."
    if best < RECALL_LITTLE * real:
        return f"{head}: their samples lie where {noun}s lie but cover little of the variety of the test set."
    return f"{head}: their samples cover {best / real:.0%} of the variety that real {noun}s reach by this measure."


def made_by(configs: list) -> str:
    """Which code trained the runs (the commits their config.json recorded, of every sitting
    of a resumed run) and which wrote this report: one line for every table."""
    trained = sorted({provenance.describe(s if isinstance(s, dict) else {}) for c in configs
                      for s in (c.get("sittings") or [c.get("environment", {})])}) or ["no runs"]
    several = " (runs of several commits)" if len(trained) > 1 else ""
    return (f"runs trained at {', '.join(trained)}{several}; this report written at "
            f"{provenance.describe(provenance.commit())}")
