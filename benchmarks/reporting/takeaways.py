"""One sentence per slide, computed from the numbers: the summary table, the runs' step logs
and curves, the lecture checks' residuals and the figures' own facts. A takeaway returns None
where its numbers are missing (the slide then says what the figure shows, without a claim)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from benchmarks.runs import REAL_ROW


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


def elbo_gap(f: Facts):
    r = f.residual("ELBO (i)", "quadrature")
    return _ok(r) and (f"log p(x) − ELBO − KL(q ‖ p(z|x)) = {r:.0e} nats on 12 (x, q) pairs: the ELBO's gap is "
                       "exactly the KL to the true posterior, so raising the ELBO over q is inference.") or None


def kl_contours(f: Facts):
    exact, mc = f.residual("KL formula", "tfp"), f.residual("KL formula", "Monte Carlo")
    return _ok(exact, mc) and (f"The closed form matches TFP's KL to {exact:.0e} and Monte Carlo within {mc:.1f} "
                               "standard errors; it is zero only at μ = 0, σ = 1.") or None


def gradient_variance(f: Facts):
    worst = max(f.residual("grad reparameterization"), f.residual("grad score function"))
    lo, hi = f.numbers.get("variance_ratio_min", np.nan), f.numbers.get("variance_ratio_max", np.nan)
    return _ok(worst, lo, hi) and (f"Both estimators are unbiased (within {worst:.1f} s.e. of the exact gradient), "
                                   f"but the score function's variance is {lo:.0f}× to {hi:.0f}× the "
                                   "reparameterization's at the same N.") or None


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


def traversal(f: Facts):
    t = f.figures.get("vae-traversal", {})
    return t and (f"The {t['shown']} dimensions shown carry {t['share']:.0%} of the mean KL ({t['kl_shown']:.1f} of "
                  f"{t['kl_total']:.1f} nats); the other {t['dims'] - t['shown']} are nearly unused.") or None


def manifold(f: Facts):
    m = f.figures.get("vae-manifold", {})
    return m and _ok(m.get("loss"), m.get("loss_full")) and (
        f"With a 2-d latent the negative ELBO ends at {m['loss']:.0f} nats per image, against "
        f"{m['loss_full']:.0f} with vae-dense's 20 dimensions: a readable plane costs "
        f"{m['loss'] - m['loss_full']:.0f} nats.") or None


def generator_loss(f: Facts):
    n = f.numbers
    return {"d_fake", "grad_minimax", "grad_non_saturating"} <= set(n) and (
        f"Where D(G(z)) = {n['d_fake']:.2f}, the minimax loss's gradient is {n['grad_minimax']:.3f} and the "
        f"non-saturating one's {n['grad_non_saturating']:.2f}: {n['grad_non_saturating'] / n['grad_minimax']:.0f}× "
        "larger, just where G is worst.") or None


def losses_gan(f: Facts):
    parts = [f"{m} {f.last(m, 'd_fake'):.2f}" for m in f.steps if _ok(f.last(m, "d_fake"))]
    return parts and "Mean D(G(z)) at the end of training: " + ", ".join(parts) + "." or None


def saturation(f: Facts, base: str = "gan-dense", variant: str = "gan-dense-minimax"):
    fids = [f.value(m, "fid_quick_at_epoch") for m in (base, variant)]
    fakes = [f.after(m, "d_fake") for m in (base, variant)]
    return _ok(*fids, *fakes) and (f"After one epoch of the same images, {variant} is at quick FID {fids[1]:.0f} "
                                   f"against {fids[0]:.0f} for {base}, and mean D(G(z)) at the end of that epoch is "
                                   f"{fakes[1]:.3f} against {fakes[0]:.2f}: the saturating loss stalls.") or None


def conv_transpose(f: Facts):
    r = f.residual("Conv2DTranspose adjoint")
    return _ok(r) and (f"⟨Kx, y⟩ = ⟨x, Kᵀy⟩ to a relative {r:.0e} at both layers of the conv generator: "
                       "Conv2DTranspose is the adjoint of Conv2D, not its inverse.") or None


def samples(f: Facts):
    rows, real = f.models("fid"), f.value(REAL_ROW, "fid")
    if not len(rows) or not _ok(real):
        return None
    best, worst = rows.loc[rows["value"].idxmin()], rows.loc[rows["value"].idxmax()]
    return (f"FID of 10,000 samples: best {best['model']} {best['value']:.1f}, worst {worst['model']} "
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
    return len(rows) and (f"{f.noun.capitalize()}s covered by confident samples (p ≥ 0.9), of 10: " +
                          _list(rows, ".1f") + ".") or None


def nearest(f: Facts):
    rows, real = f.models("nn_closer_fraction"), f.value(REAL_ROW, "nn_closer_fraction")
    return len(rows) and _ok(real) and (f"Share of samples nearer a training image than 95% of test {f.noun}s "
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
    found = re.match(r"([\d,]+) passes", str(table.loc[table["model"] == OURS_NLL, "protocol"].iloc[0]))
    passes = int(found.group(1).replace(",", "")) if found else None
    full = passes == sum(BURDA_STAGES)  # then curves.png draws the 366-pass run too
    return (f"vae-burda{f' after {passes:,} passes' if passes else ''}: {nll:.2f} ± {se:.2f} nats by the IWAE bound"
            f" (k = 5000, the 10,000 test images), against {theirs:.2f} in Burda et al. 2015; its test ELBO is"
            f" {elbo:.2f}." + (" Dotted: the 366-pass run." if full else ""))


def parzen(table: pd.DataFrame):
    """results/paper/table.csv's Parzen rows: what a Parzen window rewards (Theis et al. 2016)."""
    from benchmarks.reporting.paper import OURS_DRAWS, OURS_GAN, OURS_MEANS, OURS_REAL, THEIRS_GAN

    gan, means, draws, real, theirs = (_paper_value(table, m)[0]
                                       for m in (OURS_GAN, OURS_MEANS, OURS_DRAWS, OURS_REAL, THEIRS_GAN))
    if not _ok(gan, means, draws, real, theirs):
        return None
    return (f"Parzen log-likelihood, higher is better: gan-conv {gan:.1f} (Goodfellow et al.'s GAN "
            f"{theirs:.0f}); vae-burda's blurry means {means:.1f}, its own binary samples "
            f"{draws:.1f}; real images {real:.1f}. The window rewards blur, not likelihood (Theis et al. 2016).")
