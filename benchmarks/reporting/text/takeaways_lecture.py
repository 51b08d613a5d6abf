"""The lecture checks' sentences, one per slide, computed as `takeaways` are: each reads its
check's residual against the tolerance (the pass column of checks.csv) or compares the lecture's
numbers, and says which way they came out; None where they are missing. The diffusion part's
are in `takeaways_diffusion`."""

from __future__ import annotations

import numpy as np

from benchmarks.reporting.text.takeaways import Facts, _ok


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


def conv_transpose(f: Facts):
    r, tol, ok = f.check("Conv2DTranspose adjoint")
    if ok is None:
        return None
    if ok:
        return (f"⟨Kx, y⟩ = ⟨x, Kᵀy⟩ to a relative {r:.0e} at both layers of the conv generator: "
                "Conv2DTranspose is the adjoint of Conv2D, not its inverse.")
    return (f"⟨Kx, y⟩ and ⟨x, Kᵀy⟩ differ by a relative {r:.1e} at the conv generator's layers, above the tolerance "
            f"{tol:.0e}: this Conv2DTranspose is not the adjoint of the Conv2D with the same kernel.")
