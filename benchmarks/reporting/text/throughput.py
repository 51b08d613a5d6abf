"""perf.md: the throughput table `perf` measured, its main columns (`MAIN`; every column goes to
perf.csv), and the sentences computed from it."""

from __future__ import annotations

import os

import pandas as pd

from benchmarks import precision

# perf.md's main table: what a reader compares (the other columns are in perf.csv)
MAIN = ("model", "batch", "loop", "img/s as the suite trains", "share of its peak", "harness / bare",
        "bf16 / float32", "compiled, XLA / fit")


def span(values: pd.Series, spec: str, unit: str = "") -> str:
    """The range of `values` as shown: "0.75x to 1.52x", or one number where both ends show alike
    (one model, or models that measured the same)."""
    low, high = (f"{v:{spec}}{unit}" for v in (values.min(), values.max()))
    return low if low == high else f"{low} to {high}"


def sentences(table: pd.DataFrame) -> list[str]:
    """What the table says, in sentences computed from it."""
    cost, ratio, over = table["op determinism cost"], table["bf16 / float32"], table["harness / bare"]
    overhead, each = table["overhead s/pass"], table["overhead s/pass, saving each"]
    return [
        compiled_loop(table),
        "- **Per-pass overhead** outside the training clock (setting up the pass; at a save the tables, the "
        f"checkpoint and the sample grid), on 4-step passes: {span(each, '.2f')} s when every "
        f"pass saves, {span(overhead, '.2f')} s at each model's `save_every_seconds`.",
        f"- **Op determinism** (against the model's loop without XLA, which the flag turns off): the flag changed "
        f"throughput by {span(-cost, '+.0%')}" + (f" (median {-cost.median():+.0%})" if len(cost) > 1 else "")
        + f"; for scale, one setting's repetitions spread by up to {table['rep spread'].max():.0%} of their "
        "median (*rep spread*) on this machine. Without the flag the "
        "same suite and seed give a bit-identical history.csv and samples.npz (the guard test in "
        "tests/training/test_harness.py), so suites leave it off (`deterministic = false`).",
        f"- **bf16**: mixed_bfloat16 ran at {span(ratio, '.2f', 'x')} of float32's images/s: "
        + bf16_verdict(ratio.min(), ratio.max()) + f" Here `auto` resolves to {precision.resolve('auto')}; the "
        "suites set float32, since what defines a result comes from the suite, not the machine.",
        f"- **Harness overhead**: harness / bare is {span(over, '.2f')}; above 1, the harness "
        "is faster than the bare one-step-per-call loop, because it runs `steps_per_execution` steps per call.",
    ]


def compiled_loop(table: pd.DataFrame) -> str:
    """The compiled loop under XLA against `fit`: the range, the best model, the models where it is
    slower, and whether each suite trains a model in the faster of the two (its `loop` column)."""
    speedup = table["compiled, XLA / fit"]
    fastest = table.loc[speedup.idxmax()]
    slower = table.loc[speedup < 1, "model"].tolist()
    text = (f"- **Compiled loop**: with XLA, the compiled loop ran at {span(speedup, '.2f', 'x')} "
            f"of `fit`'s images/s")
    if speedup.max() > 1:
        text += (f", most for {fastest['model']} at batch {fastest['batch']} ({fastest['img/s fit']:.0f} → "
                 f"{fastest['img/s compiled, XLA']:.0f} images/s, {fastest['gflop_per_step']:.3g} GFLOP a step)")
    text += (f"; slower than `fit` for {', '.join(slower)}." if 0 < len(slower) < len(table)
             else "; slower than `fit` for every model." if slower else "; faster than `fit` for every model.")
    xla = table["loop"].str.contains("XLA")
    wrong = table.loc[xla != (speedup > 1), "model"].tolist()
    return text + (" Each suite trains a model in the faster of the two (*loop*)." if not wrong else
                   f" The suites do not train {', '.join(wrong)} in the faster of the two (*loop*): set its `loop` "
                   "and `jit_compile` from this table.")


def bf16_verdict(low: float, high: float) -> str:
    """What the bf16/float32 throughput ratios over the models say about this CPU's bf16 kernels."""
    if high < 1:
        return "slower than float32 for every model, as on a CPU whose bf16 kernels are slower than its fp32 ones."
    if low > 1:
        return "faster than float32 for every model."
    return "faster for some models and slower for others."


def machine_line(suite, args) -> str:
    import tensorflow as tf

    from benchmarks import provenance

    return (f"Command: `python -m benchmarks perf --suite {suite['name']} --steps {args.steps} --reps {args.reps}"
            f"{' --add ' + ' '.join(args.add) if args.add else ''}{' --parity' if args.parity else ''}` at "
            f"{provenance.describe(provenance.commit())}, on {precision.cpu_model()}, "
            f"{os.cpu_count()} cores ({', '.join(precision.cpu_flags()) or 'no bf16 flags'}), "
            f"TensorFlow {tf.__version__}.")


def main_table(table: pd.DataFrame) -> pd.DataFrame:
    """perf.md's table: the `MAIN` columns, a model of another suite than the first named
    SUITE:MODEL."""
    first = table["suite"].iloc[0]
    named = [m if s == first else f"{s}:{m}" for s, m in zip(table["suite"], table["model"])]
    return table.assign(model=named)[list(MAIN)]


def markdown(suite, args, peaks, table: pd.DataFrame) -> str:
    """perf.md: the command, the peaks, what was measured, the main table and its sentences."""
    from benchmarks.training.perf import BUDGET

    text = [
        "# Training throughput", "", machine_line(suite, args), "",
        f"Matmul peaks (2048³, best of 10): **fp32 {peaks['float32']:.0f} GFLOP/s, bf16 {peaks['bfloat16']:.0f} "
        f"GFLOP/s**. `auto` precision here: **{precision.resolve('auto')}**.", "",
        "Each model (with its suite's settings): images/s in the steady state (first chunk apart) on the "
        f"harness's own tf.data pipeline with its step clock, up to {args.steps} steps (at least 3 chunks; a timed "
        f"pass stops at the first chunk end past {BUDGET:.0f} s), median of {args.reps} "
        "interleaved repetitions: in Keras's `fit`, in the compiled loop (`loop = \"compiled\"`, "
        "`steps per call` steps in one tf.while_loop per call), and in the compiled loop under XLA (where the "
        "suite does not train with XLA, probed first at 2 steps per call and measured at the full chunk only "
        "where that takes at most 10 s: XLA's CPU convolutions are slow enough that a full chunk of the conv "
        "GAN takes minutes; *XLA steps per call* says which), each at the model's precision; in its suite's "
        "loop in float32, "
        "in mixed_bfloat16 and in float32 under TensorFlow's "
        "op-determinism flag; and in a bare `tf.function(train_step)` loop, one call per step. "
        "*harness / bare* is the harness as the suite trains against that bare loop; *share of its peak* is "
        "FLOPs per step times steps/s as the suite trains over the matmul peak of its precision; "
        "*overhead s/pass* is wall time per pass outside the training clock (median over 5 passes of 4 steps), "
        "when every pass saves and at the model's `save_every_seconds`. Below, the main columns; every column "
        "measured is in perf.csv beside this file.", "",
        main_table(table).to_markdown(index=False, floatfmt=".3g"), "", *sentences(table), "",
        "The bf16-vs-float32 quality check (`--parity`) is in parity.md.", ""]
    return "\n".join(text)
