"""Sample grids as PNG bytes (no figure machinery: one pixel per pixel)."""

from __future__ import annotations

import io

import matplotlib.image
import numpy as np


def tile(images: np.ndarray, cols: int | None = None, pad: int = 1) -> np.ndarray:
    """(N, 28, 28[, 1]) in [0, 1] -> one (rows*(28+pad)+pad, cols*(28+pad)+pad) image."""
    images = np.asarray(images, dtype=np.float32).reshape(len(images), 28, 28)
    n = len(images)
    cols = cols or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    canvas = np.ones((rows * (28 + pad) + pad, cols * (28 + pad) + pad), np.float32)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        y, x = pad + r * (28 + pad), pad + c * (28 + pad)
        canvas[y : y + 28, x : x + 28] = np.clip(img, 0.0, 1.0)
    return canvas


def png_bytes(images: np.ndarray, cols: int | None = None) -> bytes:
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, tile(images, cols), cmap="gray_r", vmin=0.0, vmax=1.0, format="png")
    return buffer.getvalue()
