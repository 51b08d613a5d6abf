"""Each metric against a closed form or a tiny hand case, plus direction tests."""

import numpy as np
import pytest
from scipy.special import logsumexp

from benchmarks.scoring import metrics


def test_fid_is_zero_for_identical_sets():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 4))
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_fid_matches_the_gaussian_closed_form():
    rng = np.random.default_rng(1)
    # N(0, I) vs N(m, 4I) in d = 3: ||m||^2 + tr(I + 4I - 2 * 2I) = ||m||^2 + 3 * (1 + 4 - 4)
    # with m = (1, 1, 1): 3 + 3 = 6
    a = rng.normal(size=(100_000, 3))
    b = 1.0 + 2.0 * rng.normal(size=(100_000, 3))
    assert metrics.frechet_distance(a, b) == pytest.approx(6.0, rel=0.02)


def test_kid_near_zero_for_one_distribution_and_positive_for_a_shift():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(2000, 8)), rng.normal(size=(2000, 8))
    same, _ = metrics.kernel_distance(a, b, subsets=20, subset_size=500)
    shifted, _ = metrics.kernel_distance(a, b + 1.0, subsets=20, subset_size=500)
    assert abs(same) < 0.01 and shifted > 0.1


def test_kid_uses_all_samples_once_when_the_subset_is_large():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(50, 3)), rng.normal(size=(60, 3))
    mean, std = metrics.kernel_distance(a, b, subset_size=1000)
    assert std == 0.0 and np.isfinite(mean)


def test_kid_by_hand():
    # d = 1, x = {0, 1}, y = {0, 0}: k(u, v) = (uv + 1)^3
    # k_xx off-diagonal: k(0,1) = 1 (twice) -> mean 1; k_yy off-diagonal: 1 -> mean 1
    # k_xy: k(0,0)=1, k(0,0)=1, k(1,0)=1, k(1,0)=1 -> mean 1 ; MMD^2 = 1 + 1 - 2 = 0
    mean, _ = metrics.kernel_distance([[0.0], [1.0]], [[0.0], [0.0]])
    assert mean == pytest.approx(0.0)
    # x = {1, 1}, y = {0, 0}: k_xx = 8, k_yy = 1, k_xy = 1 -> 8 + 1 - 2 = 7
    mean, _ = metrics.kernel_distance([[1.0], [1.0]], [[0.0], [0.0]])
    assert mean == pytest.approx(7.0)


def test_classifier_score_bounds():
    constant = np.tile([10.0] + [0.0] * 9, (100, 1))  # always "0": p(y|x) = p(y) -> exp(0) = 1
    assert metrics.classifier_score(constant)[0] == pytest.approx(1.0, abs=1e-3)
    one_hot = np.eye(10)[np.arange(1000) % 10] * 50.0  # confident and uniform -> exp(log 10) = 10
    assert metrics.classifier_score(one_hot)[0] == pytest.approx(10.0, rel=1e-3)


def test_precision_recall_identical_and_disjoint():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(400, 5))
    assert metrics.precision_recall(a, a.copy()) == (1.0, 1.0)
    p, r = metrics.precision_recall(a, a + 100.0)
    assert p == 0.0 and r == 0.0


def test_precision_recall_by_hand():
    # real on a line at 0, 1, 2, 3 (k = 1: radii 1, 1, 1, 1); fakes at 0.5 (inside) and 10 (outside)
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    fake = np.array([[0.5], [10.0], [10.5]])
    p, r = metrics.precision_recall(real, fake, k=1)
    assert p == pytest.approx(1 / 3)
    # fake radii (k = 1): 9.5, 0.5, 0.5; real points within 9.5 of fake 0.5: 0, 1, 2, 3 -> recall 1
    assert r == pytest.approx(1.0)


def test_density_coverage_direction():
    rng = np.random.default_rng(5)
    real = rng.normal(size=(500, 4))
    d_same, c_same = metrics.density_coverage(real, rng.normal(size=(500, 4)))
    d_far, c_far = metrics.density_coverage(real, rng.normal(size=(500, 4)) + 50.0)
    assert c_same > 0.9 and d_same > 0.7
    assert d_far == 0.0 and c_far == 0.0
    # all 500 samples at one point next to real[0] (1e-3 away, so that no distance sits on a
    # ball's boundary, where float rounding decides): each lies in the same H real balls
    # (real[0]'s own among them), so density = 500 H / (k * 500) = H / 5 and coverage =
    # H / 500, as for a single sample there
    one = real[:1] + 1e-3
    d_one, c_one = metrics.density_coverage(real, np.repeat(one, 500, 0))
    holding = c_one * 500
    assert holding == round(holding) and 1 <= holding <= 25  # a handful of balls, at least its own
    assert d_one == pytest.approx(holding / 5) and c_one < 0.05
    assert metrics.density_coverage(real, one) == pytest.approx((d_one, c_one))


def test_mode_coverage_flags_a_single_digit():
    labels = np.arange(1000) % 10
    all_ones = np.eye(10)[np.ones(500, int)]
    result = metrics.mode_coverage(all_ones, labels)
    assert result["covered"] == 1
    assert result["kl"] == pytest.approx(np.log(10))  # KL(delta_1 || uniform) = log 10
    balanced = metrics.mode_coverage(np.eye(10)[labels], labels)
    assert balanced["covered"] == 10 and balanced["kl"] == pytest.approx(0.0)


def test_confident_coverage_counts_only_samples_the_classifier_is_sure_of():
    labels = np.arange(1000) % 10  # true shares 0.1 each: a digit is covered from a share of 0.025
    sure, unsure = np.eye(10) * 10.0, np.eye(10) * 1.0  # softmax max: e^10 / (e^10 + 9) = 0.9996; e / (e + 9) = 0.23
    # good: 100 confident samples of each digit
    good = metrics.mode_coverage(np.repeat(sure, 100, 0), labels)
    assert good["covered"] == good["covered_confident"] == 10 and good["confident_share"] == 1.0
    # bad: noise the classifier only guesses at covers every digit by its best guess, none confidently
    noise = metrics.mode_coverage(np.repeat(unsure, 100, 0), labels)
    assert noise["covered"] == 10 and noise["covered_confident"] == 0 and noise["confident_share"] == 0.0
    # mixed: digits 0-3 confident (100 samples each), 4-9 guessed (100 each): 4 covered confidently
    mixed = metrics.mode_coverage(np.concatenate([np.repeat(sure[:4], 100, 0), np.repeat(unsure[4:], 100, 0)]),
                                  labels)
    assert mixed["covered"] == 10 and mixed["covered_confident"] == 4 and mixed["confident_share"] == 0.4
    # degenerate: confident samples of digit 3 at 2% of all (below a quarter of 10%) do not cover it
    few = metrics.mode_coverage(np.concatenate([np.repeat(sure[3:4], 2, 0), np.repeat(unsure[5:6], 98, 0)]), labels)
    assert few["covered_confident"] == 0 and few["covered"] == 1  # 5 by the guesses (98%); 3 at 2% is below 2.5%
    # the threshold is a parameter: at 0.2 the unsure samples (0.23) count
    assert metrics.mode_coverage(np.repeat(unsure, 100, 0), labels, confidence=0.2)["covered_confident"] == 10


def test_nearest_index_finds_copies_and_measures_distance():
    rng = np.random.default_rng(3)
    train = rng.random((50, 28, 28, 1)).astype(np.float32)
    # good: exact copies of training images 7 and 31 are at distance 0 from them
    index, distance = metrics.nearest_index(train[[7, 31]], train)
    assert index.tolist() == [7, 31] and distance == pytest.approx([0.0, 0.0], abs=1e-6)
    # by hand: image 7 shifted by 0.01 in every pixel is 0.01 * sqrt(784) = 0.28 away from it
    _, shifted = metrics.nearest_index(train[[7]] + 0.01, train)
    assert shifted[0] == pytest.approx(0.28, rel=1e-4)
    # bad: a blank image is farther from every training image than any copy is
    blank_index, blank = metrics.nearest_index(np.zeros((1, 784)), train)
    assert blank[0] > 5 and blank[0] == pytest.approx(np.linalg.norm(train[blank_index[0]].ravel()), rel=1e-6)


def test_parzen_matches_a_direct_logsumexp():
    rng = np.random.default_rng(6)
    samples = rng.random((7, 784))
    x = rng.random((3, 28, 28, 1))
    sigma = 0.3
    flat = x.reshape(3, -1)
    sq = ((flat[:, None, :] - samples[None]) ** 2).sum(-1)
    direct = logsumexp(-sq / (2 * sigma**2), axis=1) - np.log(7) - 392 * np.log(2 * np.pi * sigma**2)
    np.testing.assert_allclose(metrics.parzen_log_likelihood(samples, x, sigma), direct, rtol=1e-5)


def test_parzen_sigma_is_interior_and_extends_the_grid():
    rng = np.random.default_rng(7)
    centres = rng.random((200, 10))
    val = centres[:50] + 0.02 * rng.normal(size=(50, 10))  # tight clusters: best sigma < 0.1
    sigma, scores = metrics.select_parzen_sigma(centres, val)
    ordered = sorted(scores)
    assert sigma < 0.1 and ordered[0] < sigma < ordered[-1]


def test_nearest_neighbour_ratio_flags_copies():
    rng = np.random.default_rng(8)
    train = rng.random((300, 16))
    test = rng.random((100, 16))
    copies = metrics.nearest_neighbour_ratio(train[:100], train, test)
    fresh = metrics.nearest_neighbour_ratio(rng.random((100, 16)), train, test)
    assert copies["nn_closer_fraction"] == 1.0 and copies["nn_ratio_median"] < 0.01  # float32 distances
    assert fresh["nn_closer_fraction"] < 0.2 and 0.8 < fresh["nn_ratio_median"] < 1.2


def test_density_coverage_by_hand():
    # real at 0, 1, 2, 3 with k = 1: every radius is 1. Fakes at 0.5 and 10.
    # density: fake 0.5 lies strictly inside the balls of 0 and 1 (distance 0.5 < 1), not of 2
    #   (1.5); fake 10 in none -> (2 + 0) / (k * M) = 2 / (1 * 2) = 1.0
    # coverage: nearest fake to 0 and 1 is 0.5 (< 1), to 2 is 1.5 and to 3 is 2.5 -> 2 / 4 = 0.5
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    density, coverage = metrics.density_coverage(real, np.array([[0.5], [10.0]]), k=1)
    assert density == pytest.approx(1.0) and coverage == pytest.approx(0.5)
