"""Draw every report figure from the runs' records, indexed in README.md. (The drawing is in
`plots` and `pictures`; this module picks from the records what to draw, and
`model_figures` the figures that need a trained model.) Each figure function returns
{name: description} of what it drew; damaged files met on the way become lines in `problems`."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import models
from benchmarks import files, runs
from benchmarks.data.mnist import MNIST, Dataset
from benchmarks.errors import Damaged, UserError
from benchmarks.records import Loaded
from benchmarks.reporting.figures import model_figures, pictures, plots, sampling_cost
from benchmarks.reporting.text import findings

LOSS_TERMS = {"vae": ["loss", "reconstruction", "kl"], "gan": ["d_loss", "g_loss", "d_real", "d_fake"]}
LOSS_TITLES = {"vae": "VAE training: the negative ELBO and its two terms",
               "gan": "GAN training: both losses, and what D says of real and generated images"}


def mode_shares(summary: pd.DataFrame, folder: Path, data, spec: Dataset) -> dict:
    """(f) predicted-class shares against the test set's class shares."""
    from benchmarks.data.mnist import class_shares

    if "mode_hist_0_mean" not in summary:
        return {}
    plots.save(plots.mode_histograms(summary, class_shares(data.y_test), spec.classes, spec.noun), folder, "modes")
    return {"modes": f"(f) predicted-{spec.noun} shares of the samples against the true class shares"}


def sample_figures(loaded: Loaded, summary: pd.DataFrame, folder: Path, data, spec: Dataset, problems: list,
                   facts: dict) -> dict:
    """(a) final samples of every model beside real held-out images, and (b) each model's
    fixed-z samples at its evaluation points, as a strip and as an animated GIF."""
    made, grids = {}, {}
    for model in summary["model"]:
        record = loaded.first(model, runs.SAMPLES)
        try:
            if record is not None:
                grids[model] = record.samples()[:36]
        except Damaged as err:  # drawn without this model; the command ends with status 2
            problems.append(str(err))
    if grids:
        plots.save(pictures.sample_grids(grids, data.real[:36], spec.noun), folder, "samples-final")
        made["samples-final"] = f"(a) final samples of each model (first finished seed) beside real {spec.noun}s"
    for model in plots.ordered(loaded.models()):
        record = loaded.first(model, runs.FRAMES) or loaded.first(model, "samples")
        frames = _frames(record, problems) if record else []
        if frames:
            facts[f"evolution-{model}"] = {"first": frames[0][1], "last": frames[-1][1], "images": frames[-1][0]}
            plots.save(pictures.evolution(model, frames), folder, f"evolution-{model}")
            files.atomic_write_bytes(folder / f"evolution-{model}.gif", pictures.evolution_gif(frames))
            made[f"evolution-{model}"] = (f"(b) {model}: the same z at every evaluation point, by images seen and "
                                          f"quick FID (and `evolution-{model}.gif`, animated)")
    return made


def _frames(record, problems: list) -> list:
    """(images seen, quick FID or NaN, picture) of each readable frame of a run, in order: its
    evaluation points' frames, else (a suite without evaluation) its per-epoch sample grids."""
    fid = {}
    if record.curve is not None and "fid_quick" in record.curve:
        fid = dict(zip(record.curve["images"].astype(int), record.curve["fid_quick"]))
    pictures_at = record.frames()
    if not pictures_at and record.history is not None:  # epoch k's grid, at the images seen by its end
        seen = dict(zip(record.history["epoch"].astype(int), record.history["images"].cumsum().astype(int)))
        pictures_at = {seen[e]: p for e, p in record.grids().items() if e in seen}
    out = []
    for images, path in pictures_at.items():
        picture = _read_png(path, problems)
        if picture is not None:
            out.append((images, float(fid.get(images, np.nan)), picture))
    return out


def _read_png(path: Path, problems: list):
    """A sample grid's picture, or None (its line added to `problems`) if it cannot be read."""
    try:
        return plt.imread(path)
    except (OSError, ValueError, SyntaxError) as err:  # Pillow's and matplotlib's errors for a bad PNG
        problems.append(str(Damaged(path, f"is damaged ({type(err).__name__})", "delete it: the figure shows the "
                                    "other frames")))
        return None


def curve_figures(loaded: Loaded, summary: pd.DataFrame, folder: Path) -> dict:
    """(c) training curves per family, (d) quick-FID curves and (e) FID against time."""
    made, steps = {}, loaded.frames("steps")
    for family, terms in LOSS_TERMS.items():
        chosen = {m: f for m, f in steps.items() if m in models.MODEL_NAMES and models.family(m) == family}
        if chosen:
            plots.save(plots.losses(chosen, terms, LOSS_TITLES[family]), folder, f"losses-{family}")
            made[f"losses-{family}"] = (f"(c) {family.upper()} training curves against images seen, several points "
                                        "per epoch (thin: each seed; thick: their mean)")
    curves = loaded.frames("curve")
    t = summary.get("equal_time_seconds_mean", pd.Series(dtype=float)).max()
    if any("fid_quick" in f for frames in curves.values() for f in frames):
        plots.save(plots.fid_curves(curves), folder, "fid-curves")
        made["fid-curves"] = "(d) quick FID against training images seen, band = seed range"
        plots.save(plots.fid_vs_time(summary, curves, t), folder, "fid-vs-time")
        made["fid-vs-time"] = ("(e) every model on one axis: quick FID against training seconds on this machine "
                               "(band = seed range), final FID (markers, ± std), the equal time T and the floor")
    return made


class Data:
    """The dataset's images the figures show, loaded on first use."""

    def __init__(self, data_dir, spec: Dataset):
        self.data_dir, self.spec, self._arrays = data_dir, spec, None

    def _load(self):
        if self._arrays is None:
            from benchmarks.data.mnist import FIT, VALIDATION, load_mnist
            from benchmarks.data.pipeline import to_unit

            (x_train, _), (x_test, y_test) = load_mnist(self.data_dir, self.spec)
            self._arrays = {"train": to_unit(x_train[FIT]), "real": to_unit(x_train[VALIDATION][:100]),
                            "test": to_unit(x_test[:100]), "y_test": y_test}
        return self._arrays

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._load()[name]


def all_figures(out: Path, loaded: Loaded, extras: Loaded, summary: pd.DataFrame, data_dir=None,
                machine: str = "an unrecorded machine", spec: Dataset = MNIST,
                also: dict | None = None) -> tuple[dict, dict, list[str]]:
    """Every figure into OUT/figures and the index OUT/README.md (listing too the figures `also`
    names, drawn elsewhere): ({name: description}, the figures' facts for the takeaways, the
    lines of the damaged files met on the way; the figures are drawn without them)."""
    out, problems, data, facts = Path(out), [], Data(data_dir, spec), {}
    folder = out / "figures"
    made = {}
    for name, draw in (("samples", lambda: sample_figures(loaded, summary, folder, data, spec, problems, facts)),
                       ("curves", lambda: curve_figures(loaded, summary, folder)),
                       ("sampling", lambda: sampling_cost.figures(loaded, summary, folder, problems, facts)),
                       ("modes", lambda: mode_shares(summary, folder, data, spec)),
                       ("model", lambda: model_figures.draw(loaded, extras, folder, data, spec, facts))):
        try:
            made.update(draw())
        except Damaged as err:  # a checkpoint cannot be read: say so, draw the rest, end with status 2
            problems.append(str(err))
        except UserError as err:  # the data cannot be read: say so, draw the rest
            print(f"report: {name} figures skipped ({err})")
    if {f"{m}_mean" for m in ("precision", "recall", "density", "coverage")} <= set(summary):
        plots.save(plots.pr_planes(summary), folder, "precision-recall")
        made["precision-recall"] = "(h) precision/recall and density/coverage planes, mean ± std"
    made.update(also or {})
    write_index(out, made, findings.reading(summary), findings.caveats(summary, machine, spec), spec,
                findings.made_by([r.config for r in loaded.runs]))
    return made, facts, problems


# The files beside the tables that the index names where they are: (name, what it holds)
INDEXED = (("curves.csv", "every run's quick-FID curve"), ("early-vs-converged.md", "early against converged"),
           ("perf.md", "throughput"), ("papers.md", "published numbers"), ("lecture/", "lecture checks"))


def write_index(out: Path, made: dict, reading: str = "", caveats: tuple = (), spec: Dataset = MNIST,
                made_by: str = "") -> None:
    """results/README.md: what the tables say, what they do not, and the index of every file."""
    lines = [f"# Results on {spec.title}", "", *([f"Made by genbench: {made_by}.", ""] if made_by else [])]
    if reading:
        lines += ["## What the table shows", "", reading, ""]
    if caveats:
        lines += ["## What it does not show", "", *[f"- {c}" for c in caveats], ""]
    found = [f"{what}: `{name}`" for name, what in INDEXED if (out / name).exists()]
    lines += ["## Index", "", "; ".join(["Tables: `summary.csv`, `summary.md`, `summary.tex`", *found,
                                         "the deck: `slides.pdf`, each page also as `slides/NN-name.png`"]) + ".",
              "", "Figures (each as PDF and PNG in `figures/`):", ""]
    lines += [f"- `figures/{name}.png`: {text}" for name, text in made.items()]
    if (out / "lecture" / "README.md").is_file():
        lines += ["", "Lecture figures: see `lecture/README.md`."]
    files.write_text(out / "README.md", "\n".join(lines) + "\n")
