"""Data: takes MNIST's four IDX files (or the Keras download) and gives verified uint8 arrays,
the protocol's splits, and the tf.data pipelines that feed training batch by batch."""

from benchmarks.data.mnist import (
    FIT,
    FIT_IMAGES,
    VALIDATION,
    class_shares,
    load_mnist,
    resolve_source,
    split_validation,
)

__all__ = ["FIT", "FIT_IMAGES", "VALIDATION", "class_shares", "load_mnist", "resolve_source", "split_validation"]
