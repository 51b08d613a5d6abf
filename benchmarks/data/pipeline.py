"""tf.data pipelines: GANs and the diffusion family see [-1, 1] images, VAEs see [0, 1] images
(optionally binarized), a GAN whose G ends in a sigmoid ("unit") [0, 1] images as they are.

Each epoch's order, binarization and training noise come from (seed, epoch, step), not from
iterator state, so a resumed run sees exactly the batches that an uninterrupted one would have
seen, and a step run inside a compiled loop sees the same as one run by `fit`.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

SCALES = ("gan", "vae", "diffusion", "unit")  # how a model's images are scaled (`models.pixels`)


def to_unit(x_uint8: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1]."""
    return (x_uint8.astype(np.float32) / 255.0)[..., None]


class EpochData:
    """A cached base dataset from which each epoch's shuffled, batched stream is made: one pass
    over the images in whole batches (`max_steps` shortens it, for perf's timing windows only)."""

    def __init__(self, x_uint8, scale, batch_size, seed, binarize=False, max_steps=None):
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
        self.n = len(x_uint8)
        self.scale, self.batch_size, self.seed = scale, int(batch_size), int(seed)
        self.binarize = bool(binarize) and scale == "vae"
        full_steps = self.n // self.batch_size
        self.steps = min(full_steps, max_steps) if max_steps else full_steps
        if self.steps < 1:
            raise ValueError(f"{self.n} images cannot fill one batch of {self.batch_size}")
        self.base = tf.data.Dataset.from_tensor_slices(x_uint8[..., None]).cache()

    def epoch(self, epoch: int, noise=None) -> tf.data.Dataset:
        """The batches of `epoch` (0-based): shuffled with (seed, epoch), drop_remainder. With
        `noise` (a model's `training_noise`: (n, seed) -> tuple of tensors), each element is
        (batch, its step's noise), the noise drawn from the same (seed, epoch, step) as the
        binarization, folded with 1."""
        ds = self.base.shuffle(self.n, seed=self.seed * 100_003 + epoch, reshuffle_each_iteration=False)
        ds = ds.batch(self.batch_size, drop_remainder=True).take(self.steps)
        scale, binarize, seed = self.scale, self.binarize, self.seed

        def convert(step, x):
            step_seed = tf.stack([seed * 7919 + epoch, step])
            x = tf.cast(x, tf.float32) / 255.0
            if scale in ("gan", "diffusion"):
                x = x * 2.0 - 1.0
            elif binarize:  # a fresh Bernoulli draw for every epoch and batch
                u = tf.random.stateless_uniform(tf.shape(x), seed=step_seed)
                x = tf.cast(u < x, tf.float32)
            if noise is None:
                return x
            return x, noise(tf.shape(x)[0], tf.random.experimental.stateless_fold_in(step_seed, 1))

        ds = ds.enumerate().map(
            lambda i, x: convert(tf.cast(i, tf.int32), x), num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
        options = tf.data.Options()  # one thread of its own, no autotuning: the other core is the step's
        options.threading.private_threadpool_size, options.autotune.enabled = 1, False
        return ds.with_options(options).prefetch(tf.data.AUTOTUNE)


def binarize_once(x_unit: np.ndarray, seed: int = 0) -> np.ndarray:
    """A fixed Bernoulli binarization of [0, 1] images (the test set for likelihoods)."""
    rng = np.random.default_rng(seed)
    return (rng.random(x_unit.shape, dtype=np.float32) < x_unit).astype(np.float32)
