"""`python -m benchmarks perf`: throughput as the harness trains, against the bare step and
against the matmul peak of the precision it trains in; `--parity` adds bf16-vs-float32 quality.

Every setting of a model is measured in one process, interleaved, `--reps` times (median):
machines of this kind vary by up to 2x between runs, so only settings measured side by side
are compared. FLOPs come from TensorFlow's graph profiler (float_operation) on the traced train
step, gradients and optimizer update included.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

import models
from benchmarks import files
from benchmarks.data.mnist import FIT, load_mnist
from benchmarks.data.pipeline import EpochData
from benchmarks.training import precision
from benchmarks.training.callbacks import StepClock
from benchmarks.training.grid import set_determinism
from benchmarks.training.harness import resolve_config
from benchmarks.training.suites import apply_cli, load_suite

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
    with precision.policy(policy or config["precision"]):
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
    row = {"model": config["model"], "precision": config["precision"], "batch": config["batch_size"],
           "gflop_per_step": step_flops(models.build(config["model"], **config["hyperparameters"]),
                                        next(iter(data.epoch(0)))) / 1e9}
    row.update({f"img/s {s}": float(np.median(v)) for s, v in measured.items()})
    row["rep spread"] = max((max(v) - min(v)) / np.median(v) for v in measured.values())  # the noise floor
    row["bf16 / float32"] = row["img/s mixed_bfloat16"] / row["img/s float32"]
    row["harness / bare"] = row[f"img/s {config['precision']}"] / row["img/s bare step"]
    row["op determinism cost"] = 1 - row["img/s float32, op determinism"] / row["img/s float32"]
    return row


def main(args) -> int:
    suite = apply_cli(load_suite(args.suite), args)
    (x_train, _), _ = load_mnist(args.data_dir)
    peaks = {dtype: precision.matmul_gflops(dtype) for dtype in ("float32", "bfloat16")}
    print(f"matmul peaks: fp32 {peaks['float32']:.0f}, bf16 {peaks['bfloat16']:.0f} GFLOP/s; "
          f"auto chooses {precision.resolve('auto')} (probe {precision.probe()})", flush=True)
    rows = []
    for name in args.models or suite["models"]:
        row = measure(resolve_config(suite, name, 0, "perf"), x_train[FIT], args.steps, args.reps, suite["binarize"])
        peak = peaks["bfloat16" if row["precision"] == "mixed_bfloat16" else "float32"]
        row["share of its peak"] = row["gflop_per_step"] * row[f"img/s {row['precision']}"] / row["batch"] / peak
        rows.append(row)
        print("  ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
    parity = None
    if args.parity:
        from benchmarks.training.parity import parity_table

        parity = parity_table(Path(args.out), args.data_dir)
    md = report(suite, args, peaks, pd.DataFrame(rows), parity)
    files.write_text(Path(args.out) / "perf.md", md)
    print(md)
    return 0


def findings(table: pd.DataFrame) -> list[str]:
    """What the table says, in sentences computed from it."""
    cost, ratio, over = table["op determinism cost"], table["bf16 / float32"], table["harness / bare"]
    return [
        f"- **Op determinism**: the flag changed throughput by {-cost.max():+.0%} to {-cost.min():+.0%} "
        f"(median {-cost.median():+.0%}); for scale, one setting's repetitions spread by up to "
        f"{table['rep spread'].max():.0%} of their median (*rep spread*) on this machine. Without the flag the "
        "same suite and seed give a bit-identical history.csv and samples.npz (the guard test in "
        "tests/training/test_harness.py), so suites leave it off (`deterministic = false`).",
        f"- **bf16**: mixed_bfloat16 ran at {ratio.min():.2f}x to {ratio.max():.2f}x of float32's images/s. "
        "Where that is below 1 the CPU's bf16 kernels are slower than its fp32 ones (see the matmul peaks), "
        "and `auto` trains in float32.",
        f"- **Harness overhead**: harness / bare is {over.min():.2f} to {over.max():.2f}; above 1, the harness "
        "is faster than the bare one-step-per-call loop, because it runs `steps_per_execution` steps per call.",
    ]


def report(suite, args, peaks, table: pd.DataFrame, parity) -> str:
    from benchmarks.training.parity import parity_markdown

    text = [
        "# Training throughput", "",
        f"Command: `python -m benchmarks perf --suite {suite['name']} --steps {args.steps} --reps {args.reps}"
        f"{' --parity' if args.parity else ''}` on {os.cpu_count()} CPU cores "
        f"({', '.join(precision.cpu_flags()) or 'no bf16 flags'}), TensorFlow {tf.__version__}.", "",
        f"Matmul peaks (2048³, best of 10): **fp32 {peaks['float32']:.0f} GFLOP/s, bf16 {peaks['bfloat16']:.0f} "
        f"GFLOP/s**. `auto` precision here: **{precision.resolve('auto')}**.", "",
        "Each model: images/s in the steady state (first steps apart) of `fit` on the harness's own "
        f"tf.data pipeline with its step clock, {args.steps} steps, median of {args.reps} interleaved "
        "repetitions, in float32, in mixed_bfloat16 and in float32 under TensorFlow's op-determinism "
        "flag; and of a bare `tf.function(train_step)` loop over the same batches at the model's "
        "precision. *harness / bare* is the harness's overhead; *share of its peak* is FLOPs per step "
        "times steps/s over the matmul peak of the precision the model trains in.", "",
        table.to_markdown(index=False, floatfmt=".3g"), "", *findings(table), ""]
    if parity is not None:
        text += [parity_markdown(parity), ""]
    return "\n".join(text)
