"""The small U-Net that the diffusion and flow-matching models share: (x_t, t) -> a 28x28x1 image.

2x2 patches in and out (28 -> 14 pixels), a residual block at 14 and at 7 pixels on the way
down, in the middle and on the way up, skip connections by concatenation, swish, and a
sinusoidal embedding of t in [0, 1] added to every block (Ho et al. 2020, Appendix B, scaled
down to what one epoch of a 2-core CPU allows; the keras-io DDIM example's layout). What the
output means (noise, velocity) is the model's.
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from models.architectures import IMAGE_SHAPE


@keras.saving.register_keras_serializable(package="genbench")
class TimeEmbedding(keras.layers.Layer):
    """t in [0, 1], shape (n,) or (n, 1) -> (n, dim): sin and cos of 1000·t at `dim/2`
    frequencies spaced geometrically from 1 to 1/10,000 (Vaswani et al. 2017, Sec. 3.5)."""

    def __init__(self, dim: int = 64, **kwargs):
        super().__init__(**kwargs)
        if dim % 2:
            raise ValueError(f"TimeEmbedding needs an even dim, got {dim}")
        self.dim = int(dim)

    def call(self, t):
        half = self.dim // 2
        freqs = ops.exp(-math.log(10_000.0) * ops.arange(half, dtype="float32") / half)
        angles = 1000.0 * ops.reshape(ops.cast(t, "float32"), (-1, 1)) * freqs[None, :]
        return ops.cast(ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}


def _block(x, emb, width: int):
    """swish, conv, plus the projected time embedding; swish, conv; plus the input (1x1-projected
    where the width changes). No normalization layers: the network is shallow (two levels), and
    they add passes over every activation."""
    skip = x if x.shape[-1] == width else layers.Conv2D(width, 1)(x)
    h = layers.Conv2D(width, 3, padding="same")(layers.Activation("swish")(x))
    h = h + layers.Reshape((1, 1, width))(layers.Dense(width)(emb))
    h = layers.Conv2D(width, 3, padding="same")(layers.Activation("swish")(h))
    return h + skip


def unet(widths=(32, 64), embedding=64, patch=2):
    """(x_t (n, 28, 28, 1), t (n,)) -> (n, 28, 28, 1).

    The image is cut into patch x patch patches (a strided conv, 28 -> 14 pixels), a U-Net with
    `widths` channels at 14 and 7 pixels runs on them, and a strided transposed conv puts the
    patches back."""
    x_in, t_in = keras.Input(IMAGE_SHAPE, name="x_t"), keras.Input((), name="t")
    emb = layers.Dense(2 * embedding, activation="swish")(TimeEmbedding(embedding)(t_in))
    h = layers.Conv2D(widths[0], patch, strides=patch)(x_in)
    skips = []
    for i, width in enumerate(widths):  # down: a block per level, then halve
        h = _block(h, emb, width)
        skips.append(h)
        if i < len(widths) - 1:
            h = layers.AveragePooling2D(2)(h)
    h = _block(h, emb, widths[-1])  # the middle
    for i, width in reversed(list(enumerate(widths))):  # up: concatenate the skip, a block, double
        h = _block(layers.Concatenate()([h, skips[i]]), emb, width)
        if i > 0:
            h = layers.UpSampling2D(2, interpolation="nearest")(h)
    h = layers.Activation("swish")(h)
    out = layers.Conv2DTranspose(1, patch, strides=patch, kernel_initializer="zeros")(h)
    return keras.Model([x_in, t_in], out, name="denoiser")
