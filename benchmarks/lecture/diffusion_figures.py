"""The diffusion lecture's figures: one per check of `diffusion_checks`, drawn from the data it
returns, and the denoising trajectories of the benchmark's own diffusion and flow-matching runs."""

from __future__ import annotations

import numpy as np

from benchmarks.reporting.figures import plots

TRAJECTORY_COLUMNS = 8  # states shown per trajectory, x_T first and x_0 last


def fig_forward(d):
    fig, axes = plots.figure(1, 2, sharex=True)
    t = np.arange(1, len(d["alpha_bars"]) + 1)
    for i, x0 in enumerate(d["x0s"]):
        colour = f"C{i}"
        axes[0][0].plot(t, np.sqrt(d["alpha_bars"]) * x0, color=colour, lw=2.5, label=f"x₀ = {x0:g}")
        axes[0][0].plot(d["t"], d["mean"][:, i], "o", color=colour, ms=9)
        axes[0][1].plot(d["t"], d["var"][:, i], "o", color=colour, ms=9)
    axes[0][1].plot(t, 1.0 - d["alpha_bars"], color="0.2", lw=2.5, label="1 − ᾱ_t")
    axes[0][0].set(title="Mean: √ᾱ_t · x₀", xlabel="step t", ylabel="mean of x_t")
    axes[0][1].set(title="Variance: 1 − ᾱ_t", xlabel="step t", ylabel="variance of x_t")
    axes[0][0].legend()
    axes[0][1].legend(loc="lower right")
    fig.suptitle("t noising steps compose to q(x_t | x₀) in closed form (lines); dots: sampled chains")
    return fig


def fig_weights(d):
    fig, axes = plots.figure()
    ax = axes[0][0]
    ax.semilogy(d["t"], d["linear"], lw=3, color=plots.colour("diffusion"), label="λ_t, linear schedule (ours)")
    ax.semilogy(d["t"], d["cosine"], lw=3, ls="--", color=plots.colour("flow-matching"), label="λ_t, cosine schedule")
    ax.axhline(1.0, color="0.3", ls=":", lw=2.5, label="L_simple: weight 1 at every t")
    ax.set(xlabel="step t", ylabel="weight of ‖ε − ε̂‖² in the ELBO")
    ax.set_title("KL(q(x_{t−1}|x_t, x₀) ‖ p(x_{t−1}|x_t)) = λ_t ‖ε − ε̂‖²: L_simple drops λ_t")
    ax.legend()
    return fig


def fig_parameterizations(d):
    images = d["images"]
    fig, axes = plots.figure(2, 3)
    for ax, (title, image) in zip(axes.ravel(), images.items()):
        ax.imshow(image, cmap="gray")
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("One x_t, four targets: each a linear map of the others")
    return fig


def fig_flow_matching(d):
    panels = d["panels"]
    fig, axes = plots.figure(1, len(panels), sharey=True)
    for ax, p in zip(axes[0], panels):
        ax.plot(p["x"], p["target"], ".", color="0.6", ms=2, alpha=0.4, label="ε − x₀ (one pair each)")
        ax.plot(p["grid"], p["u"], color=plots.colour("flow-matching"), lw=3, label="marginal u(x, t), closed form")
        ax.plot(p["centres"], p["fitted"], "o", color=plots.colour("diffusion"), ms=6, label="least-squares fit (bins)")
        ax.set(title=f"t = {p['t']:g}", xlabel="x_t")
    axes[0][0].set_ylabel("velocity")
    axes[0][0].legend(loc="upper right", fontsize=12)
    fig.suptitle("Regressing the conditional velocity ε − x₀ recovers the marginal one (1-D Gaussian mixture)")
    return fig


def fig_trajectories(rows: dict):
    """rows: model -> (list of states, each (n, 28, 28, 1) in [0, 1]-scaled pixels, and the steps);
    each model's rows show x_T, a few states between, and x_0."""
    picks = {m: np.unique(np.linspace(0, len(states) - 1, TRAJECTORY_COLUMNS).round().astype(int))
             for m, (states, _) in rows.items()}
    n, cols = max(len(states[0]) for states, _ in rows.values()), max(len(p) for p in picks.values())
    fig, axes = plots.figure(len(rows) * n, cols)
    for ax in axes.ravel():
        ax.set_axis_off()
    for block, (model, (states, steps)) in enumerate(rows.items()):
        for col, k in enumerate(picks[model]):
            for row in range(len(states[0])):
                ax = axes[block * n + row][col]
                ax.imshow(np.clip(states[k][row, :, :, 0], 0, 1), cmap="gray", vmin=0, vmax=1)
                if row == 0:
                    ax.set_title("x_T" if k == 0 else ("x₀" if k == len(states) - 1 else f"after {k}"), fontsize=14)
        axes[block * n][0].text(-0.15, 0.5, f"{model}\n{steps} steps", transform=axes[block * n][0].transAxes,
                                ha="right", va="top", fontsize=14)
    fig.suptitle("Denoising, from noise x_T to a sample x₀: the same noise for both models")
    return fig
