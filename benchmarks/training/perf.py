"""Throughput as the harness trains, in each loop and precision, against the bare step, and the
harness's cost per pass outside the training clock (`perf` writes the table).

Every setting of a model is measured in one process, interleaved, `--reps` times (median):
machines of this kind vary by up to 2x between runs, so only settings measured side by side
are compared. FLOPs come from TensorFlow's graph profiler (float_operation) on the traced train
step, gradients and optimizer update included.
"""

from __future__ import annotations

import tempfile
import time

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

import models
from benchmarks import precision
from benchmarks.data.pipeline import EpochData
from benchmarks.training import loops
from benchmarks.training.callbacks import StepClock
from benchmarks.training.grid import set_determinism

# setting -> (dtype policy (None: the model's), op determinism, loop, XLA); a loop of None is the
# bare step, one tf.function(train_step) call per batch over the same batches, prefetched
SETTINGS = {
    "fit": (None, False, "fit", False),
    "compiled": (None, False, "compiled", False),
    "compiled, XLA": (None, False, "compiled", True),
    "float32": ("float32", False, "suite", None),
    "mixed_bfloat16": ("mixed_bfloat16", False, "suite", None),
    "float32, op determinism": ("float32", True, "suite", False),  # op determinism turns XLA off
    "bare step": (None, False, None, False),
}
BUDGET = 20.0  # seconds: a timed pass stops at the first chunk end past it (at least 2 chunks)
XLA_PROBE_CHUNK = 2  # XLA where the suite does not train with it is probed first at this many steps
# per call; a full chunk is measured only if the probe says it takes at most XLA_CHUNK_SECONDS
# (XLA's CPU convolutions ran about 40x slower than oneDNN's: a 16-step chunk of the conv GAN takes minutes)
XLA_CHUNK_SECONDS = 10.0


class Deadline(keras.callbacks.Callback):
    """Stops a timed pass at the first chunk end `budget` seconds in, once the clock has a
    steady-state chunk (one after the first)."""

    def __init__(self, clock: StepClock, budget: float):
        super().__init__()
        self.clock, self.budget = clock, budget

    def on_train_batch_end(self, batch, logs=None):
        if self.clock.steps > self.clock.first_steps and self.clock.elapsed() > self.budget:
            self.model.stop_training = True


def step_flops(model, batch) -> int:
    """FLOPs of one train step, counted by tf.profiler on its traced graph (the TF1 profiler's
    own deprecation warning, about a function it calls, silenced: the console stays quiet)."""
    from tensorflow.python.util import deprecation  # TF exports no public switch for this

    spec = tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype), batch)
    concrete = tf.function(model.train_step).get_concrete_function(spec)
    opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    opts["output"] = "none"
    with deprecation.silence():
        return int(tf.compat.v1.profiler.profile(graph=concrete.graph, options=opts).total_float_ops)


def setting_config(config: dict, setting: str) -> dict:
    """The run's config under `setting`: its precision, loop and XLA (`suite`: as the suite sets them)."""
    policy, _, loop, jit = SETTINGS[setting]
    changed = {**config, "dtype": policy or config["dtype"]}
    if loop not in (None, "suite"):
        changed["loop"] = loop
    if jit is not None:
        changed["jit_compile"] = jit
    return changed


def probed(setting: str, config: dict) -> bool:
    """Whether `setting` is XLA where the suite does not train with it (so it is probed first)."""
    return setting == "compiled, XLA" and not (config["loop"] == "compiled" and config["jit_compile"])


def images_per_second(config: dict, data: EpochData, setting: str) -> tuple[float, int]:
    """Steady-state images/s of one freshly built model under `setting` (first chunks apart),
    and the steps per call it ran; XLA where the suite does not use it is first probed at
    `XLA_PROBE_CHUNK` steps per call, and measured at the full chunk only where that is quick."""
    if probed(setting, config):
        small = {**config, "steps_per_execution": min(config["steps_per_execution"], XLA_PROBE_CHUNK)}
        rate = _images_per_second(small, data, setting)
        if config["steps_per_execution"] * config["batch_size"] / rate > XLA_CHUNK_SECONDS:
            return rate, small["steps_per_execution"]
    return _images_per_second(config, data, setting), config["steps_per_execution"]


def _images_per_second(config: dict, data: EpochData, setting: str) -> float:
    _, deterministic, loop, _ = SETTINGS[setting]
    config = setting_config(config, setting)
    set_determinism(deterministic)
    keras.utils.set_random_seed(0)
    with precision.policy(config["dtype"]):
        model = models.build(config["model"], jit_compile=config["jit_compile"] and config["loop"] == "fit",
                             steps_per_execution=config["steps_per_execution"], **config["hyperparameters"])
        model.sample(1)
    if loop is not None:
        chunk = config["steps_per_execution"]
        train = lambda batches, callbacks: loops.train_pass(model, batches, config["loop"], chunk,
                                                            config["jit_compile"], callbacks)
        train(data.epoch(0, noise=model.training_noise).take(chunk), [])  # tracing, and XLA's compile
        clock = StepClock(max_steps=data.steps)
        train(data.epoch(1, noise=model.training_noise), [clock, Deadline(clock, BUDGET)])
        return clock.images_per_second(data.batch_size)
    step = tf.function(model.train_step)
    for batch in data.epoch(0, noise=model.training_noise).take(2):
        step(batch)
    start, steps = time.perf_counter(), 0
    for batch in data.epoch(1, noise=model.training_noise):
        logs = step(batch)
        steps += 1
    float(logs[model.metrics[0].name])  # wait for the last step
    return steps * data.batch_size / (time.perf_counter() - start)


def pass_overhead(config: dict, x_fit: np.ndarray, binarize: bool, passes: int = 6) -> float:
    """Median seconds per pass that the harness spends outside the training clock (setting up
    the pass, and at each save the tables, the checkpoint and the sample grid), on a run of
    `passes` passes of 4 steps under `config` (its `save_every_seconds` included): the time
    between two history rows' ends less the later pass's training seconds."""
    from benchmarks.training.harness import Run

    data = EpochData(x_fit[: 4 * config["batch_size"]], models.pixels(config["model"]), config["batch_size"], seed=0,
                     binarize=binarize)
    with tempfile.TemporaryDirectory() as folder:
        run = Run({**config, "epochs": passes, "eval": {**config["eval"], "samples": 16}}, folder)
        run.train(data, tf.distribute.get_strategy())
        h = pd.read_csv(f"{folder}/history.csv")
    return float(np.median(h["ended_at"].diff().iloc[1:] - h["epoch_seconds"].iloc[1:]))


def measure(config: dict, x_fit: np.ndarray, steps: int, reps: int, binarize: bool) -> dict:
    steps = max(steps, 3 * config["steps_per_execution"])  # at least 2 chunks past the first
    data = EpochData(x_fit, models.pixels(config["model"]), config["batch_size"], seed=0, binarize=binarize,
                     max_steps=steps)
    measured, chunks = {s: [] for s in SETTINGS}, {}
    for _ in range(reps):  # interleaved: each rep measures every setting once
        for setting in SETTINGS:
            rate, chunks[setting] = images_per_second(config, data, setting)
            measured[setting].append(rate)
    set_determinism(False)
    model = models.build(config["model"], **config["hyperparameters"])
    model.sample(1)
    row = {"model": config["model"], "dtype": config["dtype"], "batch": config["batch_size"],
           "loop": config["loop"] + (", XLA" if config["jit_compile"] and config["loop"] == "compiled" else ""),
           "steps per call": config["steps_per_execution"],
           "gflop_per_step": step_flops(model, next(iter(data.epoch(0, noise=model.training_noise)))) / 1e9}
    row.update({f"img/s {s}": float(np.median(v)) for s, v in measured.items()})
    row["XLA steps per call"] = chunks["compiled, XLA"]
    row["rep spread"] = max((max(v) - min(v)) / np.median(v) for v in measured.values())  # the noise floor
    row["compiled, XLA / fit"] = row["img/s compiled, XLA"] / row["img/s fit"]
    row["bf16 / float32"] = row["img/s mixed_bfloat16"] / row["img/s float32"]
    suite_setting = {"fit": "fit", "compiled": "compiled, XLA" if config["jit_compile"] else "compiled"}[config["loop"]]
    row["img/s as the suite trains"] = row[f"img/s {suite_setting}"]
    row["harness / bare"] = row["img/s as the suite trains"] / row["img/s bare step"]
    # op determinism turns XLA off, so its cost is against the same loop without XLA
    row["op determinism cost"] = 1 - row["img/s float32, op determinism"] / row[f"img/s {config['loop']}"]
    row["overhead s/pass, saving each"] = pass_overhead({**config, "save_every_seconds": 0}, x_fit, binarize)
    row["overhead s/pass"] = pass_overhead(config, x_fit, binarize)
    return row
