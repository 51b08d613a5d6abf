"""`run` and `bench`: wire the suite, the data, the harness and (as callbacks) the scorer."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks import store
from benchmarks.data import load_mnist, resolve_source
from benchmarks.suites import apply_cli, load_suite, manifold_suite, parse_shard


class Progress:
    """One compact line per epoch with the suite's ETA."""

    def __init__(self, suite, runs):
        self.suite, self.runs, self.done_runs = suite, runs, 0
        self.epoch_seconds = []

    def __call__(self, config, row, model):
        self.epoch_seconds.append(row["epoch_seconds"])
        losses = " ".join(f"{m.name}={row[m.name]:.3f}" for m in model.metrics)
        extra = f" fid_quick={row['fid_quick']:.2f}" if "fid_quick" in row else ""
        runs_left = len(self.runs) - self.done_runs - 1
        if self.suite["minutes"]:
            eta = max(0.0, self.suite["minutes"] * 60 - row["train_seconds"])
            eta += runs_left * self.suite["minutes"] * 60
        else:
            mean = sum(self.epoch_seconds) / len(self.epoch_seconds)
            eta = mean * ((self.suite["epochs"] - row["epoch"]) + runs_left * self.suite["epochs"])
        budget = self.suite["epochs"] or "-"
        print(f"[{self.done_runs + 1}/{len(self.runs)}] {config['model']} seed {config['seed']} "
              f"epoch {row['epoch']}/{budget} {losses}{extra} "
              f"{row['images_per_sec']:.0f} img/s ETA {time.strftime('%H:%M:%S', time.gmtime(eta))}",
              flush=True)


def run_grid(suite, out, data_dir=None, shard=(0, 1), tensorboard=False, epoch_callbacks=(),
             keras_callbacks=()):
    """Train every (model, seed) of the suite that is not finished; returns {run: status}."""
    import tensorflow as tf

    from benchmarks.harness import EpochData, Run, make_strategy, resolve_config
    from models import family

    if suite["deterministic"]:  # with the seeds: same suite, same history
        tf.config.experimental.enable_op_determinism()
    else:
        tf.config.experimental.disable_op_determinism()

    (x_train, _), _ = load_mnist(data_dir)
    x_fit = x_train[: suite["train_images"]]
    source = resolve_source(data_dir)
    grid = [(m, s) for m in suite["models"] for s in suite["seeds"]]
    runs = grid[shard[0] :: shard[1]]
    strategy = make_strategy(suite["strategy"])
    progress = Progress(suite, runs)
    statuses = {}
    for model_name, seed in runs:
        run = Run(resolve_config(suite, model_name, seed, source),
                  store.run_dir(out, model_name, seed), tensorboard)
        run.check_config()
        status = run.status()
        if status is None:
            data = EpochData(x_fit, family(model_name), suite["batch_size"], seed,
                             binarize=suite["binarize"], steps_per_epoch=suite["steps_per_epoch"])
            callbacks = [cb(model_name) for cb in epoch_callbacks]
            status = run.train(data, strategy, callbacks, keras_callbacks, progress)
            print(f"{model_name} seed {seed}: {status}", flush=True)
        else:
            print(f"{model_name} seed {seed}: already {status}, skipped", flush=True)
        statuses[(model_name, seed)] = status
        progress.done_runs += 1
    return statuses


def _quick_fid_callbacks(suite, data_dir):
    if not suite["eval"]["quick_fid"]:
        return []
    from benchmarks.scorer import QuickFID

    quick = QuickFID(data_dir, suite["eval"]["quick_fid_samples"])
    return [lambda model_name: quick]


def run_command(args, suite=None) -> int:
    suite = suite or apply_cli(load_suite(args.suite), args)
    shard = parse_shard(args.shard)
    start = time.perf_counter()
    statuses = run_grid(suite, Path(args.out), args.data_dir, shard, args.tensorboard,
                        _quick_fid_callbacks(suite, args.data_dir))
    done = sum(s == "finished" for s in statuses.values())
    print(f"{done}/{len(statuses)} runs finished in {time.perf_counter() - start:.0f} s "
          f"(wall clock, this invocation); results in {args.out}/runs")
    return 0


def bench_command(args) -> int:
    """Run, score, report and the lecture experiments, in one command."""
    from benchmarks import lecture, report, scorer

    start = time.perf_counter()
    suite = apply_cli(load_suite(args.suite), args)
    run_command(args, suite)
    print("training the 2-d-latent VAE for the manifold figure")
    run_grid(manifold_suite(suite), Path(args.out) / "extras", args.data_dir)
    t_run = time.perf_counter()
    scorer.score_all(Path(args.out), data_dir=args.data_dir)
    t_score = time.perf_counter()
    lecture.run_all(Path(args.out) / "lecture", runs=Path(args.out))
    report.build_report(Path(args.out), args.data_dir)
    end = time.perf_counter()
    print((Path(args.out) / "summary.md").read_text())
    print(f"bench: train {t_run - start:.0f} s, score {t_score - t_run:.0f} s, "
          f"lecture+report {end - t_score:.0f} s, total {end - start:.0f} s")
    print(f"tables: {args.out}/summary.{{csv,md,tex}}; figures: {args.out}/figures/ "
          f"(index in {args.out}/README.md); lecture: {args.out}/lecture/")
    return 0
