"""Building blocks shared by the architectures: leaky ReLU and reparameterized sampling."""

from __future__ import annotations

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
    random op runs inside the compiled step: under XLA on this CPU a draw of 1,000 normals
    cost about 0.2-0.7 ms, most of a step of the Burda VAE. A bare batch draws its noise with
    the model's seed generator."""
    if isinstance(data, (tuple, list)):
        x, noise = data
        return x, tuple(noise)
    seed = tf.cast(model.seed_generator.next(), tf.int32)
    return data, model.training_noise(tf.shape(data)[0], seed)


_SHARED = {}  # (architecture, method, non-tensor arguments) -> (template model, tf.function)


def compiled(model, method: str):
    """`model.<method>` in graph mode, where the conv networks run several times faster than
    eagerly. Pass arguments positionally; tensors (and arrays) may differ between calls in
    their first dimension and values, anything else is part of the graph.

    One graph serves every model of the same architecture (`model.architecture`, set by
    `models.build`): traced once, on the first such model, with the variables' values as
    inputs (`keras.StatelessScope`) and a batch dimension of any size, it takes each later
    model's own values. Scoring loads one model object per run, and with a graph per object
    TensorFlow traced each method again for every run, and for each new chunk size, and
    warned of retracing. A model without `architecture` gets graphs of its own."""
    key = getattr(model, "architecture", None)
    cache = _SHARED if key else model.__dict__.setdefault("_compiled", {})  # plain attribute: untracked

    def call(*args):
        tensor = [tf.is_tensor(a) or isinstance(a, np.ndarray) for a in args]
        static = tuple(None if t else a for t, a in zip(tensor, args))
        inputs = [tf.convert_to_tensor(a) for t, a in zip(tensor, args) if t]
        if (key, method, static) not in cache:
            template = model

            def stateless(values, *tensors):
                it = iter(tensors)
                full = [next(it) if s is None else s for s in static]
                with keras.StatelessScope(state_mapping=list(zip(template.variables, values))):
                    return getattr(template, method)(*full)

            any_batch = lambda x: tf.TensorSpec([None, *x.shape[1:]] if x.shape.rank else [], x.dtype)
            signature = [[tf.TensorSpec(v.shape, v.dtype) for v in template.variables]] + [any_batch(x) for x in inputs]
            cache[key, method, static] = template, tf.function(stateless, input_signature=signature)
        template, graph = cache[key, method, static]
        if model is not template and [(v.shape, v.dtype) for v in model.variables] != [
                (v.shape, v.dtype) for v in template.variables]:
            raise ValueError(f"{model.name}: its variables differ from those of its architecture {key}")
        return graph([v.value for v in model.variables], *inputs)

    return call


def sample_in_chunks(draw, n: int, chunk: int = 1000):
    """Concatenate draw(i, size) over chunks of at most `chunk`, as float32 in [0, 1]."""
    import numpy as np

    parts = [draw(i, min(chunk, n - start)) for i, start in enumerate(range(0, n, chunk))]
    return np.clip(np.concatenate(parts), 0.0, 1.0).astype(np.float32)
