"""Throughput as the harness trains, against the bare step (`perf` writes the table).

Every setting of a model is measured in one process, interleaved, `--reps` times (median):
machines of this kind vary by up to 2x between runs, so only settings measured side by side
are compared. FLOPs come from TensorFlow's graph profiler (float_operation) on the traced train
step, gradients and optimizer update included.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

import models
from benchmarks import precision
from benchmarks.data.pipeline import EpochData
from benchmarks.training.callbacks import StepClock
from benchmarks.training.grid import set_determinism

# setting -> (dtype policy, op determinism, loop): "harness" is fit on the pipeline with the
# harness's step clock; "bare" is tf.function(train_step) over the same batches, prefetched
SETTINGS = {"float32": ("float32", False, "harness"), "mixed_bfloat16": ("mixed_bfloat16", False, "harness"),
            "float32, op determinism": ("float32", True, "harness"), "bare step": (None, False, "bare")}


def step_flops(model, batch) -> int:
    """FLOPs of one train step, counted by tf.profiler on its traced graph."""
    concrete = tf.function(model.train_step).get_concrete_function(tf.TensorSpec(batch.shape, tf.float32))
    opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    opts["output"] = "none"
    return int(tf.compat.v1.profiler.profile(graph=concrete.graph, options=opts).total_float_ops)


def images_per_second(config: dict, data: EpochData, setting: str) -> float:
    """Steady-state images/s of one freshly built model under `setting` (first steps apart)."""
    policy, deterministic, loop = SETTINGS[setting]
    set_determinism(deterministic)
    keras.utils.set_random_seed(0)
    with precision.policy(policy or config["dtype"]):
        model = models.build(config["model"], jit_compile=config["jit_compile"],
                             steps_per_execution=config["steps_per_execution"] if loop == "harness" else 1,
                             **config["hyperparameters"])
    if loop == "harness":
        model.fit(data.epoch(0).take(2), verbose=0, shuffle=False)  # tracing
        clock = StepClock(max_steps=data.steps)
        model.fit(data.epoch(1), verbose=0, shuffle=False, callbacks=[clock])
        return clock.images_per_second(data.batch_size)
    step = tf.function(model.train_step)
    for batch in data.epoch(0).take(2):
        step(batch)
    start, steps = time.perf_counter(), 0
    for batch in data.epoch(1):
        logs = step(batch)
        steps += 1
    float(logs[model.metrics[0].name])  # wait for the last step
    return steps * data.batch_size / (time.perf_counter() - start)


def measure(config: dict, x_fit: np.ndarray, steps: int, reps: int, binarize: bool) -> dict:
    data = EpochData(x_fit, config["family"], config["batch_size"], seed=0, binarize=binarize, max_steps=steps)
    measured = {s: [] for s in SETTINGS}
    for _ in range(reps):  # interleaved: each rep measures every setting once
        for setting in SETTINGS:
            measured[setting].append(images_per_second(config, data, setting))
    set_determinism(False)
    row = {"model": config["model"], "dtype": config["dtype"], "batch": config["batch_size"],
           "gflop_per_step": step_flops(models.build(config["model"], **config["hyperparameters"]),
                                        next(iter(data.epoch(0)))) / 1e9}
    row.update({f"img/s {s}": float(np.median(v)) for s, v in measured.items()})
    row["rep spread"] = max((max(v) - min(v)) / np.median(v) for v in measured.values())  # the noise floor
    row["bf16 / float32"] = row["img/s mixed_bfloat16"] / row["img/s float32"]
    row["harness / bare"] = row[f"img/s {config['dtype']}"] / row["img/s bare step"]
    row["op determinism cost"] = 1 - row["img/s float32, op determinism"] / row["img/s float32"]
    return row
