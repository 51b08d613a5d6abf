"""Draw every report figure from the runs' records, indexed in README.md. (The drawing itself
is in `plots`; this module only picks from the records what to draw.) Each figure function
returns {name: description} of what it drew and the lines of the problems it met."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import norm

import models
from benchmarks import files, runs
from benchmarks.data.mnist import MNIST, Dataset
from benchmarks.errors import Damaged, UserError
from benchmarks.records import Loaded
from benchmarks.reporting import plots, tables

LOSS_TERMS = {"vae": ["loss", "reconstruction", "kl"], "gan": ["d_loss", "g_loss", "d_real", "d_fake"]}
LOSS_TITLES = {"vae": "VAE: −ELBO and its terms (nats)", "gan": "GAN: losses, mean D(x) and mean D(G(z))"}


def vae_manifold(extras: Loaded, folder: Path) -> dict:
    """(g) the decoded latent plane of the 2-d-latent VAE (the records of OUT/extras)."""
    record = next((r for r in extras.runs if r.has(runs.CHECKPOINT)), None)
    if record is None:
        return {}
    model, n = record.model_weights(), 15
    q = norm.ppf(np.linspace(0.05, 0.95, n)).astype(np.float32)
    z = np.array([[x, y] for y in q[::-1] for x in q], np.float32)
    plots.save(plots.manifold(model.generate(z).numpy(), n, (float(q[0]), float(q[-1]))), folder, "vae-manifold")
    return {"vae-manifold": "(g) decoded 15x15 grid over the latent plane of a 2-d-latent dense VAE"}


def vae_interpolations(loaded: Loaded, folder: Path, data_dir=None, spec: Dataset = MNIST) -> dict:
    """(g) decoded straight lines between pairs of encoded test images."""
    from benchmarks.data.mnist import load_mnist
    from benchmarks.data.pipeline import to_unit

    record = loaded.first("vae-dense", runs.CHECKPOINT)
    if record is None:
        return {}
    _, (x_test, _) = load_mnist(data_dir, spec)
    model = record.model_weights()
    mean = model.encode(to_unit(x_test[:12]))[0].numpy()
    t = np.linspace(0, 1, 10, dtype=np.float32)[:, None]
    z = np.concatenate([(1 - t) * mean[2 * i] + t * mean[2 * i + 1] for i in range(6)])
    plots.save(plots.interpolations(model.generate(z).numpy().reshape(6, 10, 28, 28), spec.noun), folder,
               "vae-interpolations")
    return {"vae-interpolations": f"(g) vae-dense: decoded straight lines between 6 pairs of encoded test {spec.noun}s"}


def mode_shares(summary: pd.DataFrame, folder: Path, data_dir=None, spec: Dataset = MNIST) -> dict:
    """(f) predicted-class shares against the test set's class shares."""
    from benchmarks.data.mnist import class_shares, load_mnist

    if "mode_hist_0_mean" not in summary:
        return {}
    _, (_, y_test) = load_mnist(data_dir, spec)
    plots.save(plots.mode_histograms(summary, class_shares(y_test), spec.classes, spec.noun), folder, "modes")
    return {"modes": f"(f) predicted-{spec.noun} shares of the samples against the true class shares"}


def sample_figures(loaded: Loaded, summary: pd.DataFrame, folder: Path, problems: list) -> dict:
    """(a) final samples of every model and (b) each model's fixed-noise grids over epochs."""
    made, grids = {}, {}
    for model in summary["model"]:
        record = loaded.first(model, runs.SAMPLES)
        try:
            if record is not None:
                grids[model] = record.samples()[:36]
        except Damaged as err:  # drawn without this model; the command ends with status 2
            problems.append(str(err))
    if grids:
        plots.save(plots.sample_grids(grids), folder, "samples-final")
        made["samples-final"] = "(a) final samples of each model (first finished seed)"
    for model in summary["model"]:
        record = loaded.first(model, "samples")
        pngs = record.grids() if record else {}
        if pngs:
            epochs = list(pngs)
            picks = sorted({epochs[int(i)] for i in np.linspace(0, len(epochs) - 1, min(6, len(epochs)))})
            images = {epoch: _read_png(pngs[epoch], problems) for epoch in picks}
            images = {epoch: image for epoch, image in images.items() if image is not None}
            if images:
                plots.save(plots.evolution(model, list(images), list(images.values())), folder, f"evolution-{model}")
                made[f"evolution-{model}"] = f"(b) {model}: fixed-noise samples across epochs"
    return made


def _read_png(path: Path, problems: list):
    """A per-epoch sample grid, or None (its line added to `problems`) if it cannot be read."""
    try:
        return plt.imread(path)
    except (OSError, ValueError, SyntaxError) as err:  # Pillow's and matplotlib's errors for a bad PNG
        problems.append(str(Damaged(path, f"is damaged ({type(err).__name__})", "delete it: the figure shows the "
                                    "other epochs")))
        return None


def curve_figures(loaded: Loaded, summary: pd.DataFrame, folder: Path) -> dict:
    """(c) training losses per family, (d) quick-FID curves and (e) FID against time."""
    made, histories = {}, loaded.frames("history")
    for family, terms in LOSS_TERMS.items():
        chosen = {m: h for m, h in histories.items() if m in models.MODEL_NAMES and models.family(m) == family}
        if chosen:
            plots.save(plots.losses(chosen, terms, LOSS_TITLES[family]), folder, f"losses-{family}")
            made[f"losses-{family}"] = f"(c) {family.upper()} training curves per epoch, band = seed range"
    curves = loaded.frames("curve")
    t = summary.get("equal_time_seconds_mean", pd.Series(dtype=float)).max()
    if any("fid_quick" in f for frames in curves.values() for f in frames):
        plots.save(plots.fid_curves(curves), folder, "fid-curves")
        made["fid-curves"] = "(d) quick FID against epochs and against images seen, band = seed range"
        plots.save(plots.fid_vs_time(summary, curves, t), folder, "fid-vs-time")
        made["fid-vs-time"] = ("(e) every model on one axis: quick FID against training seconds on this machine "
                               "(band = seed range), final FID (markers, ± std), and the equal time T")
    return made


def all_figures(out: Path, loaded: Loaded, extras: Loaded, summary: pd.DataFrame, data_dir=None,
                machine: str = "an unrecorded machine", spec: Dataset = MNIST) -> list[str]:
    """Every figure into OUT/figures and the index OUT/README.md; returns the lines of the
    damaged files met on the way (the figures are drawn without them)."""
    out, problems = Path(out), []
    folder = out / "figures"
    made = {**sample_figures(loaded, summary, folder, problems), **curve_figures(loaded, summary, folder)}
    for name, draw in (("modes", lambda: mode_shares(summary, folder, data_dir, spec)),
                       ("VAE manifold", lambda: vae_manifold(extras, folder)),
                       ("VAE interpolations", lambda: vae_interpolations(loaded, folder, data_dir, spec))):
        try:
            made.update(draw())
        except Damaged as err:  # a checkpoint cannot be read: say so, draw the rest, end with status 2
            problems.append(str(err))
        except UserError as err:  # the data cannot be read: say so, draw the rest
            print(f"report: {name} figure skipped ({err})")
    if {f"{m}_mean" for m in ("precision", "recall", "density", "coverage")} <= set(summary):
        plots.save(plots.pr_planes(summary), folder, "precision-recall")
        made["precision-recall"] = "(h) precision/recall and density/coverage planes, mean ± std"
    write_index(out, made, tables.reading(summary), tables.caveats(summary, machine, spec), spec)
    return problems


def write_index(out: Path, made: dict, reading: str = "", caveats: tuple = (), spec: Dataset = MNIST) -> None:
    """results/README.md: what the tables say, what they do not, and the index of every file."""
    lines = [f"# Results on {spec.title}", ""]
    if reading:
        lines += ["## What the table shows", "", reading, ""]
    if caveats:
        lines += ["## What it does not show", "", *[f"- {c}" for c in caveats], ""]
    lines += ["## Index", "", "Tables: `summary.csv`, `summary.md`, `summary.tex`; "
              "throughput: `perf.md`; published numbers: `papers.md`; lecture checks: `lecture/`.", "",
              "Figures (each as PDF and PNG in `figures/`):", ""]
    lines += [f"- `figures/{name}.png`: {text}" for name, text in made.items()]
    if (out / "lecture" / "README.md").is_file():
        lines += ["", "Lecture figures: see `lecture/README.md`."]
    files.write_text(out / "README.md", "\n".join(lines) + "\n")
