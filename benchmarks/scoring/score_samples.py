"""genbench's scorer for anyone's samples: 28×28 grayscale images from any model, scored in
the same pinned feature network, against the same reference images and with the same metrics
as the bench's own runs (`sample_quality.sample_metrics`). Samples of a run scored here give that run's
metrics.json numbers.

Images come as an array (NumPy, or anything `np.asarray` takes: a CPU PyTorch tensor, a JAX
array) or, from `read_images`, an .npz, an .npy or a folder of PNGs. Accepted layouts:
(N, 28, 28), (N, 28, 28, 1), PyTorch's (N, 1, 28, 28) and flat (N, 784). Values: floats in
[0, 1], or integers in [0, 255] (uint8, or any integer type) divided by 255; what was detected
is stated in the result's `read_as`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks import settings
from benchmarks.data import mnist
from benchmarks.errors import UserError
from benchmarks.scoring import metrics

LAYOUTS = {(28, 28): "(N, 28, 28)", (28, 28, 1): "(N, 28, 28, 1)", (1, 28, 28): "(N, 1, 28, 28)",
           (784,): "(N, 784)"}
ARRAY_NAMES = ("images", "samples", "x")  # an .npz's array, when it holds several


def bench_samples() -> int:
    """The samples each run of the committed tables is scored on (the suites' eval.samples)."""
    return settings.EVAL["samples"].default


def as_unit_images(array, where: str = "the images") -> tuple[np.ndarray, str]:
    """(images float32 (N, 28, 28, 1) in [0, 1], how they were read), or a UserError naming
    the cause and the fix."""
    try:
        x = np.asarray(array)
    except (TypeError, ValueError, RuntimeError) as err:  # e.g. a tensor that needs .cpu() first
        raise UserError(f"{where}: cannot be read as an array ({err}); pass a NumPy array") from None
    layout = LAYOUTS.get(x.shape[1:]) if x.ndim >= 2 else None
    if layout is None:
        raise UserError(f"{where}: shape {x.shape}; give {', '.join(LAYOUTS.values())} images of 28×28 "
                        "grayscale pixels")
    n = len(x)
    minimum = metrics.KID_SUBSET_SIZE
    if n < minimum:
        raise UserError(f"{where}: {n:,} images, too few for KID's subsets of {minimum:,}; give at least "
                        f"{minimum:,} (the committed tables score {bench_samples():,})")
    if x.dtype.kind in "iu":
        low, high = int(x.min()), int(x.max())
        if low < 0 or high > 255:
            raise UserError(f"{where}: {x.dtype} in [{low}, {high}]; integer pixels must be in [0, 255]")
        unit, read_as = x.astype(np.float32) / 255.0, f"{x.dtype} in [0, 255], divided by 255"
    elif x.dtype.kind == "f":
        bad = int(np.count_nonzero(~np.isfinite(x)))
        if bad:
            raise UserError(f"{where}: {bad:,} NaN or infinite values; give finite pixels in [0, 1]")
        low, high = float(x.min()), float(x.max())
        if low < 0 or high > 1:
            hint = ("map [-1, 1] to [0, 1] with (x + 1) / 2" if low >= -1 and high <= 1
                    else "divide by 255, or pass uint8" if low >= 0 and high <= 255 else "rescale them")
            raise UserError(f"{where}: {x.dtype} in [{low:.3g}, {high:.3g}], not in [0, 1]; {hint}")
        unit, read_as = x.astype(np.float32), f"{x.dtype} in [0, 1]"
    else:
        raise UserError(f"{where}: {x.dtype}; give floats in [0, 1] or uint8 in [0, 255]")
    if layout == "(N, 1, 28, 28)":
        unit = np.moveaxis(unit, 1, -1)
    return np.ascontiguousarray(unit.reshape(n, 28, 28, 1)), f"{n:,} images, {layout} {read_as}"


def read_images(path) -> np.ndarray:
    """The images of an .npz (its one array, or the one named images, samples or x), an .npy,
    or a folder of 28×28 grayscale PNGs (in file-name order) as uint8; a UserError otherwise."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path} does not exist; give an .npz, an .npy or a folder of PNGs")
    if path.is_dir():
        return _read_pngs(path)
    if path.suffix not in (".npz", ".npy"):
        raise UserError(f"{path} is not an .npz, an .npy or a folder of PNGs")
    try:
        loaded = np.load(path, allow_pickle=False)
    except ValueError as err:
        what = "holds Python objects, which are never unpickled" if "allow_pickle" in str(err) else "is damaged"
        raise UserError(f"{path} {what}; save a numeric array with np.save or np.savez") from None
    except (OSError, EOFError) as err:
        raise UserError(f"{path} cannot be read ({type(err).__name__}); save it again with np.save or "
                        "np.savez") from None
    if path.suffix == ".npy":
        return loaded
    with loaded:
        names = loaded.files
        if len(names) == 1:
            return loaded[names[0]]
        for name in ARRAY_NAMES:
            if name in names:
                return loaded[name]
    raise UserError(f"{path} holds the arrays {', '.join(names) or '(none)'}; save one array, or name it "
                    f"{' or '.join(ARRAY_NAMES)}")


def _read_pngs(folder: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".png")
    if not paths:
        raise UserError(f"{folder} holds no .png files; give a folder of 28×28 grayscale PNGs, an .npz or an .npy")
    images = np.empty((len(paths), 28, 28), np.uint8)
    for i, p in enumerate(paths):
        try:
            with Image.open(p) as img:
                if img.mode not in ("L", "1"):
                    raise UserError(f"{p} is a {img.mode} PNG, not grayscale; save 8-bit grayscale (PIL: "
                                    "Image.convert('L'))")
                if img.size != (28, 28):
                    raise UserError(f"{p} is {img.size[0]}×{img.size[1]}, not 28×28; save one image per file")
                images[i] = np.asarray(img.convert("L"))
        except (UnidentifiedImageError, OSError) as err:
            raise UserError(f"{p} is not a readable PNG ({type(err).__name__}); save it again") from None
    return images


def score_samples(images, dataset: str = "mnist", data_dir=None, *, where: str = "the images") -> dict:
    """Every sample-quality metric of the bench for `images` (see the module's docstring), in
    the features of `dataset`'s pinned network: the keys of a run's metrics.json (fid,
    kid, precision, recall, density, coverage, classifier_score, modes_covered, parzen_ll,
    nn_closer_fraction, ...), with `images` (the count), `dataset` and `read_as`. Bad input is
    a UserError naming `where` before any reference data loads."""
    from benchmarks.scoring.sample_quality import references, sample_metrics

    spec = mnist.dataset(dataset)
    unit, read_as = as_unit_images(images, where)
    result = sample_metrics(unit, references(data_dir, spec))
    return {**result, "images": len(unit), "dataset": spec.name, "read_as": read_as}
