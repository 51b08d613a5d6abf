"""The lecture figures: one per check, drawn from the data the check returns, plus the
benchmark's own GAN runs with and without the saturating generator loss."""

from __future__ import annotations

import models
from benchmarks.lecture import checks
from benchmarks.reporting.figures import plots


def fig_elbo(d):
    fig, axes = plots.figure()
    ax = axes[0][0]
    ax.axhline(d["evidence"], color=plots.colour("gan-dense"), lw=3, label="log p(x)")
    ax.plot(d["means"], d["elbo"], color=plots.colour("vae-dense"), lw=3, label="ELBO(q)")
    ax.fill_between(d["means"], d["elbo"], d["evidence"], color="0.8", label="gap = KL(q ‖ p(z|x))")
    ax.axvline(d["post_mean"], ls=":", color="k", label="posterior mean")
    ax.set_xlabel("mean of q(z|x) = N(m, posterior variance)")
    ax.set_ylabel("nats")
    ax.set_title("log p(x) = ELBO + KL(q ‖ p(z|x)), linear-Gaussian model, x = 2.5")
    ax.legend()
    return fig


def fig_kl(d):
    fig, axes = plots.figure()
    ax = axes[0][0]
    levels = [0.05, 0.1, 0.25, 0.5, 1, 2, 4]
    cs = ax.contour(d["mu"], d["sigma"], d["kl"], levels=levels, cmap="viridis", linewidths=2)
    ax.clabel(cs, fontsize=14)
    ax.plot(0, 1, "k*", ms=18, label="q = p: KL = 0")
    ax.set_xlabel("μ")
    ax.set_ylabel("σ")
    ax.set_title("KL(N(μ, σ²) ‖ N(0, 1)) = −½(1 + log σ² − μ² − σ²)")
    ax.legend()
    return fig


def fig_variance(d):
    fig, axes = plots.figure(1, len(checks.TEST_FUNCTIONS), sharey=True)
    for ax, name in zip(axes[0], checks.TEST_FUNCTIONS):
        for kind, style in (("reparameterization", "-o"), ("score function", "--s")):
            ax.loglog(d["sizes"], d["variances"][(name, kind)], style, lw=2.5, ms=9, label=kind)
        ax.set_title(f"f(x) = {name}")
        ax.set_xlabel("samples N")
    axes[0][0].set_ylabel("variance of the gradient estimate")
    axes[0][0].legend()
    fig.suptitle("∇(μ, σ) E f(x), x ~ N(0.5, 1.2²): both unbiased, variance ∝ 1/N")
    return fig


def fig_conv(d):
    fig, axes = plots.figure(1, 4)
    panels = (("kernel", "Kernel K (3×3)"), ("conv", "Conv2D of one pixel"),
              ("transpose", "Conv2DTranspose, stride 2:\none pixel, 5×5 → 10×10"),
              ("overlap", "Conv2DTranspose of all ones:\nuneven overlap"))
    for ax, (key, title) in zip(axes[0], panels):
        shown = ax.imshow(d[key], cmap="viridis")
        ax.set_title(title, fontsize=16)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(shown, ax=ax, orientation="horizontal", fraction=0.08, pad=0.04, label="value")
    fig.suptitle("Conv2D gathers (the kernel flipped); Conv2DTranspose scatters (the kernel stamped)")
    return fig


def fig_generator_loss(d):
    fig, axes = plots.figure()
    ax = axes[0][0]
    ax.loglog(d["d"], d["minimax"], lw=3, color=plots.colour("gan-dense-minimax"), label="minimax: log(1 − D)")
    ax.loglog(d["d"], d["non_saturating"], lw=3, color=plots.colour("gan-dense"), label="non-saturating: −log D")
    ax.set_xlabel("D(G(z))")
    ax.set_ylabel("|∂ loss / ∂ logit|")
    ax.set_title("Early in training D(G(z)) ≈ 0: the minimax gradient vanishes")
    ax.legend()
    return fig


def fig_runs(steps: dict, curves: dict):
    """Each GAN against its generator-loss variant (models.loss_variants), from the benchmark
    runs' step logs and curves (model -> tables, one per seed), against training images seen,
    if both were trained; None otherwise."""
    pair = next(((base, variant) for base, variant in models.loss_variants()
                 if base in steps and variant in steps), None)
    if pair is None:
        return None
    panels = [(steps, "d_fake", "What D says of generated images", "mean D(G(z))"),
              (steps, "g_loss", "The generator's own loss", "loss"),
              (curves, "fid_quick", "Sample quality", "quick FID ↓")]
    panels = [p for p in panels if p[0].get(pair[0]) and p[1] in p[0][pair[0]][0]]
    fig, axes = plots.figure(1, len(panels))
    for ax, (frames, term, title, label) in zip(axes[0], panels):
        for model in pair:
            plots.seeds_and_mean(ax, frames.get(model, []), "images", term, model)
        ax.set(title=title, ylabel=label, xlabel="training images seen")
        plots.thousands(ax)
        ax.xaxis.set_major_locator(plots.matplotlib.ticker.MaxNLocator(3))
    axes[0][0].legend()
    losses = " against ".join(models.generator_loss(m).replace("_", "-") for m in pair)
    fig.suptitle(f"The benchmark's own runs: {losses} generator loss")
    return fig
