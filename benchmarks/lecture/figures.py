"""The lecture figures: one per check, drawn from the data the check returns, plus the
benchmark's own GAN runs with and without the saturating generator loss."""

from __future__ import annotations

import models
from benchmarks.lecture import checks
from benchmarks.reporting import plots


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
    fig, axes = plots.figure(1, 4, layout="compressed")
    panels = (("kernel", "kernel K\n(3×3)"), ("conv", "Conv2D\nof one pixel"),
              ("transpose", "Conv2DTranspose\nstride 2, 5×5 → 10×10"),
              ("overlap", "ConvT of all ones:\nuneven overlap"))
    for ax, (key, title) in zip(axes[0], panels):
        ax.imshow(d[key], cmap="viridis")
        ax.set_title(title, fontsize=14)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Conv2D gathers (kernel flipped); Conv2DTranspose scatters (kernel stamped)")
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


def fig_runs(histories: dict, curves: dict):
    """Each GAN against its generator-loss variant (models.loss_variants), from the benchmark
    runs' histories and curves (model -> tables, one per seed), if both were trained; None
    otherwise."""
    pair = next(((base, variant) for base, variant in models.loss_variants()
                 if base in histories and variant in histories), None)
    if pair is None:
        return None
    panels = [(histories, "d_fake", "mean D(G(z))"), (histories, "g_loss", "generator loss"),
              (curves, "fid_quick", "quick FID ↓")]
    panels = [p for p in panels if p[0].get(pair[0]) and p[1] in p[0][pair[0]][0]]
    fig, axes = plots.figure(1, len(panels))
    for ax, (frames, term, title) in zip(axes[0], panels):
        for model in pair:
            plots.band(ax, frames.get(model, []), "epoch", term, model)
        ax.set_title(title)
        ax.set_xlabel("epoch")
    axes[0][0].legend()
    losses = " against ".join(models.generator_loss(m).replace("_", "-") for m in pair)
    fig.suptitle(f"Benchmark runs: {losses} generator loss")
    return fig
