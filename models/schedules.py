"""Learning-rate schedules as pure functions of the pass (epoch) index: the harness sets the
optimizer's rate before each pass, so a resumed run follows the same schedule."""

from __future__ import annotations

import bisect
import itertools


def stage_of(stages, epoch: int) -> int:
    """The stage i (0-based) that 0-based pass `epoch` falls in, stage i lasting stages[i]
    passes; passes after the last stage stay in it."""
    if epoch < 0:
        raise ValueError(f"epoch must be >= 0, got {epoch}")
    ends = list(itertools.accumulate(int(n) for n in stages))  # pass index where each stage ends
    return min(bisect.bisect_right(ends, epoch), len(ends) - 1)


def burda_learning_rate(epoch: int, stages, base: float = 1e-3) -> float:
    """lr = base * 10^(-i/7) during stage i, stage i lasting stages[i] passes.

    Burda, Grosse & Salakhutdinov 2015, "Importance Weighted Autoencoders", Sec. 5: Adam at
    1e-3 * 10^(-i/7) for 3^i passes, i = 0..7 (3,280 passes in all); `stages` may be a
    compressed version of (1, 3, ..., 2187).
    """
    return base * 10.0 ** (-stage_of(stages, epoch) / 7.0)


def learning_rate(hyperparameters: dict, epoch: int) -> float | None:
    """The rate of 0-based pass `epoch` for a model with a staged schedule (a `stages`
    setting), else None (the optimizer keeps its constant rate)."""
    stages = hyperparameters.get("stages")
    if not stages:
        return None
    return burda_learning_rate(epoch, stages, hyperparameters["learning_rate"])
