"""`python -m benchmarks data`: a user's first check that the dataset is found and intact."""

from __future__ import annotations

import numpy as np

from benchmarks.commands import add_data_dir, add_dataset
from benchmarks.data.mnist import VALIDATION, dataset, load_mnist, resolve_source

HELP = "load a dataset and print its source, shapes and class counts"
EXAMPLE = "python -m benchmarks data --dataset fashion-mnist"


def add_arguments(p) -> None:
    add_dataset(p, "the dataset to load")
    add_data_dir(p)


def main(args) -> int:
    spec = dataset(args.dataset)
    source = resolve_source(args.data_dir, spec)
    (x_train, y_train), (x_test, y_test) = load_mnist(args.data_dir, spec)
    verified = " (md5 verified)" if not source.startswith("keras.datasets.") else ""
    print(f"{spec.title} loaded from {source}{verified}")
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        counts = " ".join(str(c) for c in np.bincount(y, minlength=10))
        print(f"{name:5s} images {x.shape} {x.dtype}, labels {y.shape}; class counts: {counts}")
    print(f"mean training pixel (scaled to [0, 1]): {x_train.mean() / 255.0:.4f}")
    start, stop = VALIDATION.start, VALIDATION.stop
    print(f"validation split: train[{start}:{stop}] ({stop - start} images)")
    return 0
