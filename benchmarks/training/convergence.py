"""When a run has stopped improving: the rule behind the long suite's budgets.

A run's curve is read at its epoch ends. It has converged after epoch e when e >= `min_epochs`
and, over the last `window` of its epochs (at least `MIN_WINDOW` of them), its best value
improved on the best value before them by less than `tolerance`, relative:

    lower is better (FID):        (best_before - best_recent) / |best_before| < tolerance
    higher is better (ELBO):      (best_recent - best_before) / |best_before| < tolerance

Bests, not last values, so that one noisy point neither stops a run nor keeps it going; a
curve that is still falling has its best in the last window. A criterion with a missing or
non-finite value in the last window has not converged. Pure functions of numbers: the harness
applies them after each epoch to curve.csv, the report to the finished curves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MIN_WINDOW = 2  # epochs: the last window is never a single, possibly noisy, point
CRITERIA = {"fid_quick": "lower", "val_elbo": "higher"}  # curve.csv column -> which way is better


def window_epochs(epochs: int, window: float) -> int:
    """How many of the last epochs make up the window `window` (a share) of `epochs`."""
    return max(MIN_WINDOW, math.ceil(window * epochs - 1e-9))


def improvement(values: Sequence[float], window: float, higher_is_better: bool = False) -> float:
    """The relative improvement of the last window's best on the best before it (positive:
    better); NaN while the curve is shorter than the window plus one epoch or the window holds a
    missing value."""
    values = [float(v) for v in values]
    w = window_epochs(len(values), window)
    if len(values) <= w:
        return float("nan")
    before, recent = values[:-w], values[-w:]
    if not all(math.isfinite(v) for v in recent) or not any(math.isfinite(v) for v in before):
        return float("nan")
    pick = max if higher_is_better else min
    best_before = pick(v for v in before if math.isfinite(v))
    best_recent = pick(recent)
    gain = best_recent - best_before if higher_is_better else best_before - best_recent
    return gain / abs(best_before) if best_before else float("inf") if gain > 0 else 0.0


def converged(values: Sequence[float], tolerance: float, window: float, min_epochs: int,
              higher_is_better: bool = False) -> bool:
    """Whether a curve of one value per epoch end (epoch 1 first) has converged by the rule."""
    if len(values) < min_epochs:
        return False
    gain = improvement(values, window, higher_is_better)
    return math.isfinite(gain) and gain < tolerance


def converged_epoch(values: Sequence[float], tolerance: float, window: float, min_epochs: int,
                    higher_is_better: bool = False) -> int | None:
    """The first epoch after which the curve had converged, or None if it never did."""
    for epoch in range(1, len(values) + 1):
        if converged(values[:epoch], tolerance, window, min_epochs, higher_is_better):
            return epoch
    return None


def all_converged(curves: dict, tolerance: float, window: float, min_epochs: int) -> bool:
    """Whether every curve of `curves` (a CRITERIA column -> its epoch-end values) has converged;
    False for no curves, since there is nothing to judge."""
    return bool(curves) and all(converged(values, tolerance, window, min_epochs, CRITERIA[name] == "higher")
                                for name, values in curves.items())
