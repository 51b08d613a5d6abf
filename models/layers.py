"""Building blocks shared by the architectures: leaky ReLU, maxout and reparameterized sampling."""

from __future__ import annotations

import functools

import keras
import numpy as np
import tensorflow as tf


def leaky_relu(x, alpha: float = 0.01):
    """max(x, alpha*x): equals x for x >= 0 and alpha*x below, for 0 <= alpha <= 1."""
    if not 0.0 <= float(alpha) <= 1.0:
        raise ValueError(f"leaky_relu needs 0 <= alpha <= 1 (max(x, alpha*x) is wrong otherwise), got {alpha}")
    return tf.maximum(x, alpha * x)


@keras.saving.register_keras_serializable(package="genbench")
class LeakyReLU(keras.layers.Layer):
    """Layer form of `leaky_relu`, so builders can stack it."""

    def __init__(self, alpha: float = 0.01, **kwargs):
        super().__init__(**kwargs)
        leaky_relu(0.0, alpha)  # validates alpha at construction time
        self.alpha = float(alpha)

    def call(self, x):
        return leaky_relu(x, self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


@keras.saving.register_keras_serializable(package="genbench")
class Maxout(keras.layers.Layer):
    """Maxout units (Goodfellow et al. 2013, "Maxout Networks", Eq. 1): `units` outputs, each the
    max of `pieces` affine pieces, h_i = max_j z_(i * pieces + j) with z = x W + b, the pieces of a
    unit consecutive as in pylearn2's Maxout layer."""

    def __init__(self, units: int, pieces: int, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.units, self.pieces = int(units), int(pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units * self.pieces),
                                      initializer=self.kernel_initializer)
        self.bias = self.add_weight(name="bias", shape=(self.units * self.pieces,), initializer="zeros")

    def call(self, x):
        z = tf.matmul(x, self.kernel) + self.bias
        return tf.reduce_max(tf.reshape(z, [-1, self.units, self.pieces]), axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}


def reparameterize(mean, log_var, seed=None, eps=None):
    """z = mean + exp(log_var / 2) * eps with eps ~ N(0, I).

    `eps` is given (training: the step's noise, staged with its batch), or drawn with `seed`,
    a keras.random.SeedGenerator (a fresh eps at every call) or a pair of integers (a
    stateless, repeatable eps). The sample is a deterministic, differentiable function of
    (mean, log_var), so gradients flow through it (Kingma & Welling 2014, Sec. 2.4).
    """
    if eps is None and isinstance(seed, keras.random.SeedGenerator):
        eps = keras.random.normal(tf.shape(mean), seed=seed)
    elif eps is None:
        eps = tf.random.stateless_normal(tf.shape(mean), seed=seed)
    return mean + tf.exp(0.5 * log_var) * eps


def batch_and_noise(model, data):
    """(x, noise) of one training step. The harness stages each batch with its noise, drawn
    by `model.training_noise` from the step's seed (benchmarks.data.pipeline), so that no
    random op runs inside the compiled step, where under XLA on a CPU a draw can cost as much
    as a small model's whole step. A bare batch draws its noise with the model's seed
    generator."""
    if isinstance(data, (tuple, list)):
        x, noise = data
        return x, tuple(noise)
    seed = tf.cast(model.seed_generator.next(), tf.int32)
    return data, model.training_noise(tf.shape(data)[0], seed)


def compiled(model, method: str):
    """`model.<method>` in graph mode, where the conv networks run several times faster than
    eagerly. Pass arguments positionally: tensors (and arrays) may differ between calls in
    their first dimension and their values; anything else (k of the IWAE bound) is part of
    the graph.

    One graph per model object, method and non-tensor arguments, traced once with a batch
    dimension of any size (None), so that the last, smaller chunk of a run reuses it and
    TensorFlow's retracing warning, which counts traces per Python function across every
    model object, stays quiet."""
    cache = model.__dict__.setdefault("_compiled", {})  # a plain attribute: not tracked by Keras

    def call(*args):
        tensor = [tf.is_tensor(a) or isinstance(a, np.ndarray) for a in args]
        static = tuple(None if t else a for t, a in zip(tensor, args))
        inputs = [tf.convert_to_tensor(a) for t, a in zip(tensor, args) if t]
        if (method, static) not in cache:
            any_batch = lambda x: tf.TensorSpec([None, *x.shape[1:]] if x.shape.rank else [], x.dtype)
            cache[method, static] = tf.function(functools.partial(_with_static, getattr(model, method), static),
                                                input_signature=[any_batch(x) for x in inputs])
        return cache[method, static](*inputs)

    return call


def _with_static(bound, static: tuple, *tensors):
    """bound(*args), the tensors put back between the non-tensor arguments."""
    it = iter(tensors)
    return bound(*[next(it) if s is None else s for s in static])


def sample_in_chunks(draw, n: int, chunk: int = 1000):
    """Concatenate draw(i, size) over chunks of at most `chunk`, as float32 in [0, 1]."""
    import numpy as np

    parts = [draw(i, min(chunk, n - start)) for i, start in enumerate(range(0, n, chunk))]
    return np.clip(np.concatenate(parts), 0.0, 1.0).astype(np.float32)
