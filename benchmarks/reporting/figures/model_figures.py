"""The figures that need a trained model or the training images: the VAE's latent manifold,
interpolations, reconstructions and latent traversal, the GAN's latent interpolation, and
samples beside their nearest training images. Each draws from the first seed of its model
that has a checkpoint (or samples), and is left out when there is none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.stats import norm

from benchmarks import runs
from benchmarks.data.mnist import Dataset
from benchmarks.records import Loaded
from benchmarks.reporting.figures import pictures, plots
from benchmarks.scoring.metrics import nearest_index

VAE, GANS = "vae-dense", ("gan-conv", "gan-dense")  # the models shown, the first GAN found
PAIRS = 8  # samples per model beside their nearest training images


def manifold(extras: Loaded, loaded: Loaded, folder: Path, facts: dict) -> dict:
    """(g) the decoded latent plane of the 2-d-latent VAE (the records of OUT/extras)."""
    record = next((r for r in extras.runs if r.has(runs.CHECKPOINT)), None)
    if record is None:
        return {}
    full = [r.history["loss"].iloc[-1] for r in loaded.of(VAE) if r.history is not None and len(r.history)]
    if record.history is not None and len(record.history) and full:
        facts["vae-manifold"] = {"loss": float(record.history["loss"].iloc[-1]), "loss_full": float(np.mean(full))}
    model, n = record.model_weights(), 15
    q = norm.ppf(np.linspace(0.05, 0.95, n)).astype(np.float32)
    z = np.array([[x, y] for y in q[::-1] for x in q], np.float32)
    plots.save(pictures.manifold(model.generate(z).numpy(), n, (float(q[0]), float(q[-1]))), folder, "vae-manifold")
    return {"vae-manifold": "(g) decoded 15x15 grid over the latent plane of a 2-d-latent dense VAE"}


def line(a: np.ndarray, b: np.ndarray, steps: int = 10) -> np.ndarray:
    """`steps` points on the straight line from a to b, both ends included (per row of a, b)."""
    t = np.linspace(0, 1, steps, dtype=np.float32)[None, :, None]
    return ((1 - t) * a[:, None, :] + t * b[:, None, :]).reshape(-1, a.shape[-1])


def vae_figures(loaded: Loaded, folder: Path, data, spec: Dataset, facts: dict) -> dict:
    """(g) interpolations between encoded test images, (i) reconstructions and (j) traversal."""
    record = loaded.first(VAE, runs.CHECKPOINT)
    if record is None:
        return {}
    model = record.model_weights()
    mean, log_var = (t.numpy() for t in model.encode(data.test))
    decode = lambda z: model.generate(np.asarray(z, np.float32)).numpy()
    rows = decode(line(mean[0:12:2], mean[1:12:2])).reshape(6, 10, 28, 28)
    plots.save(pictures.interpolations(rows, f"{VAE}: decoding the straight line between two encoded test "
                                             f"{spec.noun}s"), folder, "vae-interpolations")
    plots.save(pictures.reconstructions(data.test[:30], decode(mean[:30]), spec.noun), folder, "vae-reconstructions")
    kl = 0.5 * (mean**2 + np.exp(log_var) - log_var - 1).mean(0)  # per latent dimension, over test images
    dims, values = list(np.argsort(kl)[::-1][:6]), np.linspace(-3, 3, 11, dtype=np.float32)
    facts["vae-traversal"] = {"shown": len(dims), "dims": len(kl), "kl_shown": float(kl[dims].sum()),
                              "kl_total": float(kl.sum()), "share": float(kl[dims].sum() / kl.sum())}
    z = np.repeat(mean[:1], len(dims) * len(values), 0).reshape(len(dims), len(values), -1)
    for i, d in enumerate(dims):
        z[i, :, d] = values
    plots.save(pictures.traversal(decode(z.reshape(-1, mean.shape[1])).reshape(len(dims), len(values), 28, 28),
                                  [int(d) for d in dims], values), folder, "vae-traversal")
    return {"vae-interpolations": f"(g) {VAE}: decoded straight lines between 6 pairs of encoded test {spec.noun}s",
            "vae-reconstructions": f"(i) {VAE}: 30 test {spec.noun}s and their reconstructions",
            "vae-traversal": f"(j) {VAE}: its 6 most used latent dimensions, each walked from −3 to +3"}


def gan_interpolation(loaded: Loaded, folder: Path, facts: dict) -> dict:
    """(l) the GAN's generator along straight lines between random z."""
    record = next((r for m in GANS if (r := loaded.first(m, runs.CHECKPOINT)) is not None), None)
    if record is None:
        return {}
    facts["gan-interpolation"] = {"model": record.model}
    model = record.model_weights()
    rng = np.random.default_rng(0)
    ends = rng.uniform(-1, 1, (2, 6, model.z_dim)).astype(np.float32)
    rows = model.generate(line(ends[0], ends[1])).numpy().reshape(6, 10, 28, 28)
    plots.save(pictures.interpolations(rows, f"{record.model}: the generator along straight lines between random z"),
               folder, "gan-interpolation")
    return {"gan-interpolation": f"(l) {record.model}: generated images along 6 straight lines in z"}


def nearest_figure(loaded: Loaded, folder: Path, data) -> dict:
    """(k) each model's first samples above their nearest training images."""
    samples = {}
    for model in loaded.models():
        record = loaded.first(model, runs.SAMPLES)
        if record is not None:
            samples[model] = record.samples()[:PAIRS]
    if not samples:
        return {}
    found = {m: nearest_index(s, data.train) for m, s in samples.items()}
    neighbours = {m: data.train[i] for m, (i, _) in found.items()}
    plots.save(pictures.nearest(samples, neighbours, {m: d for m, (_, d) in found.items()}), folder, "nearest")
    return {"nearest": "(k) each model's first samples above their nearest training images, with the distance"}


def draw(loaded: Loaded, extras: Loaded, folder: Path, data, spec: Dataset, facts: dict) -> dict:
    """Every figure of this module that its runs allow; `facts` gets what the takeaways quote."""
    return {**manifold(extras, loaded, folder, facts), **vae_figures(loaded, folder, data, spec, facts),
            **gan_interpolation(loaded, folder, facts), **nearest_figure(loaded, folder, data)}
