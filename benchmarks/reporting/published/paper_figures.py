"""results/paper/'s figures: the learning curves and the samples (`paper.write_paper`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.images import tile
from benchmarks.reporting.figures import plots
from benchmarks.reporting.published import earlier
from benchmarks.reporting.published.numbers import VAE as BURDA_VAE
from benchmarks.reporting.published.parzen import BLUR_PIXELS
from models.registry import BURDA_STAGES

BLUR_SHOWN = max(BLUR_PIXELS)  # the blur of gan-goodfellow's samples that samples.png shows beside them
BLURRED = f"gan-goodfellow, {BLUR_SHOWN} px blur"


def figures(out: Path, vae: dict, gan: dict, draws_images: np.ndarray, own: dict | None = None,
            parzen: dict | None = None) -> None:
    """curves.png/pdf: vae-burda's test bounds against passes (on the full schedule beside the
    366-pass run), the final k = 5000 bound and the paper's; the GANs' quick FID against epochs.
    samples.png/pdf: vae-burda's means, its binary draws, the conv GAN's samples and, where the
    suite trained it, gan-goodfellow's, plain and blurred by BLUR_SHOWN pixels; `parzen`: panel
    title -> the Parzen estimate its title shows."""
    from benchmarks.scoring.sample_quality import blurred

    fig, axes = plots.figure(1, 2)
    ax = axes[0][0]
    curve = vae["curve"]
    dense = len(curve) > 40  # hundreds of points (every 10 or 30 passes of 3,280): lines, no markers
    ax.plot(curve["epoch"], -curve["test_elbo"], "-" if dense else "o-", lw=2.5, label="−ELBO, test",
            color=plots.colour("vae-dense"))
    k_curve = vae["config"]["eval"]["curve_iwae_k"]
    ax.plot(curve["epoch"], -curve["iwae_bound"], "-" if dense else "s-", lw=2.5, label=f"−IWAE bound, k = {k_curve}",
            color=plots.colour("vae-conv"))
    if list(vae["config"]["hyperparameters"]["stages"]) == list(BURDA_STAGES):
        passes, _, iwae = zip(*earlier.CURVE)
        ax.plot(passes, iwae, ":", lw=2.5, color="grey", label=f"−IWAE bound, k = {k_curve}: the 366-pass run")
    m = vae["metrics"]
    ax.plot([m["epochs"]], [-m["iwae_bound"]], "*", ms=18, color="black",
            label=f"k = {m['iwae_k']}: {-m['iwae_bound']:.2f}")
    ax.axhline(BURDA_VAE.value, ls="--", color="grey", label=f"{BURDA_VAE.paper}: {BURDA_VAE.value}")
    for i, end in enumerate(np.cumsum(vae["config"]["hyperparameters"]["stages"])[:-1]):
        ax.axvline(end, color="grey", lw=1, alpha=0.6, label="a new learning-rate stage" if i == 0 else None)
    ax.set_xscale("symlog", linthresh=1)  # the untrained model at 0, then passes on a log scale
    ax.set_xlim(0, m["epochs"] * 1.6)  # room for the final star
    ax.set(xlabel="passes over the training images", ylabel="test NLL bound (nats)",
           title="vae-burda: test bound against passes")
    late = -curve["test_elbo"][curve["epoch"] >= 10]  # the untrained model's ~540 nats would hide the rest
    ax.set_ylim(min(BURDA_VAE.value, -m["iwae_bound"]) - 2, (late.max() if len(late) else BURDA_VAE.value) + 5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)  # under the axes
    ax = axes[0][1]
    for name, run in (("gan-conv", gan), ("gan-goodfellow", own)):
        if run is not None:
            ax.plot(run["curve"]["epoch"], run["curve"]["fid_quick"], "-" if len(run["curve"]) > 40 else "o-",
                    color=plots.colour(name), label=name)
    ax.set_xscale("symlog", linthresh=1)  # the untrained models at 0; 8 and 400 epochs on one axis
    ax.set(yscale="log", xlabel="epochs", ylabel="quick FID (1,000 samples)", title="the GANs: quick FID")
    ax.legend()
    plots.save(fig, out, "curves")
    panels = {"vae-burda: means": vae["samples"], "vae-burda: binary draws": draws_images, "gan-conv": gan["samples"]}
    if own is not None:
        panels |= {"gan-goodfellow": own["samples"], BLURRED: blurred(own["samples"][:64], BLUR_SHOWN)}
    fig, axes = plots.figure(1, len(panels))
    for ax, (title, images) in zip(axes[0], panels.items()):
        ax.imshow(tile(images[:64], 8), cmap="gray_r", vmin=0, vmax=1)
        score = (parzen or {}).get(title)
        shown = title.replace(": ", "\n").replace(", ", "\n") if ": " in title or ", " in title else f"{title}\nsamples"
        ax.set_title(shown if score is None else f"{shown}\nParzen {score:.1f}")
        ax.axis("off")
    plots.save(fig, out, "samples")
