"""The stop rule of the long suite on synthetic curves: flat, still falling, noisy, and the
degenerate ones (too short, missing values, a zero best)."""

import numpy as np
import pytest

from benchmarks.training import convergence

RULE = {"tolerance": 0.02, "window": 0.2, "min_epochs": 10}


def test_the_window_is_a_fifth_of_the_epochs_and_at_least_two():
    # 10 epochs: a fifth is 2; 11: 2.2, so 3; 50: 10; 3: 0.6, raised to MIN_WINDOW = 2
    assert [convergence.window_epochs(n, 0.2) for n in (10, 11, 50, 3)] == [2, 3, 10, 2]


def test_a_flat_curve_has_converged_at_the_first_allowed_epoch():
    flat = [40.0] * 15
    assert convergence.improvement(flat, 0.2) == 0.0
    assert convergence.converged_epoch(flat, **RULE) == 10  # min_epochs, not earlier


def test_a_curve_still_falling_has_not_converged():
    # FID = 100 / epoch: over the last fifth of 30 epochs (25..30) the best is 100/30 = 3.33 against
    # 100/24 = 4.17 before, an improvement of 1 - 24/30 = 20%, far above 2%
    falling = [100.0 / e for e in range(1, 31)]
    assert convergence.improvement(falling, 0.2) == pytest.approx(1 - 24 / 30)
    assert convergence.converged_epoch(falling, **RULE) is None


def test_a_curve_that_levels_off_converges_where_its_gains_fall_below_the_tolerance():
    # FID = 20 + 80 * 0.7^epoch: the gain over the last fifth shrinks geometrically
    levels = [20 + 80 * 0.7 ** e for e in range(1, 41)]
    epoch = convergence.converged_epoch(levels, **RULE)
    assert epoch is not None and 10 < epoch < 40
    w = convergence.window_epochs(epoch, 0.2)
    gain = (levels[epoch - w - 1] - levels[epoch - 1]) / levels[epoch - w - 1]  # monotone: bests are the ends
    assert gain < 0.02
    w_before = convergence.window_epochs(epoch - 1, 0.2)
    assert (levels[epoch - w_before - 2] - levels[epoch - 2]) / levels[epoch - w_before - 2] >= 0.02


def test_noise_around_a_plateau_does_not_keep_a_run_going():
    # 5% noise around a flat 30: the best of the last fifth rarely beats the best of the four
    # fifths before by 2%, since the earlier window is four times larger
    rng = np.random.default_rng(0)
    noisy = list(30 * (1 + 0.05 * rng.standard_normal(40)))
    assert convergence.converged_epoch(noisy, **RULE) is not None


def test_noise_does_not_stop_a_curve_that_is_still_falling():
    # the same 5% noise on 100 / epoch: a gain of about 20% per fifth stays well above 2%
    rng = np.random.default_rng(1)
    noisy = [100.0 / e * (1 + 0.05 * rng.standard_normal()) for e in range(1, 31)]
    assert convergence.converged_epoch(noisy, **RULE) is None


def test_a_higher_is_better_curve_reads_the_other_way():
    # an ELBO rising from -150 towards -90: still rising 5 nats a fifth is 5/95 > 2%
    rising = [-90 - 60 * 0.9 ** e for e in range(1, 21)]
    assert convergence.improvement(rising, 0.2, higher_is_better=True) > 0.02
    assert not convergence.converged(rising, **RULE, higher_is_better=True)
    # the same numbers read as lower-is-better got worse: no improvement at all, converged
    assert convergence.converged(rising, **RULE, higher_is_better=False)
    flat = [-90.0] * 12
    assert convergence.converged(flat, **RULE, higher_is_better=True)


def test_degenerate_curves_never_converge():
    assert not convergence.converged([40.0] * 9, **RULE)  # shorter than min_epochs
    assert np.isnan(convergence.improvement([40.0, 40.0], 0.2))  # no epoch before the window
    with_gap = [40.0] * 11 + [float("nan")]
    assert not convergence.converged(with_gap, **RULE)  # the window holds a missing value
    assert convergence.improvement([0.0] * 12, 0.2) == 0.0  # a zero best: no division by zero
    assert convergence.improvement([0.0] * 10 + [-1.0, -1.0], 0.2) == float("inf")


def test_every_criterion_must_have_converged():
    flat, falling = [40.0] * 20, [100.0 / e for e in range(1, 21)]
    assert convergence.all_converged({"fid_quick": flat}, **RULE)
    assert not convergence.all_converged({"fid_quick": flat, "val_elbo": [-v for v in falling]}, **RULE)
    assert not convergence.all_converged({}, **RULE)  # nothing measured: nothing to judge
