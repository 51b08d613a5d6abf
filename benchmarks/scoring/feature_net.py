"""The pinned feature networks, one per dataset: a small CNN classifier whose penultimate layer (128-d)
gives the features for FID, KID, precision/recall and density/coverage, and whose logits give
the classifier score and mode coverage.

One network per dataset, named by its `Dataset` (benchmarks.data.mnist): MNIST's weights live
in benchmarks/scoring/assets/feature_net.npz, Fashion-MNIST's in feature_net-fashion-mnist.npz
(plain arrays, loaded with allow_pickle=False), and their sha256s are pinned there, so every
user scores with exactly the same features.
`python -m benchmarks feature-net --train [--dataset D]` retrains one reproducibly (seed 0, the
same architecture and recipe for both) into a candidate file, never over the pinned one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from benchmarks import files
from benchmarks.data.mnist import MNIST, Dataset, dataset, load_mnist, split_validation
from benchmarks.data.pipeline import to_unit
from benchmarks.errors import UserError

ASSETS = Path(__file__).parent / "assets"
SEED, EPOCHS, BATCH = 0, 8, 128


@dataclasses.dataclass(frozen=True)
class Pinned:
    """A dataset's pinned network: its weights file, their sha256, the test accuracy a retrained
    candidate must reach to be pinned, and where `--train` writes that candidate."""

    weights: Path
    sha256: str
    min_test_accuracy: float

    @property
    def candidate(self) -> Path:
        return self.weights.with_name(self.weights.stem + ".candidate.npz")


def pinned(name: str | Dataset) -> Pinned:
    spec = dataset(name)
    return Pinned(ASSETS / spec.features, spec.features_sha256, spec.features_min_accuracy)


def build() -> keras.Model:
    """Conv(32)x2, pool, Conv(64)x2, pool, Dense(128) [features], Dense(10) [logits]."""
    x_in = keras.Input((28, 28, 1))
    h = x_in
    for filters in (32, 32, None, 64, 64, None):
        if filters is None:
            h = layers.MaxPooling2D(2)(h)
            continue
        h = layers.Conv2D(filters, 3, use_bias=False)(h)
        h = layers.ReLU()(layers.BatchNormalization()(h))
    h = layers.Flatten()(h)
    features = layers.ReLU(name="features")(layers.BatchNormalization()(layers.Dense(128, use_bias=False)(h)))
    logits = layers.Dense(10, name="logits")(layers.Dropout(0.3)(features))
    return keras.Model(x_in, [features, logits], name="feature_net")


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class FeatureNet:
    """A dataset's pinned network, loaded after checking the sha256 of its weights file."""

    def __init__(self, name: str | Dataset = MNIST, path: Path | None = None, expected_sha256: str | None = None):
        spec, name = pinned(name), dataset(name).name
        path, expected = path or spec.weights, expected_sha256 or spec.sha256
        if not Path(path).is_file():
            raise UserError(f"feature network weights {path} missing; restore them from git "
                            f"or run `python -m benchmarks feature-net --train --dataset {name}`")
        actual = sha256(path)
        if actual != expected:
            raise UserError(f"feature network weights {path}: sha256 {actual} != pinned {expected}; "
                            "restore the file from git (scores would not be comparable)")
        self.dataset = name
        self.model = build()
        arrays = files.load_npz(path)
        self.model.set_weights([arrays[f"w{i:03d}"] for i in range(len(arrays))])
        self._forward = tf.function(lambda x: self.model(x, training=False), jit_compile=False)

    def __call__(self, images: np.ndarray, batch: int = 1000):
        """(features (N, 128), logits (N, 10)) of images in [0, 1], (N, 28, 28[, 1])."""
        images = np.asarray(images, np.float32).reshape(-1, 28, 28, 1)
        feats, logits = [], []
        for i in range(0, len(images), batch):
            f, lg = self._forward(tf.constant(images[i : i + batch]))
            feats.append(f.numpy())
            logits.append(lg.numpy())
        return np.concatenate(feats), np.concatenate(logits)


def fit(data_dir=None, epochs: int = EPOCHS, name: str | Dataset = MNIST) -> tuple[keras.Model, dict]:
    """Train on the fit split (seed 0), validate on the validation split, test on the test set:
    (the network, its accuracies and training seconds)."""
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir, name)
    (x_fit, y_fit), (x_val, y_val) = split_validation(x_train, y_train)
    model = build()
    head = keras.Model(model.input, model.outputs[1])
    steps = epochs * (len(x_fit) // BATCH)
    head.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
                 loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                 metrics=["accuracy"])
    shift = keras.Sequential([layers.RandomTranslation(0.08, 0.08, seed=SEED)])
    ds = (tf.data.Dataset.from_tensor_slices((to_unit(x_fit), y_fit)).shuffle(len(x_fit), seed=SEED)
          .batch(BATCH, drop_remainder=True).map(lambda x, y: (shift(x, training=True), y))
          .prefetch(tf.data.AUTOTUNE))
    start = time.perf_counter()
    head.fit(ds, epochs=epochs, validation_data=(to_unit(x_val), y_val), verbose=2,
             shuffle=False)  # ds is shuffled; Keras warns that its shuffle=True is ignored
    seconds = time.perf_counter() - start
    val_acc = head.evaluate(to_unit(x_val), y_val, verbose=0)[1]
    test_acc = head.evaluate(to_unit(x_test), y_test, verbose=0)[1]
    return model, {"dataset": dataset(name).name, "seed": SEED, "epochs": epochs, "batch_size": BATCH,
                   "train_images": f"train[0:{len(x_fit)}]",
                   "validation_accuracy": float(val_acc), "test_accuracy": float(test_acc),
                   "train_seconds": seconds, "tensorflow": tf.__version__}


def train(data_dir=None, out: Path | None = None, epochs: int = EPOCHS, name: str | Dataset = MNIST) -> dict:
    """`fit`, then write the weights to `out` (the candidate file, never the pinned one) and
    its info beside them; returns the info with the weights' sha256."""
    out = pinned(name).candidate if out is None else out
    model, info = fit(data_dir, epochs, name)
    files.write_npz(out, **{f"w{i:03d}": w for i, w in enumerate(model.get_weights())})
    info["sha256"] = sha256(out)
    files.write_json(out.with_suffix(".json"), info)
    return info
