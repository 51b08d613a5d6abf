"""A VAE's likelihood on binary images: the ELBO of each image and the IWAE bound with k samples
(Burda et al. 2015), in graph mode, the bound's images in chunks that fit in memory."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from benchmarks import progress
from models.layers import compiled


def elbo_per_image(model, x_binary, batch: int = 500) -> np.ndarray:
    """A VAE's ELBO (nats) of each binary image, in graph mode."""
    elbo_fn = compiled(model, "elbo")
    return np.concatenate([elbo_fn(tf.constant(x_binary[i : i + batch])).numpy()
                           for i in range(0, len(x_binary), batch)])


def vae_likelihood(model, x_binary, k: int, iwae_images: int, batch: int = 500) -> dict:
    """Test ELBO on all of x_binary and the IWAE bound with k samples on its first images
    (k decoder passes per image: the suites cap its images, likelihood_images)."""
    elbo, log_weights = elbo_per_image(model, x_binary, batch), compiled(model, "log_weights")  # graph mode
    bounds, step = [], max(1, min(batch, 20_000 // k))
    end = min(iwae_images, len(x_binary))
    with progress.task(f"IWAE bound, k = {k}, on {end:,} test images", -(-end // step), "chunks") as advance:
        for i in range(0, end, step):
            log_w = log_weights(tf.constant(x_binary[i : min(i + step, end)]), k, tf.constant(i))
            bounds.append((tf.reduce_logsumexp(log_w, axis=0) - np.log(k)).numpy())
            advance()
    iwae = np.concatenate(bounds)
    se = lambda v: float(v.std(ddof=1) / np.sqrt(len(v)))
    return {"test_elbo": float(elbo.mean()), "test_elbo_se": se(elbo), "iwae_bound": float(iwae.mean()),
            "iwae_bound_se": se(iwae), "iwae_k": k, "iwae_images": len(iwae)}
