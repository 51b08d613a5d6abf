"""Sample-quality metrics as pure functions over NumPy arrays (features, logits, images).

Pairwise distances and their row reductions (k-th neighbour, nearest, ball counts, Parzen
log-sum-exp) run in TensorFlow, in row blocks so memory stays bounded: its float32 matmul
and reductions use every core, and the distances are XLA-compiled.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg
import tensorflow as tf
from scipy.special import softmax

BLOCK = 1024


def _as_2d(x, dtype=np.float32) -> np.ndarray:
    """Flatten to (N, D). Distances use float32 matmuls (errors ~1e-6 relative, far below
    every metric's resolution); means, covariances and log-sum-exps are float64."""
    x = np.asarray(x, dtype=dtype)
    return x.reshape(len(x), -1)


@tf.function(jit_compile=True)
def _squared_distances(block, b, b_sq):
    """||a_i - b_j||^2 = |a_i|^2 + |b_j|^2 - 2 a_i.b_j, clipped at 0. Compiled with XLA, which
    fuses the elementwise terms into one pass over the block (measured here: about 2x the
    unfused ops; float32 rounding differs from them by ~1e-6 relative)."""
    cross = tf.matmul(block, b, transpose_b=True)
    return tf.maximum(tf.reduce_sum(block * block, axis=1)[:, None] + b_sq - 2.0 * cross, 0.0)


def _row_blocks(a, b, fn) -> np.ndarray:
    """Apply fn to ||a_i - b_j||^2 (a float32 tf.Tensor, clipped at 0) for every block of rows
    of a against all of b, and stack the NumPy results."""
    b = tf.constant(b)
    b_sq = tf.reduce_sum(b * b, axis=1)[None, :]
    return np.concatenate([np.asarray(fn(_squared_distances(tf.constant(a[i : i + BLOCK]), b, b_sq)))
                           for i in range(0, len(a), BLOCK)])


def frechet_distance(feats_a, feats_b, eps: float = 1e-6) -> float:
    """FID = ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) (Heusel et al. 2017).

    As in the reference implementation, a non-finite square root is retried with eps*I added
    to both covariances, and a negligible imaginary part (numerical) is dropped.
    """
    a, b = _as_2d(feats_a, np.float64), _as_2d(feats_b, np.float64)
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():  # a singular product is handled below, as in the reference
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        covmean = scipy.linalg.sqrtm(s_a @ s_b)
    if not np.isfinite(covmean).all():
        offset = np.eye(len(s_a)) * eps
        covmean = scipy.linalg.sqrtm((s_a + offset) @ (s_b + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(f"FID: imaginary component {np.abs(covmean.imag).max():.3g}")
        covmean = covmean.real
    diff = mu_a - mu_b
    return float(max(diff @ diff + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(covmean), 0.0))


KID_SUBSET_SIZE = 1000  # images in each of KID's random subsets


def kernel_distance(feats_a, feats_b, subsets: int = 100, subset_size: int = KID_SUBSET_SIZE, seed: int = 0):
    """KID: unbiased MMD^2 with k(x, y) = (x.y / d + 1)^3, mean and std over random subsets.

    Bińkowski et al. 2018, "Demystifying MMD GANs". When subset_size >= the smaller set, all
    samples are used once (one subset).
    """
    a, b = _as_2d(feats_a), _as_2d(feats_b)
    m = min(len(a), len(b), subset_size)
    if m < 2:
        raise ValueError("KID needs at least 2 samples in each set")
    rng = np.random.default_rng(seed)
    n_subsets = 1 if subset_size >= min(len(a), len(b)) else subsets
    if n_subsets > 1:  # x and y drawn in turn, subset by subset
        pairs = [(rng.choice(len(a), m, replace=False), rng.choice(len(b), m, replace=False))
                 for _ in range(n_subsets)]
        x, y = np.stack([a[i] for i, _ in pairs]), np.stack([b[j] for _, j in pairs])
    else:
        x, y = a[None, :m], b[None, :m]
    values = np.concatenate([_mmd2(tf.constant(x[i : i + 10]), tf.constant(y[i : i + 10])).numpy()
                             for i in range(0, n_subsets, 10)])
    return float(np.mean(values)), float(np.std(values))


@tf.function(input_signature=[tf.TensorSpec([None, None, None], tf.float32)] * 2)
def _mmd2(x, y):
    """Unbiased MMD^2 of each subset pair (x[s], y[s]): float32 kernel matrices, float64 sums.
    One graph for every shape (a fixed signature): with retracing, the graph, and the last bits
    of the sums, depended on which shapes the process had scored before (seen in the kill test)."""
    m, d = tf.cast(tf.shape(x)[1], tf.float64), tf.cast(tf.shape(x)[2], tf.float32)

    def sums(u, v):  # (sum, trace) of k(u_i, v_j) = (u.v / d + 1)^3 per subset
        t = tf.matmul(u, v, transpose_b=True) / d + 1.0
        k = tf.cast(t * t * t, tf.float64)
        return tf.reduce_sum(k, axis=[1, 2]), tf.linalg.trace(k)

    (xx, xx_diag), (yy, yy_diag), (xy, _) = sums(x, x), sums(y, y), sums(x, y)
    off = m * (m - 1)
    return (xx - xx_diag) / off + (yy - yy_diag) / off - 2 * xy / (m * m)


def classifier_score(logits, splits: int = 10):
    """exp(E_x KL(p(y|x) || p(y))) per split, mean and std (the Inception-score formula,
    Salimans et al. 2016, on the MNIST classifier: between 1 and the number of classes)."""
    p = softmax(np.asarray(logits, dtype=np.float64), axis=1)
    scores = []
    for part in np.array_split(p, splits):
        p_y = part.mean(0, keepdims=True)
        kl = (part * (np.log(part + 1e-12) - np.log(p_y + 1e-12))).sum(1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def kth_radius(x, k: int) -> np.ndarray:
    """Distance from each point to its k-th nearest neighbour in x, itself left out."""
    x = _as_2d(x)
    return np.sqrt(_row_blocks(x, x, lambda d: -tf.math.top_k(-d, k + 1).values[:, k]))


def _inside_counts(points, centres, radii) -> np.ndarray:
    """For each point: how many balls B(centre_i, radius_i) hold it strictly (<)."""
    r2 = tf.constant((np.asarray(radii) ** 2)[None, :], tf.float32)
    return _row_blocks(points, centres, lambda d: tf.reduce_sum(tf.cast(d < r2, tf.int32), axis=1))


def precision_recall(real_feats, fake_feats, k: int = 3, real_radii=None):
    """Improved precision and recall (Kynkäänniemi et al. 2019) with k-NN balls.

    precision = share of fakes inside some real ball; recall = share of reals inside some
    fake ball. Radii are k-th neighbour distances within each set, the point left out
    (`real_radii` may be passed precomputed: kth_radius(real_feats, k)).
    """
    real, fake = _as_2d(real_feats), _as_2d(fake_feats)
    radii = kth_radius(real, k) if real_radii is None else real_radii
    precision = (_inside_counts(fake, real, radii) > 0).mean()
    recall = (_inside_counts(real, fake, kth_radius(fake, k)) > 0).mean()
    return float(precision), float(recall)


def density_coverage(real_feats, fake_feats, k: int = 5, real_radii=None):
    """Density and coverage (Naeem et al. 2020), with k-NN balls around the real points.

    density = (1 / kM) sum_j #{i : fake_j in B(real_i)}; coverage = share of real balls
    holding at least one fake (`real_radii` may be passed precomputed).
    """
    real, fake = _as_2d(real_feats), _as_2d(fake_feats)
    radii = kth_radius(real, k) if real_radii is None else real_radii
    density = _inside_counts(fake, real, radii).sum() / (k * len(fake))
    nearest_fake = np.sqrt(_row_blocks(real, fake, lambda d: tf.reduce_min(d, axis=1)))
    return float(density), float((nearest_fake < radii).mean())


MODE_MIN_SHARE = 0.25  # a class is covered at this share of its true share of the samples, or more
MODE_CONFIDENCE = 0.9  # the softmax probability of a confident sample


def mode_coverage(fake_logits, real_labels, n_classes: int = 10, min_share: float = MODE_MIN_SHARE,
                  confidence: float = MODE_CONFIDENCE) -> dict:
    """The samples' predicted-digit histogram against the true class distribution.

    A digit is covered when its share of the samples is at least `min_share` times its true
    share (a quarter, by default): `covered` counts the classifier's best guess for every
    sample, noise included; `covered_confident` counts only the samples it assigns with
    softmax probability >= `confidence` (its share of all samples, so noise covers nothing).
    mode_kl = KL(histogram || true distribution), in nats.
    """
    logits = np.asarray(fake_logits, np.float64)
    predicted = np.argmax(logits, axis=1)
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    sure = probabilities.max(1) >= confidence
    hist = np.bincount(predicted, minlength=n_classes) / len(predicted)
    sure_hist = np.bincount(predicted[sure], minlength=n_classes) / len(predicted)
    true = np.bincount(np.asarray(real_labels), minlength=n_classes) / len(real_labels)
    nonzero = hist > 0
    kl = float((hist[nonzero] * np.log(hist[nonzero] / true[nonzero])).sum())
    return {"histogram": hist.tolist(), "covered": int((hist >= min_share * true).sum()), "kl": kl,
            "covered_confident": int((sure_hist >= min_share * true).sum()), "confident_share": float(sure.mean())}


def parzen_log_likelihood(samples, x, sigma: float) -> np.ndarray:
    """log p(x_i) in nats under an isotropic Gaussian Parzen window of width sigma on samples.

    log p(x) = logsumexp_j(-||x - s_j||^2 / (2 sigma^2)) - log N - (d / 2) log(2 pi sigma^2).
    Pixels in [0, 1]; images (N, 28, 28, 1) or flat (N, 784).
    """
    s, q = _as_2d(samples), _as_2d(x)
    return _row_blocks(q, s, lambda d: _parzen_from_sq(d, sigma, s.shape[1]))


def _parzen_from_sq(sq, sigma: float, dim: int) -> np.ndarray:
    """Row-wise log-sum-exp of -sq / (2 sigma^2) (TensorFlow's, the row max subtracted
    first), then the normalisation in float64."""
    lse = tf.reduce_logsumexp(tf.convert_to_tensor(sq, tf.float32) * (-0.5 / sigma**2), axis=1)
    return lse.numpy().astype(np.float64) - np.log(sq.shape[1]) - 0.5 * dim * np.log(2 * np.pi * sigma**2)


def select_parzen_sigma(samples, x_val, grid=None, max_extensions: int = 5):
    """Goodfellow et al. 2014: the sigma of 10 log-spaced values in [0.1, 1] that maximises
    the mean validation log-likelihood; the grid is extended while the best is at its edge.
    Returns (sigma, {sigma: mean log-likelihood})."""
    s, v = _as_2d(samples), _as_2d(x_val)
    sq = _row_blocks(v, s, lambda d: d)
    grid = list(np.logspace(-1, 0, 10) if grid is None else grid)
    scores = {}
    for _ in range(max_extensions + 1):
        for sigma in grid:
            if sigma not in scores:
                scores[sigma] = float(_parzen_from_sq(sq, sigma, s.shape[1]).mean())
        ordered = sorted(scores)
        best = max(ordered, key=scores.get)
        step = ordered[1] / ordered[0]
        if best == ordered[0]:
            grid = [ordered[0] / step**i for i in range(1, 4)]
        elif best == ordered[-1]:
            grid = [ordered[-1] * step**i for i in range(1, 4)]
        else:
            break
    return float(best), scores


def nearest_distance(queries, train) -> np.ndarray:
    """Pixel distance from each query to its nearest training image."""
    tr = _as_2d(train)
    return np.sqrt(_row_blocks(_as_2d(queries), tr, lambda d: tf.reduce_min(d, axis=1)))


def nearest_index(queries, train) -> tuple[np.ndarray, np.ndarray]:
    """(index, pixel distance) of each query's nearest training image (exact, in float64)."""
    q, tr = _as_2d(queries).astype(np.float64), _as_2d(train).astype(np.float64)
    sq = (q**2).sum(1)[:, None] + (tr**2).sum(1)[None, :] - 2 * q @ tr.T
    index = sq.argmin(1)
    return index, np.sqrt(np.maximum(sq[np.arange(len(q)), index], 0.0))


NN_PERCENTILE = 5  # closer_fraction counts samples nearer than this percentile of the test images


def nearest_neighbour_ratio(samples, train, test=None, test_distances=None) -> dict:
    """Memorization check in pixel space.

    ratio_i = (distance from sample i to its nearest training image) / median(distance from a
    test image to its nearest training image). closer_fraction = share of samples nearer to
    the training set than the 5th percentile of test images (real held-out data gives 0.05).
    `test_distances` may be passed precomputed (nearest_distance(test, train)).
    """
    d_test = nearest_distance(test, train) if test_distances is None else test_distances
    d_sample = nearest_distance(samples, train)
    typical = np.median(d_test)
    return {"nn_ratio_median": float(np.median(d_sample / typical)),
            "nn_closer_fraction": float((d_sample < np.percentile(d_test, NN_PERCENTILE)).mean())}
