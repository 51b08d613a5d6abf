"""The grid of (model, seed) runs of a suite, and the `run` command (TensorFlow is imported
only once the suite is valid, so a bad suite gives its one-line error at once)."""

from __future__ import annotations

import time

from benchmarks import errors, runs
from benchmarks.data.mnist import FIT, load_mnist, resolve_source
from benchmarks.errors import Damaged
from benchmarks.training.suites import apply_cli, load_suite, output_folder, parse_shard


def set_determinism(on: bool) -> None:
    """TensorFlow's global op-determinism flag. Off by default: on this CPU the same suite
    and seed give the same history without it (tests/training/test_harness.py guards that),
    and it cost up to 45% of throughput (results/perf.md)."""
    import tensorflow as tf
    from tensorflow.python.framework import config  # TF 2.21 exports only the enable half

    if on:
        tf.config.experimental.enable_op_determinism()
    else:
        config.disable_op_determinism()


def run_grid(suite, out, data_dir=None, shard=(0, 1), tensorboard=False, evaluators=(), keras_callbacks=()):
    """Train every (model, seed) of the suite that is not finished; returns {run: status}.
    `evaluators` are factories: model name -> callable (model, epoch) -> dict of columns."""
    from benchmarks.training.callbacks import Progress
    from benchmarks.training.harness import Run, make_strategy, resolve_config

    runs.check_out(out)
    set_determinism(suite["deterministic"])
    (x_train, _), _ = load_mnist(data_dir, suite["dataset"])
    x_fit = x_train[FIT][: suite["train_images"]]
    source = resolve_source(data_dir, suite["dataset"])
    grid = [(m, s) for m in suite["models"] for s in suite["seeds"]][shard[0] :: shard[1]]
    strategy = make_strategy(suite["strategy"])
    progress = Progress(len(grid))
    statuses = {}
    for model_name, seed in grid:
        run = Run(resolve_config(suite, model_name, seed, source), runs.run_dir(out, model_name, seed), tensorboard)
        with runs.exclusive(run.folder) as busy:
            if busy:
                print(busy, flush=True)
                status = "busy"
            else:
                status = _train(run, model_name, seed, x_fit, suite, strategy, progress, evaluators, keras_callbacks)
        statuses[(model_name, seed)] = status
        progress.done_runs += 1
    return statuses


def _train(run, model_name, seed, x_fit, suite, strategy, progress, evaluators, keras_callbacks) -> str:
    """Train one run to its budget, holding its lock; a damaged file of its folder is reported
    (one line; the command ends with status 2) and the grid goes on with the next run."""
    from benchmarks.data.pipeline import EpochData
    from models import family

    try:
        run.check_config()
        status = run.status()
        if status != "unfinished":
            print(f"{model_name} seed {seed}: already {status}, skipped", flush=True)
            return status
        data = EpochData(x_fit, family(model_name), run.config["batch_size"], seed, binarize=suite["binarize"])
        progress.start(run.config)
        status = run.train(data, strategy, [make(model_name) for make in evaluators], keras_callbacks, [progress])
    except Damaged as err:
        errors.report(err)
        return "damaged"
    print(f"{model_name} seed {seed}: {status}", flush=True)
    return status


def evaluators(suite, data_dir) -> list:
    """The curve's evaluators of the suite's [eval] settings, as `run_grid` factories: quick
    FID at every point, and for VAEs the test ELBO and IWAE bound if `curve_iwae_k` is set."""
    from benchmarks.scoring.scorer import LikelihoodCurve, QuickFID
    from models import family

    out, settings = [], suite["eval"]
    if settings["quick_fid"]:
        quick = QuickFID(data_dir, settings["quick_fid_samples"], suite["dataset"])
        out.append(lambda model_name: quick)
    if settings["curve_iwae_k"]:
        curve = LikelihoodCurve(data_dir, settings["curve_iwae_k"], settings["curve_images"], suite["dataset"])
        out.append(lambda model_name: curve if family(model_name) == "vae" else (lambda model, epoch: {}))
    return out


def train_suite(args, suite) -> dict:
    """Train the suite's grid as the run arguments say; returns {(model, seed): status}."""
    start = time.perf_counter()
    out = output_folder(args, suite)
    statuses = run_grid(suite, out, args.data_dir, parse_shard(args.shard), args.tensorboard,
                        evaluators(suite, args.data_dir))
    done = sum(s == "finished" for s in statuses.values())
    print(f"{done}/{len(statuses)} runs finished in {time.perf_counter() - start:.0f} s "
          f"(wall clock, this invocation); results in {out}/runs")
    return statuses


def run_command(args, suite=None) -> int:
    train_suite(args, suite or apply_cli(load_suite(args.suite), args))
    return 0
