"""One sentence per slide, computed from the numbers: the summary table, the runs' step logs
and curves, the lecture checks' residuals and the figures' own facts. A takeaway returns None
where its numbers are missing (the slide then says what the figure shows, without a claim)."""

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

    def residual(self, check: str, contains: str = "") -> float:
        if self.lecture is None:
            return np.nan
        rows = self.lecture[(self.lecture["check"] == check) & self.lecture["quantity"].str.contains(contains,
                                                                                                    regex=False)]
        return float(rows["residual"].max()) if len(rows) else np.nan

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


def _times(x: float) -> str:
    """A ratio as 'N×': whole above 10, two significant digits below (0.96×, 8.6×, 12×)."""
    return f"{x:.0f}×" if x >= 10 else f"{x:.2g}×"


def elbo_gap(f: Facts):
    r, tol, ok = f.check("ELBO (i)", "quadrature")
    if ok is None:
        return None
    if ok:
        return (f"log p(x) − ELBO − KL(q ‖ p(z|x)) is at most {r:.0e} nats over every (x, q) tried (tolerance "
                f"{tol:.0e}): the ELBO's gap is exactly the KL to the true posterior, so raising the ELBO over q "
                "is inference.")
    return (f"log p(x) − ELBO − KL(q ‖ p(z|x)) reaches {r:.1e} nats, above the tolerance {tol:.0e}: this run does "
            "not confirm that the ELBO's gap is the KL to the posterior.")


def kl_contours(f: Facts):
    (exact, exact_tol, exact_ok), (mc, mc_tol, mc_ok) = f.check("KL formula", "tfp"), f.check("KL formula",
                                                                                             "Monte Carlo")
    if exact_ok is None or mc_ok is None:
        return None
    if exact_ok and mc_ok:
        return (f"The closed form matches TFP's KL to {exact:.0e} and Monte Carlo within {mc:.1f} standard errors; "
                "it is zero only at μ = 0, σ = 1.")
    misses = ([f"TFP's KL by {exact:.1e} (tolerance {exact_tol:.0e})"] if not exact_ok else []) + (
        [f"Monte Carlo by {mc:.1f} standard errors (tolerance {mc_tol:.0f})"] if not mc_ok else [])
    return f"The closed form misses {' and '.join(misses)}: the formula as coded is not the Gaussian KL."


def gradient_variance(f: Facts):
    (rep, rep_tol, rep_ok), (score, _, score_ok) = (f.check(f"grad {kind}")
                                                    for kind in ("reparameterization", "score function"))
    lo, hi = f.numbers.get("variance_ratio_min", np.nan), f.numbers.get("variance_ratio_max", np.nan)
    if rep_ok is None or score_ok is None or not _ok(lo, hi):
        return None
    worst = max(rep, score)
    bias = (f"Both estimators are unbiased (within {worst:.1f} s.e. of the exact gradient)" if rep_ok and score_ok
            else f"An estimator misses the exact gradient by {worst:.1f} s.e. (tolerance {rep_tol:.0f})")
    if lo > 1:
        spread = f"the score function's variance is {_times(lo)} to {_times(hi)} the reparameterization's"
    elif hi < 1:
        spread = f"the score function's variance is below the reparameterization's, {_times(lo)} to {_times(hi)} it"
    else:
        spread = (f"the score function's variance is {_times(lo)} to {_times(hi)} the reparameterization's: lower "
                  "in some cases, higher in others")
    return f"{bias}; {spread}, at the same N."


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


def generator_loss(f: Facts):
    n = f.numbers
    if not {"d_fake", "grad_minimax", "grad_non_saturating"} <= set(n):
        return None
    head = (f"Where D(G(z)) = {n['d_fake']:.2f}, the minimax loss's gradient is {n['grad_minimax']:.3f} and the "
            f"non-saturating one's {n['grad_non_saturating']:.2f}")
    if n["grad_non_saturating"] <= n["grad_minimax"]:
        return f"{head}: the minimax loss is not the weaker one here; it saturates only where D(G(z)) is small."
    if n["grad_minimax"] <= 0:
        return f"{head}: the minimax loss gives G no gradient at all there."
    ratio = _times(n["grad_non_saturating"] / n["grad_minimax"])
    where = ", just where G is worst" if n["d_fake"] < 0.5 else ""
    return f"{head}: {ratio} larger{where}."


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


def conv_transpose(f: Facts):
    r, tol, ok = f.check("Conv2DTranspose adjoint")
    if ok is None:
        return None
    if ok:
        return (f"⟨Kx, y⟩ = ⟨x, Kᵀy⟩ to a relative {r:.0e} at both layers of the conv generator: "
                "Conv2DTranspose is the adjoint of Conv2D, not its inverse.")
    return (f"⟨Kx, y⟩ and ⟨x, Kᵀy⟩ differ by a relative {r:.1e} at the conv generator's layers, above the tolerance "
            f"{tol:.0e}: this Conv2DTranspose is not the adjoint of the Conv2D with the same kernel.")


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
    from benchmarks.reporting.paper import OURS_ELBO, OURS_NLL, THEIRS_NLL
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
    from benchmarks.reporting.paper import OURS_DRAWS, OURS_GAN, OURS_MEANS, OURS_REAL, THEIRS_GAN

    gan, means, draws, real, theirs = (_paper_value(table, m)[0]
                                       for m in (OURS_GAN, OURS_MEANS, OURS_DRAWS, OURS_REAL, THEIRS_GAN))
    if not _ok(gan, means, draws, real, theirs):
        return None
    head = (f"Parzen log-likelihood, higher is better: gan-conv {gan:.1f} (Goodfellow et al.'s GAN "
            f"{theirs:.0f}); vae-burda's blurry means {means:.1f}, its own binary samples "
            f"{draws:.1f}; real images {real:.1f}.")
    if means > draws:
        return f"{head} One model, two scores: the window rewards blur, not likelihood (Theis et al. 2016)."
    return (f"{head} Here the blurry means do not score above the same model's binary samples, so this run does not "
            "show the window rewarding blur.")
