"""Slide-ready image figures: samples beside real data, the evolution strip and its GIF, the
VAE's manifold, interpolations, reconstructions and latent traversal, the GAN's latent
interpolation, and samples beside their nearest training images. Each takes plain arrays
of images in [0, 1] and returns a Figure (the GIF: its bytes)."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from benchmarks.images import tile
from benchmarks.reporting.figures.plots import REAL_ROW, colour, figure, ordered


def _show(ax, images, cols, title=None, colour_of=None):
    ax.imshow(tile(images, cols), cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, color=colour_of or "black")


def sample_grids(grids: dict, real: np.ndarray | None = None, noun: str = "digit") -> Figure:
    """(a) the final samples of every model (table order) and, last, real held-out images:
    6 x 6 large tiles each, two rows of panels filling the slide."""
    panels = [(m, grids[m]) for m in ordered(grids)] + ([(REAL_ROW, real)] if real is not None else [])
    cols = int(np.ceil(len(panels) / 2)) if len(panels) > 3 else len(panels)
    fig, axes = figure(2 if len(panels) > 3 else 1, cols)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (name, images) in zip(axes.ravel(), panels):
        ax.axis("on")
        label = f"real {noun}s (held out)" if name == REAL_ROW else name
        _show(ax, images[:36], 6, label, colour(name))
    return fig


def evolution(model: str, frames: list) -> Figure:
    """(b) one model's fixed-z samples at its evaluation points, in reading order: frames are
    (images seen, quick FID or NaN, the grid's picture); at most 8 are shown, evenly spread,
    in up to two rows of four."""
    picks = [frames[int(i)] for i in np.unique(np.linspace(0, len(frames) - 1, min(8, len(frames))).round())]
    rows = 2 if len(picks) > 4 else 1
    fig, axes = figure(rows, int(np.ceil(len(picks) / rows)))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (images, fid, picture) in zip(axes.ravel(), picks):
        ax.axis("on")
        ax.imshow(picture)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{images:,} images" + ("" if np.isnan(fid) else f", FID {fid:.0f}"), fontsize=16)
    fig.suptitle(f"{model}: the same z as training goes on (each frame: images seen, quick FID)", color=colour(model))
    return fig


def evolution_gif(frames: list, seconds_per_frame: float = 0.8) -> bytes:
    """An animated GIF of the frames' pictures (as the TensorFlow DCGAN tutorial's), the last
    held three times as long."""
    pictures = [Image.fromarray((np.asarray(p)[..., :3] * 255).astype(np.uint8)) for _, _, p in frames]
    durations = [int(seconds_per_frame * 1000)] * (len(pictures) - 1) + [int(seconds_per_frame * 3000)]
    buffer = io.BytesIO()
    pictures[0].save(buffer, format="GIF", save_all=True, append_images=pictures[1:], duration=durations, loop=0)
    return buffer.getvalue()


def manifold(images: np.ndarray, n: int, z_range: tuple = (-1.645, 1.645)) -> Figure:
    """(g) a decoded n x n grid over the latent plane of a 2-d VAE; z_range is the first and
    last grid value on each axis (the grid is drawn row by row, top row = largest z2)."""
    fig, axes = figure()
    ax = axes[0][0]
    half = (z_range[1] - z_range[0]) / (n - 1) / 2
    lo, hi = z_range[0] - half, z_range[1] + half
    ax.imshow(tile(images, n, pad=0), cmap="gray_r", vmin=0, vmax=1, extent=(lo, hi, lo, hi))
    ax.set_xlabel("z₁ (Gaussian quantiles 5%–95%)")
    ax.set_ylabel("z₂")
    ax.set_title("The latent plane of a VAE with a 2-d latent, decoded")
    return fig


def interpolations(rows: np.ndarray, title: str) -> Figure:
    """(g) decoded straight lines in latent space, one line per row (rows, steps, 28, 28)."""
    fig, axes = figure()
    _show(axes[0][0], rows.reshape(-1, 28, 28), rows.shape[1], title)
    axes[0][0].set_xlabel("each row: the straight line from the left z to the right z, decoded")
    return fig


def reconstructions(originals: np.ndarray, decoded: np.ndarray, noun: str = "digit") -> Figure:
    """(i) test images and the VAE's reconstructions of them (the mean of p(x|z), z = μ(x)),
    in pairs of rows: originals above, reconstructions below."""
    per_row = 10
    n = len(originals) // per_row * per_row
    pairs = np.concatenate([np.stack([originals[i : i + per_row], decoded[i : i + per_row]])
                            for i in range(0, n, per_row)])
    fig, axes = figure()
    _show(axes[0][0], pairs.reshape(-1, 28, 28), per_row,
          f"Test {noun}s (odd rows) and their reconstructions (even rows)")
    return fig


def traversal(rows: np.ndarray, dims: list, values: np.ndarray) -> Figure:
    """(j) one latent dimension varied at a time, the others at a test image's μ: rows are
    dimensions (rows, steps, 28, 28), columns the values."""
    fig, axes = figure()
    ax = axes[0][0]
    ax.imshow(tile(rows.reshape(-1, 28, 28), rows.shape[1], pad=1), cmap="gray_r", vmin=0, vmax=1)
    step = 29
    ax.set_yticks(np.arange(len(dims)) * step + 15, [f"z{d}" for d in dims])
    ax.set_xticks(np.arange(len(values)) * step + 15, [f"{v:+.1f}" for v in values])
    ax.set_xlabel("value of the one latent dimension varied (the others fixed)")
    ax.set_ylabel("latent dimension (most used first)")
    ax.set_title("Walking along single latent dimensions of the VAE")
    return fig


def nearest(samples: dict, neighbours: dict, distances: dict) -> Figure:
    """(k) each model's samples (top row of its panel) above their nearest training images in
    pixel distance (bottom row), the distance under each pair: the memorization check, visible.
    Panels in two columns, models in table order."""
    names = ordered(samples)
    fig, axes = figure(int(np.ceil(len(names) / 2)), min(2, len(names)))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, name in zip(axes.ravel(), names):
        k = len(samples[name])
        ax.axis("on")
        pair = [np.reshape(samples[name], (k, 28, 28)), np.reshape(neighbours[name], (k, 28, 28))]
        ax.imshow(tile(np.concatenate(pair), k), cmap="gray_r", vmin=0, vmax=1)
        ax.set_yticks([15, 44], ["sample", "nearest"])
        ax.set_xticks(np.arange(k) * 29 + 15, [f"{d:.1f}" for d in distances[name]])
        ax.set_title(name, color=colour(name))
    fig.suptitle("Samples above their nearest training images (pixel distance under each pair)")
    return fig
