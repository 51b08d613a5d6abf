"""SGD with classical momentum whose coefficient changes between epochs, as pylearn2's
MomentumAdjustor changes it (Goodfellow et al. 2014's GAN trains with it), and the learning
rate that pylearn2's ExponentialDecay divides by a constant factor at every update."""

from __future__ import annotations

import math

import keras
from keras import ops


def momentum_at(epoch: int, start: float, final: float, saturate: int) -> float:
    """The momentum of 0-based `epoch`: pylearn2's MomentumAdjustor(start=1, saturate) counts one
    more call at every monitor (before the first epoch and after each), so the momentum of an
    epoch that follows `epoch` finished ones moves linearly from `start` to `final` and stays
    there from `saturate - 1` finished epochs on."""
    share = min(1.0, max(0.0, epoch / (saturate - 1))) if saturate > 1 else 1.0
    return start + share * (final - start)


class DecayedRate(keras.optimizers.schedules.LearningRateSchedule):
    """max(min_rate, rate / decay^t) at update t: pylearn2's ExponentialDecay(decay_factor,
    min_lr), written as rate * exp(-t log decay) so that float32 keeps a factor as close to 1 as
    1.000004 (1 / 1.000004 itself rounds in float32 by up to 3e-8, 0.4% after 125,000 updates)."""

    def __init__(self, rate: float, decay: float, min_rate: float = 1e-6):
        self.rate, self.decay, self.min_rate = float(rate), float(decay), float(min_rate)

    def __call__(self, step):
        log_decay = math.log(self.decay)
        return ops.maximum(self.min_rate, self.rate * ops.exp(-ops.cast(step, "float32") * log_decay))

    def get_config(self):
        return {"rate": self.rate, "decay": self.decay, "min_rate": self.min_rate}


def decayed_rate(learning_rate: float, decay: float) -> DecayedRate:
    """learning_rate / decay^t at update t, never below 1e-6 (mnist.yaml's min_lr)."""
    return DecayedRate(learning_rate, decay)


class MomentumSGD(keras.optimizers.SGD):
    """keras.optimizers.SGD (velocity = momentum * velocity - rate * gradient; w += velocity)
    with the momentum held in a variable, `set_momentum` between epochs, so a compiled step
    reads the current value instead of the one it was traced with."""

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentum_value = self.add_variable((), initializer=keras.initializers.Constant(self.momentum),
                                                name="momentum_value")

    def set_momentum(self, value: float) -> None:
        self.momentum_value.assign(value)

    def update_step(self, gradient, variable, learning_rate):
        rate = ops.cast(learning_rate, variable.dtype)
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, ops.subtract(ops.multiply(m, ops.cast(self.momentum_value, variable.dtype)),
                                    ops.multiply(ops.cast(gradient, variable.dtype), rate)))
        self.assign_add(variable, m)
