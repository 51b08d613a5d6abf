"""MNIST and Fashion-MNIST from a folder of IDX files (verified by md5) or from keras.datasets.

`load_mnist` follows the contract of `keras.datasets.mnist.load_data()`: uint8 arrays
(60000, 28, 28), (60000,), (10000, 28, 28), (10000,). The source is, in order: the
`data_dir` argument, the dataset's environment variable (MNIST_DIR, FASHION_MNIST_DIR), the
folder of its Debian package (dataset-fashion-mnist), the Keras download cache.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

from benchmarks.errors import UserError

# md5 of the *uncompressed* IDX content (the canonical checksums).
CANONICAL_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
FASHION_MD5 = {  # Fashion-MNIST (Xiao et al. 2017); Debian recompresses the .gz files, the content is this
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Everything dataset-specific: its title, files (md5s and sources), class names and
    pinned feature network (weights file in benchmarks/scoring/assets/, its sha256, and the test
    accuracy a retrained candidate must reach to be pinned)."""

    name: str
    title: str
    md5: dict
    env: str  # environment variable naming its IDX folder
    keras: str  # keras.datasets.<keras>
    debian: str | None  # the folder Debian's package installs the files in
    classes: tuple
    noun: str  # what one image shows: "digit", "article"
    classes_header: str  # the table column of classes covered
    features: str  # the feature network's weights file
    features_sha256: str
    features_min_accuracy: float


DATASETS = {
    "mnist": Dataset("mnist", "MNIST", CANONICAL_MD5, "MNIST_DIR", "mnist", None,
                     tuple(str(d) for d in range(10)), "digit", "Digits", "feature_net.npz",
                     "be91763c4cd99ac8feaad91bb0f9477b4ceb6d7ca407134a854a2c95a5da6851", 0.993),
    "fashion-mnist": Dataset("fashion-mnist", "Fashion-MNIST", FASHION_MD5, "FASHION_MNIST_DIR", "fashion_mnist",
                             "/usr/share/datasets/fashion-mnist",
                             ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                              "Bag", "Ankle boot"), "article", "Classes", "feature_net-fashion-mnist.npz",
                             "0d3a160212ef963999a5978508c763a5a7d5c3262c3fbc6ab02d01cec7ec0fb2", 0.92),
}
MNIST = DATASETS["mnist"]


def dataset(name: str | Dataset) -> Dataset:
    """The Dataset of a name (a Dataset is returned as it is)."""
    if isinstance(name, Dataset):
        return name
    if name not in DATASETS:
        raise UserError(f"unknown dataset {name!r}; valid: {', '.join(DATASETS)}")
    return DATASETS[name]


IDX_MAGIC = {0x00000801: 1, 0x00000803: 3}  # labels (1 dim), images (3 dims), uint8
# The protocol's splits of the 60,000 training images (the 10,000 test images stay whole).
FIT = slice(0, 50_000)  # what every model trains on
VALIDATION = slice(50_000, 60_000)  # never trained on: model selection and the real-data row
FIT_IMAGES = FIT.stop
TRAIN_IMAGES = VALIDATION.stop  # all of train[]


def how_to_provide(name: str | Dataset = MNIST) -> str:
    spec = dataset(name)
    name = spec.name
    debian = f", install Debian's dataset-{name} (apt-get install dataset-{name})" if spec.debian else ""
    return (f"pass --data-dir DIR (or set {spec.env}) to a folder with the four {spec.title} IDX files{debian}, "
            f"or unset both to download through keras.datasets.{spec.keras}")


HOW_TO_PROVIDE = how_to_provide(MNIST)


def _read_bytes(path: Path) -> bytes:
    """The uncompressed content of `path` (gzip or raw)."""
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise UserError(f"{path}: corrupt gzip ({err}); replace the file with a fresh copy") from None


def parse_idx(content: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse IDX bytes: big-endian magic (0x0801 labels, 0x0803 images), counts, raw uint8."""
    if len(content) < 4:
        raise UserError(f"{name}: truncated IDX file (no header); replace the file")
    magic = int.from_bytes(content[:4], "big")
    if magic not in IDX_MAGIC:
        raise UserError(
            f"{name}: bad IDX magic number 0x{magic:08x} (expected 0x00000801 or 0x00000803); "
            "this is not an MNIST IDX file"
        )
    ndim = IDX_MAGIC[magic]
    header = 4 + 4 * ndim
    if len(content) < header:
        raise UserError(f"{name}: truncated IDX file (short header); replace the file")
    dims = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims))
    if len(content) != expected:
        raise UserError(
            f"{name}: truncated IDX file ({len(content)} bytes, header says {expected}); "
            "replace the file"
        )
    return np.frombuffer(content, dtype=np.uint8, offset=header).reshape(dims).copy()


def read_idx_file(path: Path, check_md5: bool = True, name: str | Dataset = MNIST) -> np.ndarray:
    """Read one IDX file (gzip or raw), checking the md5 of its content against `name`'s."""
    content = _read_bytes(path)
    array = parse_idx(content, str(path))
    stem = path.name.removesuffix(".gz")
    expected = dataset(name).md5
    if check_md5 and stem in expected:
        actual = hashlib.md5(content).hexdigest()
        if actual != expected[stem]:
            other = next((d for d in DATASETS.values() if d.md5.get(stem) == actual), None)
            if other is not None:
                raise UserError(f"{path}: this is {other.title}'s {stem} (md5 {actual}), not {dataset(name).title}'s; "
                                f"{how_to_provide(name)}")
            raise UserError(
                f"{path}: md5 mismatch (expected {expected[stem]}, got {actual}); "
                f"the file is not the canonical {dataset(name).title}, replace it"
            )
    return array


def _find(data_dir: Path, stem: str, name: str) -> Path:
    for candidate in (data_dir / f"{stem}.gz", data_dir / stem):
        if candidate.is_file():
            return candidate
    raise UserError(f"{dataset(name).title} file {data_dir / stem}[.gz] not found; {how_to_provide(name)}")


def resolve_source(data_dir: str | os.PathLike | None = None, name: str | Dataset = MNIST) -> str:
    """Where the dataset will come from: a folder path, or 'keras.datasets.<name>'."""
    spec = dataset(name)
    chosen = data_dir if data_dir not in (None, "") else os.environ.get(spec.env) or None
    if not chosen and spec.debian and Path(spec.debian).is_dir():
        chosen = spec.debian
    return str(Path(chosen).expanduser().resolve()) if chosen else f"keras.datasets.{spec.keras}"


@functools.lru_cache(maxsize=4)
def _load_cached(source: str, name: str):
    spec = dataset(name)
    if source.startswith("keras.datasets."):
        import keras

        try:
            return getattr(keras.datasets, spec.keras).load_data()
        except Exception as err:  # network failure, corrupt cache
            raise UserError(f"{source} download failed ({err}); {how_to_provide(name)}") from None
    folder = Path(source)
    if not folder.is_dir():
        raise UserError(f"{spec.title} folder {folder} does not exist; {how_to_provide(name)}")
    paths = {stem: _find(folder, stem, name) for stem in spec.md5}  # all present before reading
    arrays = {stem: read_idx_file(path, name=name) for stem, path in paths.items()}
    x_train, y_train = arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"]
    x_test, y_test = arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"]
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise UserError(f"{folder}: image and label counts differ; replace the IDX files")
    return (x_train, y_train), (x_test, y_test)


def load_mnist(data_dir: str | os.PathLike | None = None, name: str | Dataset = MNIST):
    """`(x_train, y_train), (x_test, y_test)` of dataset `name` (a Dataset or its name) as
    uint8 arrays, like keras.datasets.mnist.load_data()."""
    return _load_cached(resolve_source(data_dir, name), dataset(name).name)


def split_validation(x_train: np.ndarray, y_train: np.ndarray):
    """The standard protocol: train[0:50000] to fit, train[50000:60000] to validate."""
    return (x_train[FIT], y_train[FIT]), (x_train[VALIDATION], y_train[VALIDATION])


def class_shares(labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """The share of each class among `labels`."""
    return np.bincount(np.asarray(labels), minlength=n_classes) / len(labels)
