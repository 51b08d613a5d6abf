"""The grid of (model, seed) runs of a suite, trained one after another, each holding its
run folder's lock."""

from __future__ import annotations

import models
from benchmarks import errors, runs
from benchmarks.data.mnist import load_mnist, resolve_source
from benchmarks.errors import Damaged, Interrupted


def set_determinism(on: bool) -> None:
    """TensorFlow's global op-determinism flag. Off by default: the same suite and seed give
    the same history without it (tests/training/test_harness.py checks that on the machine the
    tests run on); its cost in throughput is measured by `perf` (results/perf.md)."""
    import tensorflow as tf
    from tensorflow.python.framework import config  # TF 2.21 exports only the enable half

    if on:
        tf.config.experimental.enable_op_determinism()
    else:
        config.disable_op_determinism()


def run_grid(suite, out, data_dir=None, shard=(0, 1), tensorboard=False, evaluators=(), keras_callbacks=()):
    """Train every (model, seed) of the suite that is not finished; returns {run: status}
    ('finished', 'diverged', 'busy' or 'damaged'). `evaluators` are factories: model name ->
    callable (model, epoch) -> dict of curve columns. Ctrl-C is `Interrupted`, naming what was
    saved last."""
    from benchmarks.training.console import Progress
    from benchmarks.training.harness import Run
    from benchmarks.training.run_config import make_strategy, resolve_config

    runs.check_out(out)
    set_determinism(suite["deterministic"])
    (x_train, _), _ = load_mnist(data_dir, suite["dataset"])
    source = resolve_source(data_dir, suite["dataset"])
    grid = [(m, s) for m in suite["models"] for s in suite["seeds"]][shard[0] :: shard[1]]
    strategy = make_strategy(suite["strategy"])
    progress = Progress(len(grid))
    configs = [resolve_config(suite, model_name, seed, source) for model_name, seed in grid]
    progress.plan(configs)
    statuses, saved = {}, None
    for (model_name, seed), config in zip(grid, configs):
        run = Run(config, runs.run_dir(out, model_name, seed), tensorboard)
        try:
            with runs.exclusive(run.folder) as busy:
                if busy:
                    print(busy, flush=True)
                    status = "busy"
                else:
                    x_fit = x_train[: run.config["train_images"]]
                    status = _train(run, x_fit, strategy, progress, evaluators, keras_callbacks)
        except KeyboardInterrupt:
            raise Interrupted(run.saved or saved) from None
        saved = run.saved or saved
        statuses[(model_name, seed)] = status
        progress.done_runs += 1
        progress.run_ended(run.config)
    return statuses


def _train(run, x_fit, strategy, progress, evaluators, keras_callbacks) -> str:
    """Train one run to its budget, holding its lock; a damaged file of its folder is reported
    (one line) and the grid goes on with the next run."""
    from benchmarks.data.pipeline import EpochData

    name, seed = run.config["model"], run.config["seed"]
    try:
        run.check_config()
        status = run.status()
        if status != "unfinished":
            print(f"{name} seed {seed}: already {status}, skipped", flush=True)
            return status
        data = EpochData(x_fit, models.pixels(name), run.config["batch_size"], seed, binarize=run.config["binarize"])
        progress.start(run.config)
        status = run.train(data, strategy, [make(name) for make in evaluators], keras_callbacks, [progress])
    except Damaged as err:
        errors.report(err)
        return "damaged"
    print(f"{name} seed {seed}: {status}", flush=True)
    return status
