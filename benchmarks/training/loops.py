"""The two training loops of one pass: Keras's `fit`, and the compiled loop.

`compiled`: the pass's batches come in chunks of `steps_per_execution` steps (each a slice of
the cached, shuffled epoch with its noise, staged by tf.data one chunk ahead), and one call of
a tf.function runs the whole chunk in a `tf.while_loop` of `train_step`, compiled by XLA when
`jit_compile` is on. Python runs once per chunk, not once per step. At batch 20 the Burda VAE
spends most of a step in dispatch, so this is where its speed is (results/perf.md).

The compiled loop drives the same Keras callbacks as `fit`: on_train_begin, then
on_train_batch_end after each chunk with the index of its last step (as `fit` does with
`steps_per_execution`), then on_train_end; metrics are reset when the pass starts, as `fit`
resets them each epoch. The same seed gives the same history either way: bit for bit without
XLA, within float rounding with it (XLA fuses and reorders float arithmetic).
"""

from __future__ import annotations

import keras
import tensorflow as tf


def train_pass(model, batches: tf.data.Dataset, loop: str, chunk: int, jit_compile: bool, callbacks) -> dict:
    """Train one pass over `batches` with `loop`; returns the metrics' means over the pass, as
    floats, in the model's order of metrics."""
    if loop == "fit":
        logs = {k: v[-1] for k, v in model.fit(batches, epochs=1, verbose=0, shuffle=False,
                                                callbacks=list(callbacks)).history.items()}
    else:
        logs = compiled_pass(model, batches, chunk, jit_compile, callbacks)
    return {m.name: float(logs[m.name]) for m in model.metrics}


def compiled_pass(model, batches: tf.data.Dataset, chunk: int, jit_compile: bool, callbacks) -> dict:
    run = chunk_function(model, jit_compile)
    hooks = keras.callbacks.CallbackList(list(callbacks), model=model)
    model.stop_training = False
    model.reset_metrics()
    hooks.on_train_begin()
    hooks.on_epoch_begin(0)
    steps, logs = 0, {}
    for staged in batches.batch(chunk).prefetch(1):
        logs = {k: float(v) for k, v in run(staged).items()}  # waits for the chunk: the clock is true
        steps += int(tf.nest.flatten(staged)[0].shape[0])
        hooks.on_train_batch_end(steps - 1, logs)
        if model.stop_training:
            break
    hooks.on_epoch_end(0, logs)
    hooks.on_train_end(logs)
    return logs


def chunk_function(model, jit_compile: bool):
    """chunk -> the model's metrics after `train_step` on each of the chunk's steps in order;
    made once per model and setting (traced once per chunk length)."""
    cache = model.__dict__.setdefault("_chunk_functions", {})  # plain attribute: not tracked by Keras
    if jit_compile not in cache:

        def run(staged):
            n = tf.shape(tf.nest.flatten(staged)[0])[0]

            def body(i):
                model.train_step(tf.nest.map_structure(lambda t: t[i], staged))
                return (i + 1,)

            tf.while_loop(lambda i: i < n, body, (tf.constant(0),), parallel_iterations=1)
            return {m.name: m.result() for m in model.metrics}

        cache[jit_compile] = tf.function(run, jit_compile=jit_compile)
    return cache[jit_compile]
