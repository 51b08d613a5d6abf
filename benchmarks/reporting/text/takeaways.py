"""One sentence per slide, computed from the numbers: the summary table, the runs' step logs
and curves, the figures' own facts and the paper reproductions. A takeaway returns None where its
numbers are missing (the slide then says what the figure shows, without a claim). `Facts` is what
every takeaway reads; the lecture checks' sentences are in `takeaways_lecture`, the diffusion
part's in `takeaways_diffusion`."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from benchmarks.runs import REAL_ROW
from benchmarks.scoring.metrics import MODE_CONFIDENCE, NN_PERCENTILE


@dataclasses.dataclass
class Facts:
    """What the takeaways read: the summary (one row per model, `<metric>_mean`/`_std`), the
    step logs (model -> frames), the lecture checks (check, quantity, residual, ...), the
    lecture's numbers.json and the figures' facts (figure -> dict)."""

    summary: pd.DataFrame
    steps: dict = dataclasses.field(default_factory=dict)
    lecture: pd.DataFrame | None = None
    numbers: dict = dataclasses.field(default_factory=dict)
    figures: dict = dataclasses.field(default_factory=dict)
    noun: str = "digit"
    classes: int = 10

    def samples(self) -> int | None:
        """The samples every model's sample metrics were computed on (the runs' eval.samples), or
        None where the models differ or the summary does not say."""
        counts = self.models("eval_samples")["value"].unique()
        return int(counts[0]) if len(counts) == 1 else None

    def of_samples(self) -> str:
        """' of N samples' for the metrics' sentences; empty where the count is not one number."""
        n = self.samples()
        return f" of {n:,} samples" if n else ""

    def value(self, model: str, column: str) -> float:
        rows = self.summary[self.summary["model"] == model]
        return float(rows[f"{column}_mean"].iloc[0]) if len(rows) and f"{column}_mean" in rows else np.nan

    def models(self, column: str) -> pd.DataFrame:
        """The models' rows (no real data) that have `column`, with its mean as `value`."""
        rows = self.summary[self.summary["model"] != REAL_ROW]
        if f"{column}_mean" not in rows:
            return rows[:0].assign(value=[])
        return rows.dropna(subset=[f"{column}_mean"]).assign(value=lambda r: r[f"{column}_mean"])


    def check(self, check: str, contains: str = "") -> tuple[float, float, bool | None]:
        """(worst residual, its tolerance, whether every matching row passed: the table's pass
        column, else residual <= tolerance) of a lecture check; (NaN, NaN, None) without one."""
        if self.lecture is None:
            return np.nan, np.nan, None
        rows = self.lecture[(self.lecture["check"] == check) & self.lecture["quantity"].str.contains(contains,
                                                                                                    regex=False)]
        if not len(rows) or "tolerance" not in rows:
            return np.nan, np.nan, None
        worst = rows.loc[rows["residual"].idxmax()]
        passed = rows["pass"].astype(bool) if "pass" in rows else rows["residual"] <= rows["tolerance"]
        return float(worst["residual"]), float(worst["tolerance"]), bool(passed.all())

    def after(self, model: str, term: str, epochs: float = 1.0) -> float:
        """A step-log term's mean over seeds in the last row of the first `epochs` passes."""
        rows = [f[f["epoch"] <= epochs + 1e-9] for f in self.steps.get(model, []) if term in f and "epoch" in f]
        rows = [r[term].iloc[-1] for r in rows if len(r)]
        return float(np.mean(rows)) if rows else np.nan

    def last(self, model: str, term: str) -> float:
        """A step-log term's mean over the last row of every seed."""
        frames = [f for f in self.steps.get(model, []) if term in f and len(f)]
        return float(np.mean([f[term].iloc[-1] for f in frames])) if frames else np.nan


def _ok(*values) -> bool:
    return all(not (isinstance(v, float) and np.isnan(v)) for v in values)


def _list(frame: pd.DataFrame, fmt: str) -> str:
    return ", ".join(f"{r['model']} {r['value']:{fmt}}" for _, r in frame.iterrows())


def losses_vae(f: Facts):
    parts = [f"{m} {f.last(m, 'loss'):.0f} ({f.last(m, 'reconstruction'):.0f} reconstruction + "
             f"{f.last(m, 'kl'):.0f} KL)" for m in f.steps if _ok(f.last(m, "loss"), f.last(m, "kl"))]
    return parts and ("Negative ELBO per training image at the end of training, nats: " + "; ".join(parts) +
                      ".") or None


def vae_likelihood(f: Facts, model: str = "vae-dense"):
    elbo, iwae, k = f.value(model, "test_elbo"), f.value(model, "iwae_bound"), f.value(model, "iwae_k")
    return _ok(elbo, iwae, k) and (f"{model}: test ELBO {elbo:.1f} nats, IWAE bound {iwae:.1f} nats (k = {k:.0f}): "
                                   f"the reconstructions keep each {f.noun} at that cost per image.") or None


def vae_samples(f: Facts, model: str = "vae-dense"):
    fid, p, r, modes = (f.value(model, c) for c in ("fid", "precision", "recall", "modes_confident"))
    return _ok(fid, p, r, modes) and (f"{model}'s samples from the same latent space: FID {fid:.1f}, precision "
                                      f"{p:.2f}, recall {r:.2f}, {modes:.0f} {f.noun}s with p ≥ 0.9.") or None


UNUSED_SHARE = 0.9  # the dimensions shown carry this share of the KL or more: the others are nearly unused


def traversal(f: Facts):
    t = f.figures.get("vae-traversal", {})
    if not t:
        return None
    rest = t["dims"] - t["shown"]
    head = (f"The {t['shown']} dimensions shown carry {t['share']:.0%} of the mean KL ({t['kl_shown']:.1f} of "
            f"{t['kl_total']:.1f} nats)")
    if t["share"] >= UNUSED_SHARE:
        return f"{head}; the other {rest} are nearly unused."
    return f"{head}; the other {rest} carry the remaining {1 - t['share']:.0%}, so the figure leaves much out."


def manifold(f: Facts):
    m = f.figures.get("vae-manifold", {})
    if not (m and _ok(m.get("loss"), m.get("loss_full"))):
        return None
    cost = m["loss"] - m["loss_full"]
    head = (f"With a 2-d latent the negative ELBO ends at {m['loss']:.0f} nats per image, against "
            f"{m['loss_full']:.0f} with vae-dense's 20 dimensions")
    if cost > 0:
        return f"{head}: a readable plane costs {cost:.0f} nats."
    return f"{head}: here the readable plane costs nothing, {-cost:.0f} nats better than 20 dimensions."


def losses_gan(f: Facts):
    parts = [f"{m} {f.last(m, 'd_fake'):.2f}" for m in f.steps if _ok(f.last(m, "d_fake"))]
    return parts and "Mean D(G(z)) at the end of training: " + ", ".join(parts) + "." or None


def saturation(f: Facts, base: str = "gan-dense", variant: str = "gan-dense-minimax"):
    """Whether the minimax GAN stalled: a worse quick FID after one epoch and a lower D(G(z))
    (the generator's fakes rejected) than the non-saturating GAN's."""
    fids = [f.value(m, "fid_quick_at_epoch") for m in (base, variant)]
    fakes = [f.after(m, "d_fake") for m in (base, variant)]
    if not _ok(*fids, *fakes):
        return None
    head = (f"After one epoch of the same images, {variant} is at quick FID {fids[1]:.0f} against {fids[0]:.0f} for "
            f"{base}, and mean D(G(z)) at the end of that epoch is {fakes[1]:.3f} against {fakes[0]:.3f}")
    if fids[1] <= fids[0]:
        return f"{head}: the minimax GAN did not stall in this run."
    if fakes[1] < fakes[0]:
        return f"{head}: the saturating loss stalls."
    return (f"{head}: its FID is worse, but its fakes are not rejected more than {base}'s, so this run does not "
            "show saturation as the cause.")


def samples(f: Facts):
    rows, real = f.models("fid"), f.value(REAL_ROW, "fid")
    if not len(rows) or not _ok(real):
        return None
    best, worst = rows.loc[rows["value"].idxmin()], rows.loc[rows["value"].idxmax()]
    return (f"FID{f.of_samples()}: best {best['model']} {best['value']:.1f}, worst {worst['model']} "
            f"{worst['value']:.1f}; real held-out {f.noun}s {real:.2f}.")


def evolution(f: Facts, model: str):
    e = f.figures.get(f"evolution-{model}", {})
    return e and _ok(e.get("first"), e.get("last")) and (
        f"{model}: quick FID {e['first']:.0f} untrained, {e['last']:.0f} after {e['images']:,} training "
        "images.") or None


def gan_interpolation(f: Facts):
    g = f.figures.get("gan-interpolation", {})
    model = g.get("model")
    fid, modes = (f.value(model, "fid"), f.value(model, "modes_confident")) if model else (np.nan, np.nan)
    return model and _ok(fid, modes) and (f"{model} (FID {fid:.1f}, {modes:.0f} {f.noun}s with p ≥ 0.9): its "
                                          f"generator turns straight lines in z into gradual changes.") or None


def table(f: Facts):
    fid, elbo = f.models("fid"), f.models("test_elbo")
    if not len(fid):
        return None
    text = f"Best FID: {fid.loc[fid['value'].idxmin(), 'model']}"
    if len(elbo):
        text += f"; best test ELBO: {elbo.loc[elbo['value'].idxmax(), 'model']}"
    speed = f.models("images_per_sec")
    if len(speed):
        text += f"; fastest per image: {speed.loc[speed['value'].idxmax(), 'model']}"
    return text + "."


def equal_images(f: Facts):
    rows = f.models("fid_quick_at_epoch").sort_values("value")
    return len(rows) and "Quick FID after one epoch of the same images: " + _list(rows, ".0f") + "." or None


def fid_vs_time(f: Facts):
    rows = f.models("fid_quick_at_t")
    t = f.summary.get("equal_time_seconds_mean", pd.Series(dtype=float)).max()
    end = f.models("fid")
    if not len(rows) or not len(end) or not _ok(t):
        return None
    return (f"At equal training time on this machine (T = {t:.0f} s) {rows.loc[rows['value'].idxmin(), 'model']} "
            f"leads; at the end of every budget, {end.loc[end['value'].idxmin(), 'model']}.")


def precision_recall(f: Facts):
    rows = f.models("recall")
    real_p, real_r = f.value(REAL_ROW, "precision"), f.value(REAL_ROW, "recall")
    if not len(rows) or not _ok(real_p, real_r):
        return None
    best = rows.loc[rows["value"].idxmax()]
    return (f"Real data: precision {real_p:.2f}, recall {real_r:.2f}; the best model's recall is "
            f"{best['value']:.2f} ({best['model']}).")


def modes(f: Facts):
    rows = f.models("modes_confident")
    return len(rows) and (f"{f.noun.capitalize()}s covered by confident samples (p ≥ {MODE_CONFIDENCE}), of "
                          f"{f.classes}: " +
                          _list(rows, ".1f") + ".") or None


def nearest(f: Facts):
    rows, real = f.models("nn_closer_fraction"), f.value(REAL_ROW, "nn_closer_fraction")
    share = 100 - NN_PERCENTILE
    return len(rows) and _ok(real) and (f"Share of samples nearer a training image than {share}% of test {f.noun}s "
                                        f"(real data {real:.2f}; far above it would be copying): " +
                                        _list(rows, ".2f") + ".") or None


def _paper_value(table: pd.DataFrame, model: str) -> tuple[float, float]:
    row = table[table["model"] == model]
    return (float(row["value"].iloc[0]), float(row["se"].iloc[0])) if len(row) else (np.nan, np.nan)


def burda(table: pd.DataFrame):
    """results/paper/table.csv's likelihood row against Burda et al.'s (`paper.table`)."""
    from benchmarks.reporting.published.paper import OURS_ELBO, OURS_NLL, THEIRS_NLL
    from models.registry import BURDA_STAGES

    (nll, se), (elbo, _), (theirs, _) = (_paper_value(table, m) for m in (OURS_NLL, OURS_ELBO, THEIRS_NLL))
    if not _ok(nll, se, elbo, theirs):
        return None
    protocol = str(table.loc[table["model"] == OURS_NLL, "protocol"].iloc[0])  # `paper.table` writes it
    found = re.match(r"([\d,]+) passes", protocol)
    passes = int(found.group(1).replace(",", "")) if found else None
    bound = re.search(r"k = (\d+), ([\d,]+) images", protocol)
    bound = f" (k = {bound.group(1)}, {bound.group(2)} test images)" if bound else ""
    full = passes == sum(BURDA_STAGES)  # then curves.png draws the 366-pass run too
    return (f"vae-burda{f' after {passes:,} passes' if passes else ''}: {nll:.2f} ± {se:.2f} nats by the IWAE bound"
            f"{bound}, against {theirs:.2f} in Burda et al. 2015; its test ELBO is"
            f" {elbo:.2f}." + (" Dotted: the 366-pass run." if full else ""))


def parzen(table: pd.DataFrame):
    """results/paper/table.csv's Parzen rows: what a Parzen window rewards (Theis et al. 2016)."""
    from benchmarks.reporting.published.paper import (
        OURS_DRAWS,
        OURS_GAN,
        OURS_MEANS,
        OURS_OWN_GAN,
        OURS_REAL,
        THEIRS_GAN,
    )

    gan, means, draws, real, theirs, own = (_paper_value(table, m)[0] for m in (
        OURS_GAN, OURS_MEANS, OURS_DRAWS, OURS_REAL, THEIRS_GAN, OURS_OWN_GAN))
    if not _ok(gan, means, draws, real, theirs):
        return None
    reproduced = f", their own model trained here {own:.1f}" if _ok(own) else ""
    head = (f"Parzen log-likelihood, higher is better: gan-conv {gan:.1f} (Goodfellow et al.'s GAN "
            f"{theirs:.0f}{reproduced}); vae-burda's blurry means {means:.1f}, its own binary samples "
            f"{draws:.1f}; real images {real:.1f}.")
    if means > draws:
        return f"{head} One model, two scores: the window rewards blur, not likelihood (Theis et al. 2016)."
    return (f"{head} Here the blurry means do not score above the same model's binary samples, so this run does not "
            "show the window rewarding blur.")
