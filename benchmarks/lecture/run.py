"""Every lecture check and its figure, in one call: OUT/checks.md, checks.csv, numbers.json (what
the deck's sentences quote), README.md and the figures (with the benchmark runs' records, the
saturation figure of the GAN runs and the diffusion family's denoising trajectories)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import files, progress, records, runs
from benchmarks.lecture import checks, diffusion_checks
from benchmarks.lecture import diffusion_figures as dfig
from benchmarks.lecture.figures import fig_conv, fig_elbo, fig_generator_loss, fig_kl, fig_runs, fig_variance
from benchmarks.reporting.figures import plots


def run_all(out: Path, loaded: records.Loaded | None = None, fast: bool = False) -> pd.DataFrame:
    """Every check and figure (with the benchmark runs' records, `loaded`, the saturation
    figure of the GAN runs); `fast` shrinks the Monte Carlo sizes (for the tests)."""
    out = Path(out)
    files.trace(f"lecture {out}")
    files.sweep_stale(out)
    mc = {"mc_samples": 20_000} if fast else {}
    progress.note("lecture: the ELBO identities")
    elbo_rows, elbo = checks.elbo_identities(**mc)
    progress.note("lecture: the Gaussian KL formula")
    kl_rows, kl = checks.kl_formula(**({"mc_samples": 5_000} if fast else {}))
    progress.note("lecture: reparameterization against the score function")
    rep_rows, rep = checks.reparameterization(**({"n_mean": 40_000, "sizes": (10, 100), "reps": 50} if fast else {}))
    progress.note("lecture: Conv2DTranspose as the adjoint of Conv2D, and the generator losses' gradients")
    conv_rows, conv = checks.conv_adjoint()
    gen_rows, gen = checks.generator_gradients()
    progress.note("lecture: the forward process, the DDPM loss as a weighted ELBO, the four parameterizations, "
                  "flow matching's regression")
    fwd_rows, fwd = diffusion_checks.forward_process(**({"n": 5_000} if fast else {}))
    w_rows, weights = diffusion_checks.weighted_elbo()
    par_rows, par = diffusion_checks.parameterizations()
    fm_rows, fm = diffusion_checks.flow_matching_regression(**({"n": 40_000, "bins": 20} if fast else {}))
    table = pd.DataFrame(elbo_rows + kl_rows + rep_rows + conv_rows + gen_rows + fwd_rows + w_rows + par_rows
                         + fm_rows)
    # drawn and saved in genbench's style, at the runs' figure dpi
    with plots.style(plots.resolutions([r.config for r in loaded.runs] if loaded is not None else [])[0]):
        figures = {"elbo-gap": (fig_elbo(elbo), "log p(x), the ELBO and their gap as q's mean moves"),
                   "kl-contours": (fig_kl(kl), "contours of the Gaussian KL over (μ, σ)"),
                   "gradient-variance": (fig_variance(rep), "reparameterization vs score-function variance against N"),
                   "conv-transpose": (fig_conv(conv), "what Conv2D and Conv2DTranspose do to a single pixel"),
                   "generator-loss": (fig_generator_loss(gen), "gradient of the saturating and non-saturating losses"),
                   "forward-process": (dfig.fig_forward(fwd), "t noising steps against q(x_t | x_0) in closed form"),
                   "elbo-weights": (dfig.fig_weights(weights), "the ELBO's weight of each step's ε-MSE, which L_simple "
                                                           "drops"),
                   "parameterizations": (dfig.fig_parameterizations(par), "x_0, ε, score and velocity of one x_t"),
                   "flow-matching-regression": (dfig.fig_flow_matching(fm), "the conditional velocity's regressor "
                                                "against the closed-form marginal velocity")}
        run_fig = fig_runs(loaded.frames("steps"), loaded.frames("curve")) if loaded is not None else None
        if run_fig is not None:
            figures["gan-minimax-runs"] = (run_fig, "gan-dense vs gan-dense-minimax training curves")
        trajectories = denoising_trajectories(loaded) if loaded is not None else {}
        if trajectories:
            figures["denoising-trajectories"] = (dfig.fig_trajectories(trajectories), "x_T to x_0 for "
                                                 + " and ".join(trajectories))
        progress.note(f"lecture: {len(figures)} figures into {out}")
        for name, (fig, _) in figures.items():
            plots.save(fig, out, name)
    shown = table.assign(quantity=table["quantity"].str.replace("|", r"\|", regex=False),
                         residual=table["residual"].map(lambda v: f"{v:.3g}"),
                         tolerance=table["tolerance"].map(lambda v: f"{v:.3g}"),
                         **{"pass": table["pass"].map({True: "yes", False: "**NO**"})})
    index = ["## Figures (PDF and PNG)", ""] + [f"- `{name}.png`: {desc}" for name, (_, desc) in figures.items()]
    text = ["# Lecture checks", "", f"{int(table['pass'].sum())}/{len(table)} checks pass. "
            "Command: `python -m benchmarks lecture`.", "", shown.to_markdown(index=False), "", *index]
    files.write_text(out / "checks.md", "\n".join(text) + "\n")
    files.write_csv(out / "checks.csv", table)
    files.write_json(out / "numbers.json", {**numbers(rep, gen), "elbo_weight_min": float(weights["linear"].min()),
                                            "elbo_weight_max": float(weights["linear"].max())})
    files.write_text(out / "README.md", "\n".join(index) + "\n")
    return table


TRAJECTORY_SEED, TRAJECTORY_IMAGES = 11, 3


def denoising_trajectories(loaded: records.Loaded) -> dict:
    """model -> (its sampler's states from one noise to x_0, its steps), for the first finished
    run of each diffusion-family model (the same noise for all)."""
    import tensorflow as tf


    out = {}
    z = tf.random.stateless_normal([TRAJECTORY_IMAGES, 28, 28, 1], seed=[TRAJECTORY_SEED, 0])
    for name in loaded.models("diffusion"):
        record = loaded.first(name, runs.CHECKPOINT)
        if record is None or record.status.get("status") != "finished":
            continue
        model = record.model_weights()
        out[name] = (model.trajectory(z, model.sample_steps), model.sample_steps)
    return out


def numbers(rep: dict, gen: dict) -> dict:
    """What the deck's takeaways quote of the figures' data: the score function's gradient
    variance over the reparameterization's (over the test functions and N), and both generator
    losses' gradients where D(G(z)) = 0.01."""
    ratios = [np.asarray(rep["variances"][(name, "score function")]) /
              np.asarray(rep["variances"][(name, "reparameterization")]) for name in checks.TEST_FUNCTIONS]
    at = int(np.argmin(np.abs(gen["d"] - 0.01)))
    return {"variance_ratio_min": float(np.min(ratios)), "variance_ratio_max": float(np.max(ratios)),
            "d_fake": float(gen["d"][at]), "grad_minimax": float(gen["minimax"][at]),
            "grad_non_saturating": float(gen["non_saturating"][at])}
