"""`python -m benchmarks lecture`: run every check, write checks.md and the figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks import lecture_checks as checks
from benchmarks import plots, store


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


def fig_runs(runs_dir: Path):
    """gan-dense against gan-dense-minimax from the benchmark runs, if they exist."""
    frames = {}
    for model in ("gan-dense", "gan-dense-minimax"):
        paths = sorted((runs_dir / "runs" / model).glob("seed-*/history.csv"))
        if paths:
            frames[model] = [pd.read_csv(p) for p in paths]
    if len(frames) < 2:
        return None
    terms = [t for t in ("d_fake", "g_loss", "fid_quick") if t in frames["gan-dense"][0]]
    fig, axes = plots.figure(1, len(terms))
    for ax, term in zip(axes[0], terms):
        for model, fs in frames.items():
            plots.band(ax, fs, "epoch", term, model)
        ax.set_title({"d_fake": "mean D(G(z))", "g_loss": "generator loss", "fid_quick": "FID (2k) ↓"}[term])
        ax.set_xlabel("epoch")
    axes[0][0].legend()
    fig.suptitle("Benchmark runs: non-saturating against minimax generator loss")
    return fig


def run_all(out: Path, runs: Path | None = None, fast: bool = False) -> pd.DataFrame:
    """Every check and figure; `fast` shrinks the Monte Carlo sizes (for the tests)."""
    out = Path(out)
    mc = {"mc_samples": 20_000} if fast else {}
    elbo_rows, elbo = checks.elbo_identities(**mc)
    kl_rows, kl = checks.kl_formula(**({"mc_samples": 5_000} if fast else {}))
    rep_rows, rep = checks.reparameterization(**({"n_mean": 40_000, "sizes": (10, 100), "reps": 50} if fast else {}))
    conv_rows, conv = checks.conv_adjoint()
    gen_rows, gen = checks.generator_gradients()
    table = pd.DataFrame(elbo_rows + kl_rows + rep_rows + conv_rows + gen_rows)
    figures = {"elbo-gap": (fig_elbo(elbo), "log p(x), the ELBO and their gap as q's mean moves"),
               "kl-contours": (fig_kl(kl), "contours of the Gaussian KL over (μ, σ)"),
               "gradient-variance": (fig_variance(rep), "reparameterization vs score-function variance against N"),
               "conv-transpose": (fig_conv(conv), "what Conv2D and Conv2DTranspose do to a single pixel"),
               "generator-loss": (fig_generator_loss(gen), "gradient of the saturating and non-saturating losses")}
    run_fig = fig_runs(Path(runs)) if runs is not None else None
    if run_fig is not None:
        figures["gan-minimax-runs"] = (run_fig, "gan-dense vs gan-dense-minimax training curves")
    for name, (fig, _) in figures.items():
        plots.save(fig, out, name)
    shown = table.assign(quantity=table["quantity"].str.replace("|", r"\|", regex=False),
                         residual=table["residual"].map(lambda v: f"{v:.3g}"),
                         tolerance=table["tolerance"].map(lambda v: f"{v:.3g}"),
                         **{"pass": table["pass"].map({True: "yes", False: "**NO**"})})
    index = ["## Figures (PDF and PNG)", ""] + [f"- `{name}.png`: {desc}" for name, (_, desc) in figures.items()]
    text = ["# Lecture checks", "", f"{int(table['pass'].sum())}/{len(table)} checks pass. "
            "Command: `python -m benchmarks lecture`.", "", shown.to_markdown(index=False), "", *index]
    store.write_text(out / "checks.md", "\n".join(text) + "\n")
    store.write_text(out / "README.md", "\n".join(index) + "\n")
    return table


def main(args) -> int:
    out = Path(args.out) if args.out else Path("results") / "lecture"
    table = run_all(out, Path(args.runs))
    print((out / "checks.md").read_text())
    return 0 if table["pass"].all() else 1
