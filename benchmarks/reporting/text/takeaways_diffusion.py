"""The diffusion part's sentences, one per slide, computed from the numbers as `takeaways` are:
the lecture checks' residuals against their tolerances, the sampler sweep's quick FIDs and
seconds, the EMA's quick FIDs against the raw weights'. Each says which way its numbers came
out; None where they are missing."""

from __future__ import annotations

import numpy as np

import models
from benchmarks.reporting.text.takeaways import Facts, _ok


def forward_process(f: Facts):
    mean, mean_tol, mean_ok = f.check("forward process", "mean")
    var, _, var_ok = f.check("forward process", "variance")
    if not _ok(mean, var) or mean_ok is None or var_ok is None:
        return None
    if mean_ok and var_ok:
        return (f"Chains of single noising steps match q(x_t | x₀) = N(√ᾱ_t x₀, 1 − ᾱ_t) within {mean:.1f} s.e. in "
                f"mean and {var:.1f} in variance: t steps compose to one Gaussian, so training can jump to any t.")
    return (f"The sampled chains miss the closed form: {mean:.1f} s.e. in mean and {var:.1f} in variance, against a "
            f"tolerance of {mean_tol:.0f}; the schedule or the composition is wrong.")


def elbo_weights(f: Facts):
    r, tol, ok = f.check("DDPM loss = weighted ELBO")
    lo, hi = f.numbers.get("elbo_weight_min", np.nan), f.numbers.get("elbo_weight_max", np.nan)
    if not _ok(r, lo, hi) or ok is None:
        return None
    if not ok:
        return (f"The step KLs differ from λ_t‖ε − ε̂‖² by a relative {r:.0e}, above the tolerance {tol:.0e}: "
                "the weights as written are not the ELBO's.")
    return (f"Each step's KL equals λ_t‖ε − ε̂‖² to a relative {r:.0e}; λ_t runs from {lo:.3g} to {hi:.3g} over t, "
            "and L_simple sets it to 1: a reweighted ELBO that spends its effort on the noisier steps.")


def parameterizations(f: Facts):
    r, tol, ok = f.check("parameterizations")
    if not _ok(r) or ok is None:
        return None
    if ok:
        return (f"From x_t, a prediction of any one of x₀, ε, the score or the velocity gives the others to {r:.0e}: "
                "the targets differ in how the loss weighs each t, not in what the network can express.")
    return f"The conversions disagree by {r:.1e}, above the tolerance {tol:.0e}: one of the maps is wrong."


def flow_matching(f: Facts):
    r, tol, ok = f.check("flow matching")
    if not _ok(r) or ok is None:
        return None
    if ok:
        return (f"The least-squares fit to single-pair velocities ε − x₀ lands on the closed-form marginal velocity "
                f"within {r:.1f} s.e.: regressing the easy conditional target learns the flow of the whole data.")
    return (f"The fit misses the marginal velocity by {r:.1f} s.e. (tolerance {tol:.0f}): the conditional target "
            "does not average to it here.")


def losses(f: Facts):
    """The diffusion family's loss at the end, and whether the EMA of the weights helped the quick
    FID at the end (short enough for a slide's foot)."""
    ends = {m: f.last(m, "loss") for m in f.steps if models.family(m) == "diffusion"}
    parts = [f"{m} {loss:.3f}" for m, loss in ends.items() if _ok(loss)]
    text = ("Loss per pixel at the end: " + ", ".join(parts) + ".") if parts else ""
    sentences = []
    for model, (with_ema, raw, helped, seeds) in f.figures.get("ema", {}).items():
        verdict = ("better in every seed" if helped == seeds else "the raw weights better in every seed"
                   if helped == 0 else f"better in {helped} of {seeds} seeds")
        sentences.append(f"{model} {with_ema:.1f} against {raw:.1f} raw ({verdict})")
    if sentences:
        text += (" " if text else "") + "Quick FID with the EMA weights: " + "; ".join(sentences) + "."
    return text or None


def fid_vs_steps(f: Facts):
    """The trade-off: the fewest sampler steps at which a diffusion-family model matches the best
    one-pass model's quick FID, and what its samples then cost against that model's."""
    facts = f.figures.get("fid-vs-steps", {})
    sweeps, one_pass = facts.get("sweeps", {}), facts.get("one_pass", {})
    if not sweeps or not one_pass:
        return None
    rival = min(one_pass, key=one_pass.get)
    target = one_pass[rival]
    best = min(sweeps, key=lambda m: min(sweeps[m].values()))
    curve = dict(sorted(sweeps[best].items()))
    top_steps, top_fid = min(curve.items(), key=lambda kv: kv[1])
    matched = [s for s, v in curve.items() if v <= target]
    cost = facts.get("seconds", {})
    rival_cost = cost.get(rival, {}).get(1, np.nan)
    if matched:
        s = matched[0]
        ratio = cost.get(best, {}).get(s, np.nan) / rival_cost
        return (f"{best} reaches {rival}'s quick FID {target:.1f} (one network pass) with {s} passes per sample "
                f"({curve[s]:.1f})" + (f", at {ratio:.0f}× its seconds per sample" if _ok(ratio) else "") +
                f"; its best, {top_fid:.1f}, takes {top_steps} passes.")
    return (f"No diffusion-family model reaches {rival}'s quick FID {target:.1f} (one network pass) at any step "
            f"count tried: the best is {best}, {top_fid:.1f} at {top_steps} passes; at this budget one pass of "
            f"{rival} beats {max(curve)} passes of the U-Net.")


def trajectories(f: Facts):
    parts = [f"{m} FID {f.value(m, 'fid'):.1f} in {f.value(m, 'network_evaluations'):.0f} steps"
             for m in ("diffusion", "flow-matching") if _ok(f.value(m, "fid"), f.value(m, "network_evaluations"))]
    return parts and ("The same noise, denoised step by step; at the end of the budget, " + "; ".join(parts) +
                      f" (FID{f.of_samples()}).") or None
