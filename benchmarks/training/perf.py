"""`python -m benchmarks perf`: steady-state throughput, FLOPs per step, share of matmul peak.

FLOPs come from TensorFlow's graph profiler (the float_operation counter) applied to the
traced train step, gradients and optimizer update included; it counts the registered ops
(MatMul, Conv2D and their backprops, element-wise ops), which dominate these models.
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
from benchmarks.data.mnist import load_mnist
from benchmarks.data.pipeline import EpochData
from benchmarks.training.grid import set_determinism
from benchmarks.training.harness import resolve_config
from benchmarks.training.suites import load_suite


def matmul_peak_gflops(n: int = 2048, repeats: int = 20) -> float:
    """fp32 matmul GFLOP/s of this machine: 2 n^3 FLOPs per product, best of `repeats`."""
    a = tf.random.stateless_normal([n, n], seed=[0, 0])
    b = tf.random.stateless_normal([n, n], seed=[0, 1])
    step = tf.function(lambda a, b: tf.reduce_sum(tf.matmul(a, b)))
    step(a, b).numpy()
    best = min(_timed(lambda: step(a, b).numpy()) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def step_flops(model, batch) -> int:
    """FLOPs of one train step, counted by tf.profiler on its traced graph."""
    concrete = tf.function(model.train_step).get_concrete_function(
        tf.TensorSpec(batch.shape, tf.float32))
    opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    opts["output"] = "none"
    prof = tf.compat.v1.profiler.profile(graph=concrete.graph, options=opts)
    return int(prof.total_float_ops)


def measure(config: dict, x_uint8: np.ndarray, steps: int, binarize: bool) -> dict:
    """Warm-up (tracing) timed apart, then `steps` steady-state steps on the first batch of
    the harness's own pipeline for this model (scaled and, for the VAEs, binarized as in
    training); real digits run faster than random pixels here."""
    name, batch_size = config["model"], config["batch_size"]
    keras.utils.set_random_seed(0)
    build = lambda: models.build(name, jit_compile=config["jit_compile"], **config["hyperparameters"])
    model = build()
    data = EpochData(x_uint8, models.family(name), batch_size, seed=0, binarize=binarize, steps_per_epoch=1)
    x = next(iter(data.epoch(0)))
    ds = tf.data.Dataset.from_tensors(x).repeat(steps).cache().prefetch(2)
    warmup = _timed(lambda: model.fit(ds.take(2), epochs=1, verbose=0, shuffle=False))
    seconds = min(_timed(lambda: model.fit(ds, epochs=1, verbose=0, shuffle=False)) for _ in range(2))
    flops = step_flops(build(), x)
    return {"model": name, "jit_compile": config["jit_compile"], "batch": batch_size, "warmup_s": warmup,
            "images_per_s": steps * batch_size / seconds, "gflop_per_step": flops / 1e9,
            "gflop_per_s": flops * steps / seconds / 1e9}


def main(args) -> int:
    """Each model at the suite's settings (op determinism and jit_compile as the harness uses
    them), in one process. XLA and non-XLA runs are not mixed in one process: on this CPU the
    XLA runtime's threads slowed later non-XLA runs by up to 2x, which made XLA look faster."""
    suite = load_suite(args.suite)
    set_determinism(suite["deterministic"])
    names = args.models or suite["models"]
    (x_train, _), _ = load_mnist(args.data_dir)
    peak = matmul_peak_gflops()
    threads = tf.config.threading.get_intra_op_parallelism_threads() or "all"
    print(f"fp32 matmul peak: {peak:.1f} GFLOP/s ({threads} threads)")
    rows = []
    for name in names:
        config = resolve_config(suite, name, 0, "perf")
        row = measure(config, x_train[: config["batch_size"]], args.steps, suite["binarize"])
        row["share_of_peak"] = row["gflop_per_s"] / peak
        rows.append(row)
        print(f"{name:18s} {row['images_per_s']:8.0f} img/s  {row['gflop_per_step']:7.2f} GFLOP/step  "
              f"{row['gflop_per_s']:6.1f} GFLOP/s  {100 * row['share_of_peak']:5.1f}% of peak  "
              f"(warm-up {row['warmup_s']:.1f} s)", flush=True)
    table = pd.DataFrame(rows)
    md = (f"# Training throughput\n\nCommand: `python -m benchmarks perf --suite {suite['name']} --steps {args.steps}` "
          f"on {os.cpu_count()} CPU cores, TensorFlow {tf.__version__}: batch {suite['batch_size']}, "
          f"op determinism {'on' if suite['deterministic'] else 'off'} and jit_compile as the suite "
          "trains; warm-up (2 steps, tracing included) timed apart, then the best of 2 passes of "
          f"{args.steps} steps, on a batch of real MNIST digits. Timings on this shared 2-core machine "
          "vary by up to about 30% between runs.\n\n"
          f"Machine fp32 matmul peak: **{peak:.1f} GFLOP/s** (2048x2048, best of 20).\n"
          "FLOPs per step: TensorFlow's graph profiler (float_operation) on the traced train step, "
          "backward pass and optimizer update included.\n\n"
          + table.to_markdown(index=False, floatfmt=".3g") + "\n")
    files.write_text(Path(args.out) / "perf.md", md)
    print(f"wrote {Path(args.out) / 'perf.md'}")
    return 0
