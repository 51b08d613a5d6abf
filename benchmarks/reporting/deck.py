"""The deck: results/slides.pdf, 16:9 pages in the order of the course, each also written as
slides/NN-name.png (1920 × 1080 at the default `slide_dpi`) for other slide software. No LaTeX
is needed: every page is a matplotlib figure (a title, the figure's PNG, and the takeaway
computed by `takeaways`)."""

from __future__ import annotations

import dataclasses
import datetime
import io
import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from PIL import Image

from benchmarks import files
from benchmarks.data.mnist import Dataset
from benchmarks.errors import Damaged
from benchmarks.reporting.figures import plots
from benchmarks.reporting.figures.plots import SLIDE
from benchmarks.reporting.figures.table import table_figure
from benchmarks.reporting.text import findings, tables
from benchmarks.reporting.text import takeaways as say
from benchmarks.reporting.text import takeaways_diffusion as sd
from benchmarks.reporting.text import takeaways_lecture as sl


@dataclasses.dataclass(frozen=True)
class Slide:
    name: str
    title: str
    image: Path | None = None  # a figure's PNG
    section: str = ""
    text: str | None = None  # the takeaway (or, without an image, the body)
    bullets: tuple = ()


# (section, figure name, where its PNG lives: "figures" or "lecture", title, takeaway)
COURSE: list[tuple[str, str, str, str, Callable]] = [
    ("VAE theory", "elbo-gap", "lecture", "The ELBO and its gap", sl.elbo_gap),
    ("VAE theory", "kl-contours", "lecture", "The Gaussian KL in closed form", sl.kl_contours),
    ("VAE theory", "gradient-variance", "lecture", "Reparameterization against the score function",
     sl.gradient_variance),
    ("VAE results", "losses-vae", "figures", "Training the VAEs", say.losses_vae),
    ("VAE results", "vae-reconstructions", "figures", "What the VAE keeps of a test image", say.vae_likelihood),
    ("VAE results", "vae-traversal", "figures", "One latent dimension at a time", say.traversal),
    ("VAE results", "vae-manifold", "figures", "A 2-d latent space, decoded", say.manifold),
    ("VAE results", "vae-interpolations", "figures", "Straight lines in latent space", say.vae_samples),
    ("GAN losses", "generator-loss", "lecture", "Why the minimax generator loss saturates", sl.generator_loss),
    ("GAN losses", "losses-gan", "figures", "Training the GANs", say.losses_gan),
    ("GAN losses", "gan-minimax-runs", "lecture", "Saturation in the benchmark's own runs", say.saturation),
    ("Dense against conv", "conv-transpose", "lecture", "Conv2DTranspose: the adjoint of Conv2D", sl.conv_transpose),
    ("Dense against conv", "samples-final", "figures", "Samples of every model beside real data", say.samples),
    *[("Dense against conv", f"evolution-{m}", "figures", f"Evolution of {m}",
       lambda f, m=m: say.evolution(f, m)) for m in ("gan-dense", "gan-dense-minimax", "gan-conv", "vae-dense",
                                                     "vae-conv")],
    ("Dense against conv", "gan-interpolation", "figures", "Straight lines in the GAN's z", say.gan_interpolation),
    ("Diffusion theory", "forward-process", "lecture", "The forward process in closed form", sd.forward_process),
    ("Diffusion theory", "elbo-weights", "lecture", "The DDPM loss is a weighted ELBO", sd.elbo_weights),
    ("Diffusion theory", "parameterizations", "lecture", "x₀, ε, score, velocity: one prediction",
     sd.parameterizations),
    ("Diffusion theory", "flow-matching-regression", "lecture", "Flow matching learns the marginal velocity",
     sd.flow_matching),
    ("Diffusion results", "losses-diffusion", "figures", "Training the diffusion models", sd.losses),
    ("Diffusion results", "denoising-trajectories", "lecture", "From noise to a sample", sd.trajectories),
    *[("Diffusion results", f"evolution-{m}", "figures", f"Evolution of {m}", lambda f, m=m: say.evolution(f, m))
      for m in ("diffusion", "flow-matching")],
    ("The comparison", "fid-vs-time", "figures", "Sample quality against training time", say.fid_vs_time),
    ("The comparison", "fid-curves", "figures", "Sample quality against images seen", say.equal_images),
    ("The comparison", "fid-vs-steps", "figures", "What a sample costs", sd.fid_vs_steps),
    ("The comparison", "precision-recall", "figures", "Fidelity and diversity", say.precision_recall),
    ("The comparison", "modes", "figures", "Which classes each model generates", say.modes),
    ("The comparison", "nearest", "figures", "Do the models copy their training images?", say.nearest),
]


# early against converged (OUT/long/, read by `report`): (figure name, title, the fact its takeaway is)
CONVERGED = [("early-vs-converged-table", "Early against converged", "stopped"),
             ("early-vs-converged", "Trained to convergence, against time", "ranking")]

# the published numbers (OUT/paper/, written by `reproduce`): (figure name, title, takeaway of table.csv)
PAPERS = [("curves", "Burda et al.'s VAE, reproduced", say.burda),
          ("samples", "What a Parzen estimate rewards", say.parzen)]


def slides(out: Path, facts: say.Facts, title: str, subtitle: str, table_png: Path | None,
           caveats: list, paper: pd.DataFrame | None = None) -> list[Slide]:
    """Every slide whose figure exists, in the course's order: the title, the sections, the
    comparison table after the comparison's first figure is introduced, the published numbers
    (given OUT/paper/table.csv as `paper`), and the caveats last."""
    out = Path(out)
    deck = [Slide("title", title, text=subtitle)]
    for section, name, where, heading, takeaway in COURSE:
        png = out / where / f"{name}.png"
        if section == "The comparison" and table_png is not None and not any(s.name == "table" for s in deck):
            deck.append(Slide("table", "The comparison table", table_png, section=section, text=say.table(facts)))
        if png.is_file():
            deck.append(Slide(name, heading, png, section=section, text=takeaway(facts)))
    for name, heading, fact in CONVERGED:
        png, text = out / "figures" / f"{name}.png", facts.figures.get("early-vs-converged", {}).get(fact)
        if png.is_file() and text:
            deck.append(Slide(name, heading, png, section="Trained to convergence", text=text))
    for name, heading, takeaway in PAPERS if paper is not None else ():
        png = out / "paper" / f"{name}.png"
        if png.is_file():
            deck.append(Slide(f"paper-{name}", heading, png, section="Published numbers", text=takeaway(paper)))
    pages = bullet_pages([c.replace("`", "") for c in caveats])
    for i, page in enumerate(pages, 1):
        several = len(pages) > 1
        deck.append(Slide(f"limits-{i}" if several else "limits",
                          "What the numbers do not show" + (f" ({i} of {len(pages)})" if several else ""),
                          bullets=tuple(page), section="Limits"))
    return deck


BULLET_LINES = 18  # lines of 17-pt bullets (at 1.35 line spacing) that fit between a slide's title and its foot


def _bullet(text: str) -> str:
    return textwrap.fill(text, 100, initial_indent="•  ", subsequent_indent="    ")


def bullet_pages(bullets: list) -> list[list]:
    """The bullets in order, split into pages of at most BULLET_LINES wrapped lines (a bullet
    is never split; one longer than a page gets a page of its own)."""
    pages, used = [[]], 0
    for b in bullets:
        lines = len(_bullet(b).splitlines())
        if pages[-1] and used + lines > BULLET_LINES:
            pages.append([])
            used = 0
        pages[-1].append(b)
        used += lines
    return pages if pages[-1] else []


def render(slide: Slide, number: int, dpi: int = plots.SLIDE_DPI) -> plt.Figure:
    """One 16:9 page: the title on top, the figure below it (resized for `dpi`), the takeaway at
    the foot."""
    fig = plt.figure(figsize=SLIDE)
    fig.set_layout_engine("none")  # a page is laid out by hand (the report's figures use constrained layout)
    fig.text(0.025, 0.965, slide.title, fontsize=28, weight="bold", va="top")
    fig.text(0.975, 0.965, slide.section, fontsize=16, ha="right", va="top", color="0.4")
    fig.text(0.985, 0.015, str(number), fontsize=14, ha="right", color="0.4")
    if slide.image is not None:
        ax = fig.add_axes((0.02, 0.125, 0.96, 0.78))
        ax.imshow(_fitted(slide.image, 0.78 * SLIDE[1] * dpi), interpolation="antialiased")
        ax.axis("off")
        if slide.text:
            fig.text(0.5, 0.065, textwrap.fill(slide.text, 105), fontsize=17, ha="center", va="center")
    elif slide.bullets:
        body = "\n".join(_bullet(b) for b in slide.bullets)
        fig.text(0.05, 0.84, body, fontsize=17, va="top", linespacing=1.35)
    elif slide.text:
        fig.text(0.05, 0.6, textwrap.fill(slide.text, 70), fontsize=24, va="top", linespacing=1.5)
    return fig


def _fitted(png: Path, height: float):
    """A figure's PNG resized (Lanczos) to the pixels it fills on a page: a smaller PDF, and
    faster to write than the figure's own PNG."""
    with Image.open(png) as image:
        image = image.convert("RGB")
        scale = min(1.0, height / image.height)
        return np.asarray(image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS))


def write(out: Path, deck: list[Slide], dpi: int = plots.SLIDE_DPI) -> list[Path]:
    """OUT/slides.pdf and OUT/slides/NN-name.png (`dpi` dots per inch), each written atomically;
    returns the PNGs."""
    out, pdf, pngs = Path(out), io.BytesIO(), []
    stale = set((out / "slides").glob("*.png")) if (out / "slides").is_dir() else set()
    with PdfPages(pdf) as pages:
        for i, slide in enumerate(deck, 1):
            fig = render(slide, i, dpi)
            pages.savefig(fig, dpi=dpi)  # a figure's PNG at the pixels it fills, not resampled to savefig.dpi
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=dpi)
            plt.close(fig)
            path = out / "slides" / f"{i:02d}-{slide.name}.png"
            files.atomic_write_bytes(path, png.getvalue())
            pngs.append(path)
    files.atomic_write_bytes(out / "slides.pdf", pdf.getvalue())
    for old in stale - set(pngs):  # pages of an earlier deck that this one no longer has
        old.unlink(missing_ok=True)
    return pngs


SLIDE_COLUMNS = {"fid": ("FID", False, 1), "fid_quick_at_epoch": ("Quick FID\nafter 1 epoch", False, 0),
                 "precision": ("Precision", True, 2), "recall": ("Recall", True, 2),
                 "modes_confident": ("Digits\np ≥ 0.9", True, 1), "test_elbo": ("Test\nELBO", True, 1),
                 "train_seconds": ("Train s", None, 0)}


def lecture_facts(out: Path, problems: list) -> tuple:
    """The lecture checks' table and numbers (OUT/lecture/checks.csv, numbers.json), or
    (None, {}) where the lecture has not run; a damaged file is a line in `problems`."""
    folder, fix = Path(out) / "lecture", "re-run `python -m benchmarks lecture`"
    try:
        table = files.read_csv(folder / "checks.csv", fix, ("check", "quantity", "residual"))
        numbers = files.read_json(folder / "numbers.json", fix) if (folder / "numbers.json").is_file() else {}
        return table, numbers
    except Damaged as err:
        problems.append(str(err))
        return None, {}


def paper_table(out: Path, problems: list) -> pd.DataFrame | None:
    """OUT/paper/table.csv (`reproduce`'s), or None where there is none; damaged, a line in `problems`."""
    try:
        return files.read_csv(Path(out) / "paper" / "table.csv", "re-run `python -m benchmarks reproduce`",
                              ("comparison", "model", "source", "value", "se", "protocol"))
    except Damaged as err:
        problems.append(str(err))
        return None


def build(out: Path, summary: pd.DataFrame, loaded, facts: dict, spec: Dataset, machine: str, problems: list) -> list:
    """OUT/slides.pdf and slides/*.png (at the runs' `slide_dpi`) from the report's figures,
    tables and the lecture."""
    out = Path(out)
    means = summary.drop(columns=[c for c in summary if c.endswith("_std")])  # the spread is in summary.md
    shown = tables.formatted(means, tables.named(SLIDE_COLUMNS, spec)).drop(columns=["Seeds"])
    plots.save(table_figure(shown, f"Mean over seeds on {spec.title} (± std in summary.md); bold: the best"),
               out / "figures", "table")
    lecture, numbers = lecture_facts(out, problems)
    known = say.Facts(summary, loaded.frames("steps"), lecture, numbers, facts, spec.noun, len(spec.classes))
    suites = sorted({r.config["suite"] for r in loaded.runs})
    seeds = sorted({r.seed for r in loaded.runs})
    subtitle = (f"Suite {', '.join(suites)}: {len(loaded.models())} models × {len(seeds)} seeds, trained, scored "
                f"and reported by genbench ({findings.made_by([r.config for r in loaded.runs])}).\n\nMachine: "
                f"{machine}.\n\n{datetime.date.today():%d %B %Y}")
    deck = slides(out, known, f"VAEs, GANs and diffusion on {spec.title}", subtitle, out / "figures" / "table.png",
                  findings.caveats(summary, machine, spec), paper_table(out, problems))
    return write(out, deck, plots.resolutions([r.config for r in loaded.runs])[1])
