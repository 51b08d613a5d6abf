"""Gather the data of an output folder and draw every report figure, indexed in README.md."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import norm

from benchmarks import plots, store

MANIFOLD_DIR = Path("extras") / "runs" / "vae-dense" / "seed-0"  # the 2-d latent VAE
TEST_CLASS_SHARES = np.array([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]) / 10_000


def _histories(out: Path) -> dict:
    histories = {}
    for run_dir in store.iter_run_dirs(out):
        path = run_dir / "history.csv"
        if path.is_file() and path.stat().st_size:
            histories.setdefault(store.read_json(run_dir / "config.json")["model"], []).append(pd.read_csv(path))
    return histories


def _first_run(out: Path, model: str, need: str):
    for run_dir in sorted((Path(out) / "runs" / model).glob("seed-*")):
        if (run_dir / need).exists():
            return run_dir
    return None


def vae_figures(out: Path, folder: Path, data_dir=None) -> dict:
    """(g): the 2-d latent manifold and interpolations between test digits."""
    from benchmarks.harness import Run

    made = {}
    manifold_dir = Path(out) / MANIFOLD_DIR
    if (manifold_dir / "checkpoint" / "state.npz").is_file():
        model, n = Run.load_model(manifold_dir), 15
        q = norm.ppf(np.linspace(0.05, 0.95, n)).astype(np.float32)
        z = np.array([[x, y] for y in q[::-1] for x in q], np.float32)
        images = 1 / (1 + np.exp(-model.decode(z).numpy()))
        plots.save(plots.manifold(images, n, (float(q[0]), float(q[-1]))), folder, "vae-manifold")
        made["vae-manifold"] = "(g) decoded 15x15 grid over the latent plane of a 2-d-latent dense VAE"
    run_dir = _first_run(out, "vae-dense", "checkpoint/state.npz")
    if run_dir is not None:
        from benchmarks.data import load_mnist
        from benchmarks.pipeline import to_unit

        _, (x_test, _) = load_mnist(data_dir)
        model = Run.load_model(run_dir)
        mean, _ = model.encode(to_unit(x_test[:12]))
        mean = mean.numpy()
        t = np.linspace(0, 1, 10, dtype=np.float32)[:, None]
        z = np.concatenate([(1 - t) * mean[2 * i] + t * mean[2 * i + 1] for i in range(6)])
        rows = (1 / (1 + np.exp(-model.decode(z).numpy()))).reshape(6, 10, 28, 28)
        plots.save(plots.interpolations(rows), folder, "vae-interpolations")
        made["vae-interpolations"] = "(g) vae-dense: decoded straight lines between 6 pairs of encoded test digits"
    return made


def all_figures(out: Path, runs: pd.DataFrame, summary: pd.DataFrame, data_dir=None) -> dict:
    out = Path(out)
    folder = out / "figures"
    made = {}
    grids = {}
    for model in summary["model"]:
        run_dir = _first_run(out, model, "samples.npz")
        if run_dir is not None:
            grids[model] = store.load_npz(run_dir / "samples.npz")["images"][:36]
    if grids:
        plots.save(plots.sample_grids(grids), folder, "samples-final")
        made["samples-final"] = "(a) final samples of each model (first finished seed)"
    for model in summary["model"]:
        run_dir = _first_run(out, model, "samples")
        pngs = sorted((run_dir / "samples").glob("epoch-*.png")) if run_dir else []
        if pngs:
            picks = sorted({pngs[int(i)] for i in np.linspace(0, len(pngs) - 1, min(6, len(pngs)))})
            epochs = [int(p.stem.split("-")[1]) for p in picks]
            plots.save(plots.evolution(model, epochs, [plt.imread(p) for p in picks]), folder, f"evolution-{model}")
            made[f"evolution-{model}"] = f"(b) {model}: fixed-noise samples across epochs"
    histories = _histories(out)
    for family, terms in (("vae", ["loss", "reconstruction", "kl"]), ("gan", ["d_loss", "g_loss", "d_real", "d_fake"])):
        chosen = {m: h for m, h in histories.items() if m.startswith(family)}
        if chosen:
            title = "VAE: −ELBO and its terms (nats)" if family == "vae" else "GAN: losses, mean D(x) and mean D(G(z))"
            plots.save(plots.losses(chosen, terms, title), folder, f"losses-{family}")
            made[f"losses-{family}"] = f"(c) {family.upper()} training curves per epoch, band = seed range"
    if any("fid_quick" in f for frames in histories.values() for f in frames):
        plots.save(plots.fid_curves(histories), folder, "fid-curves")
        made["fid-curves"] = "(d) quick FID against epoch and against training seconds, band = seed range"
    if "fid_mean" in summary:
        plots.save(plots.fid_vs_time(summary, histories), folder, "fid-vs-time")
        made["fid-vs-time"] = "(e) final FID against training seconds, error bars = std over seeds"
    if "mode_hist_0_mean" in summary:
        plots.save(plots.mode_histograms(summary, TEST_CLASS_SHARES), folder, "modes")
        made["modes"] = "(f) predicted-digit shares of the samples against the true class shares"
    try:
        made.update(vae_figures(out, folder, data_dir))
    except Exception as err:  # a partial output folder: say so, draw the rest
        print(f"report: VAE figures skipped ({err})")
    if {f"{m}_mean" for m in ("precision", "recall", "density", "coverage")} <= set(summary):
        plots.save(plots.pr_planes(summary), folder, "precision-recall")
        made["precision-recall"] = "(h) precision/recall and density/coverage planes, mean ± std"
    lines = ["# Results index", "", "Tables: `summary.csv`, `summary.md`, `summary.tex`; "
             "throughput: `perf.md`; published numbers: `papers.md`; lecture checks: `lecture/`.", "",
             "Figures (each as PDF and PNG in `figures/`):", ""]
    lines += [f"- `figures/{name}.png`: {text}" for name, text in made.items()]
    lecture = out / "lecture" / "README.md"
    if lecture.is_file():
        lines += ["", "Lecture figures: see `lecture/README.md`."]
    store.write_text(out / "README.md", "\n".join(lines) + "\n")
    return made
