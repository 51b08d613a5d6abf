"""What a batch of samples is compared against, and its metrics: the References of a dataset
(its test images, their features and k-NN radii, the splits Parzen and memorization use) and
`sample_metrics`, every sample-quality metric of images (N, 28, 28, 1) in [0, 1]. The `score`
command (benchmarks.scoring.scorer) applies them to run folders, score_samples to anyone's
samples, and training's quick FID to a model's samples as it trains.
"""

from __future__ import annotations

import functools

import numpy as np

from benchmarks import runs
from benchmarks.data.mnist import FIT, MNIST, VALIDATION, Dataset, dataset, load_mnist
from benchmarks.data.pipeline import binarize_once, to_unit
from benchmarks.errors import Damaged
from benchmarks.scoring import cache, metrics
from benchmarks.scoring.feature_net import FeatureNet

SCORER_VERSION = 4  # 2: the IWAE bound on exactly likelihood_images images; 3: confident mode coverage;
# 4: sampling cost, and the diffusion family's FID against sampler steps
NN_SAMPLES = 2000  # samples checked for memorization (pixel-space nearest neighbours)
PARZEN_VALIDATION = 1000  # images that choose the Parzen window's sigma
RADII = (3, 5)  # the k of precision/recall's and of density/coverage's k-NN radii


class References:
    """Everything the metrics compare against, computed once per process."""

    def __init__(self, data_dir=None, name: str | Dataset = MNIST):
        (x_train, y_train), (x_test, y_test) = load_mnist(data_dir, name)
        self.dataset = dataset(name)
        self.net = FeatureNet(name)
        self.test = to_unit(x_test)
        self.test_labels = y_test
        self.train = to_unit(x_train[FIT])
        self.real_samples = to_unit(x_train[VALIDATION])
        self.parzen_val = self.real_samples[:PARZEN_VALIDATION]
        self.parzen_val_real = self.train[-PARZEN_VALIDATION:]
        self.test_binary = binarize_once(self.test, seed=0)
        self.made_by = (self.dataset.name, self.dataset.features_sha256, SCORER_VERSION)
        stats = cache.arrays("test-features", self.made_by, self._test_statistics)
        self.test_feats, self.test_logits = stats["features"], stats["logits"]
        self.radii = {k: stats[f"radius_{k}"] for k in RADII}

    def _test_statistics(self) -> dict:
        feats, logits = self.net(self.test)
        return {"features": feats, "logits": logits,
                **{f"radius_{k}": metrics.kth_radius(feats, k) for k in RADII}}

    @functools.cached_property
    def test_nn(self) -> np.ndarray:
        """Distances from the first NN_SAMPLES test images to their nearest training image."""
        compute = lambda: {"distances": metrics.nearest_distance(self.test[:NN_SAMPLES], self.train)}
        return cache.arrays("test-nearest-train", (*self.made_by, NN_SAMPLES), compute)["distances"]


def references(data_dir=None, name: str | Dataset = MNIST) -> References:
    """The References of a dataset, built once per process: training's quick FID
    and every run's scoring share them."""
    return _references(None if data_dir is None else str(data_dir), dataset(name).name)


@functools.lru_cache(maxsize=2)
def _references(data_dir, name: str) -> References:
    return References(data_dir, name)


def check_samples(images, where) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1) or images.dtype != np.float32:
        raise Damaged(where, f"holds {images.dtype} {images.shape}, not float32 samples (N, 28, 28, 1)",
                      runs.RESAMPLE)
    if not np.isfinite(images).all() or images.min() < 0 or images.max() > 1:
        raise Damaged(where, "holds samples that are not finite or not in [0, 1]", runs.RESAMPLE)
    return images


DRAW_SEED = 2024  # the Bernoulli draws x ~ p(x|z) of a VAE's samples, for the Parzen contrast


def bernoulli_draws(means: np.ndarray, seed: int = DRAW_SEED) -> np.ndarray:
    """Binary images x ~ Bernoulli(means): what a VAE's model p(x) generates, where its
    samples.npz holds the means sigmoid(decoder(z))."""
    rng = np.random.default_rng(seed)
    return (rng.random(means.shape, dtype=np.float32) < means).astype(np.float32)


def blurred(images: np.ndarray, pixels: float) -> np.ndarray:
    """Images (N, 28, 28, 1) blurred by a Gaussian of standard deviation `pixels` in each image's
    plane (scipy.ndimage.gaussian_filter, edges reflected): still in [0, 1]."""
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(np.asarray(images, np.float32), sigma=(0, pixels, pixels, 0)).astype(np.float32)


def fid_of(images, refs: References) -> float:
    """The FID of images (N, 28, 28, 1) in [0, 1] against the test images, in the pinned features."""
    return metrics.frechet_distance(refs.net(images)[0], refs.test_feats)


def parzen(images, refs: References, parzen_val=None) -> dict:
    """Goodfellow et al. 2014's protocol: sigma by validation log-likelihood (`parzen_val`, by
    default refs.parzen_val), then the mean test log-likelihood ± its standard error."""
    sigma, _ = metrics.select_parzen_sigma(images, refs.parzen_val if parzen_val is None else parzen_val)
    ll = metrics.parzen_log_likelihood(images, refs.test, sigma)
    return {"parzen_ll": float(ll.mean()), "parzen_ll_se": float(ll.std(ddof=1) / np.sqrt(len(ll))),
            "parzen_sigma": sigma}


def sample_metrics(images, refs: References, parzen_val=None) -> dict:
    """Every sample-quality metric of images (N, 28, 28, 1) in [0, 1]."""
    feats, logits = refs.net(images)
    out = {"fid": metrics.frechet_distance(feats, refs.test_feats)}
    out["kid"], out["kid_std"] = metrics.kernel_distance(feats, refs.test_feats)
    out["classifier_score"], out["classifier_score_std"] = metrics.classifier_score(logits)
    out["precision"], out["recall"] = metrics.precision_recall(refs.test_feats, feats, 3, refs.radii[3])
    out["density"], out["coverage"] = metrics.density_coverage(refs.test_feats, feats, 5, refs.radii[5])
    modes = metrics.mode_coverage(logits, refs.test_labels)
    out["modes_covered"], out["mode_kl"] = modes["covered"], modes["kl"]
    out["modes_confident"], out["confident_share"] = modes["covered_confident"], modes["confident_share"]
    out.update({f"mode_hist_{d}": share for d, share in enumerate(modes["histogram"])})
    out.update(parzen(images, refs, parzen_val))
    out.update(metrics.nearest_neighbour_ratio(images[:NN_SAMPLES], refs.train, test_distances=refs.test_nn))
    return out
