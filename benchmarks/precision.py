"""Training precision: float32, or Keras's mixed_bfloat16 policy (bfloat16 compute, float32
variables), chosen per run and recorded in config.json.

`auto` measures before it believes: the CPU's bf16 flags alone do not say that bfloat16 is
faster (on a 2-core Xeon VM with avx512_bf16 and no AMX, TensorFlow's bf16 matmul ran at
0.6x its fp32 one), so `auto` picks mixed_bfloat16 on a GPU, or where the CPU reports a bf16
instruction set and a short matmul probe runs bfloat16 at least BF16_GAIN times faster than
float32; float32 elsewhere. A suite that names no dtype trains in float32: what defines a result
comes from the suite, never from the machine (nor from its load), so `auto` is a choice you make.
"""

from __future__ import annotations

import contextlib
import functools
import time
from pathlib import Path

DTYPES = ("auto", "float32", "mixed_bfloat16")
BF16_FLAGS = ("avx512_bf16", "amx_bf16")
BF16_GAIN = 1.25  # what bfloat16 must gain over float32 in the probe for `auto` to choose it


def _cpuinfo(field: str) -> str:
    """The first `field` line of /proc/cpuinfo ('' where it is not Linux)."""
    path = Path("/proc/cpuinfo")
    if not path.is_file():
        return ""
    for line in path.read_text().splitlines():
        if line.split(":", 1)[0].strip() == field:
            return line.split(":", 1)[1].strip()
    return ""


def cpu_flags() -> list[str]:
    """The CPU's bfloat16-related flags, from /proc/cpuinfo (empty where it is not Linux)."""
    return sorted(f for f in _cpuinfo("flags").split() if "bf16" in f or f.startswith("amx"))


def cpu_model() -> str:
    import platform

    return _cpuinfo("model name") or platform.processor() or platform.machine()


def matmul_gflops(dtypes=("float32", "bfloat16"), n: int = 2048, repeats: int = 10) -> dict:
    """GFLOP/s of an n x n x n TensorFlow matmul in each of `dtypes`: 2 n^3 FLOPs, best of
    `repeats`. The dtypes take turns, repeat by repeat, so that load from another process falls
    on both alike (timed one after the other, under load, `auto` chose bfloat16 in one of two
    shard processes started at once, on a CPU where bfloat16 runs at 0.6x float32)."""
    import tensorflow as tf

    step = tf.function(lambda a, b: tf.reduce_sum(tf.cast(tf.matmul(a, b), tf.float32)))
    pairs = {}
    for dtype in dtypes:
        a = tf.cast(tf.random.stateless_normal([n, n], seed=[0, 0]), dtype)
        b = tf.cast(tf.random.stateless_normal([n, n], seed=[0, 1]), dtype)
        step(a, b).numpy()
        pairs[dtype] = (a, b)
    best = dict.fromkeys(dtypes, float("inf"))
    for _ in range(repeats):
        for dtype in dtypes:
            start = time.perf_counter()
            step(*pairs[dtype]).numpy()
            best[dtype] = min(best[dtype], time.perf_counter() - start)
    return {dtype: 2 * n**3 / best[dtype] / 1e9 for dtype in dtypes}


@functools.lru_cache(maxsize=1)
def peaks() -> dict:
    """The machine's matmul peaks as `perf` measures them (2048^3, here best of 5), in GFLOP/s,
    once per process: what a run's training seconds are read against."""
    return {dtype: round(gflops, 1) for dtype, gflops in matmul_gflops(repeats=5).items()}


@functools.lru_cache(maxsize=1)
def probe() -> dict:
    """What `auto` decides on, measured once per process (about a second)."""
    import tensorflow as tf

    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    flags = cpu_flags()
    peaks = {}
    if not gpus and any(f in flags for f in BF16_FLAGS):
        peaks = matmul_gflops(n=1024, repeats=5)
    return {"gpus": gpus, "cpu_flags": flags, "probe_gflops": peaks}


def resolve(setting: str) -> str:
    """The precision a run trains in: `setting`, or for `auto` the probe's choice."""
    if setting != "auto":
        return setting
    found = probe()
    peaks = found["probe_gflops"]
    faster = bool(peaks) and peaks["bfloat16"] >= BF16_GAIN * peaks["float32"]
    return "mixed_bfloat16" if found["gpus"] or faster else "float32"


@contextlib.contextmanager
def policy(name: str):
    """Layers built inside take Keras's dtype policy `name`; the previous one is restored."""
    import keras

    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)
