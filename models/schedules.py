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


def noise_schedule(name: str, steps: int = 1000):
    """(betas, alpha_bars) of a discrete diffusion process of `steps` steps, as float64 arrays:
    q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I) and alpha_bar_t = prod_{s<=t} (1 - beta_s).

    "linear": beta from 1e-4 to 0.02 (Ho, Jain & Abbeel 2020, Sec. 4, for T = 1000; the ends scale
    by 1000 / T for another T). "cosine": alpha_bar_t = f(t) / f(0), f(t) = cos²((t/T + s)/(1 + s)·π/2),
    s = 0.008, betas clipped at 0.999 (Nichol & Dhariwal 2021, Eq. 17).
    """
    import numpy as np

    if steps < 1:
        raise ValueError(f"a noise schedule needs at least 1 step, got {steps}")
    if name == "linear":
        scale = 1000.0 / steps
        betas = np.linspace(scale * 1e-4, scale * 0.02, steps, dtype=np.float64)
    elif name == "cosine":
        f = lambda t: np.cos((t / steps + 0.008) / 1.008 * np.pi / 2) ** 2
        t = np.arange(steps + 1, dtype=np.float64)
        betas = np.clip(1.0 - f(t[1:]) / f(t[:-1]), 0.0, 0.999)
    else:
        raise ValueError(f"unknown noise schedule {name!r}; choose from linear, cosine")
    return betas, np.cumprod(1.0 - betas)
