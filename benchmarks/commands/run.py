"""`run`: train a suite's grid of (model, seed) runs, with the curve's evaluators of its
[eval] settings, into OUT/runs/<model>/seed-<k>/."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks import suite_file
from benchmarks.commands import add_data_dir, add_out
from benchmarks.data.mnist import MNIST
from benchmarks.errors import UserError

HELP = "train a suite's grid of (model, seed) runs"
EXAMPLE = "python -m benchmarks run --suite smoke --models vae-dense --seeds 0 1"


def add_run_arguments(p, suite_default: str | None) -> None:
    """The arguments of run, bench and reproduce: the suite, --out, every suite setting's flag
    (`suite_file.add_flags`), --data-dir, --shard, --tensorboard and --dry-run."""
    p.add_argument("--suite", default=suite_default, required=suite_default is None,
                   help="a suite name (smoke, default, long, paper, parity) or a path to a TOML file")
    add_out(p, "output folder (default: results/, or results/<dataset>/ for a dataset other than MNIST)")
    suite_file.add_flags(p)
    add_data_dir(p)
    p.add_argument("--shard", help="i/n: run only every n-th run of the grid, starting at i")
    p.add_argument("--tensorboard", action="store_true", help="also write TensorBoard logs")
    p.add_argument("--dry-run", action="store_true", help="print the grid, each run's budget in images and the "
                   "time at measured images/s; train nothing")


def add_arguments(p) -> None:
    add_run_arguments(p, None)


def suite_of(args) -> dict:
    """The suite named by --suite with the command line's settings applied."""
    return suite_file.apply_cli(suite_file.load_suite(args.suite), args)


def output_folder(args, suite: dict) -> Path:
    """--out, else the committed folder for the suite whose results are committed (results/ for
    MNIST, results/<dataset>/ for another dataset; results/paper/ for `reproduce`), and
    results/<suite>/ (under the dataset's folder) for any other suite, so that trying a suite
    never overwrites the committed tables."""
    if getattr(args, "out", None):
        return Path(args.out)
    base = Path("results") if suite["dataset"] is MNIST else Path("results") / suite["dataset"].name
    reproducing = getattr(args, "command", None) == "reproduce"
    return base if suite["name"] == "default" and not reproducing else base / suite["name"]


def parse_shard(text: str | None) -> tuple[int, int]:
    """--shard i/n: (i, n); (0, 1) without it."""
    if not text:
        return 0, 1
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UserError(f"--shard {text!r} must look like i/n, e.g. 0/2") from None
    if not (n >= 1 and 0 <= i < n):
        raise UserError(f"--shard {text!r}: need n >= 1 and 0 <= i < n")
    return i, n


def train_suite(args, suite: dict, out: Path | None = None) -> dict:
    """Train the suite's grid as the run arguments say; returns {(model, seed): status}."""
    from benchmarks.scoring import evaluators
    from benchmarks.training.grid import run_grid

    start = time.perf_counter()
    out = out or output_folder(args, suite)
    statuses = run_grid(suite, out, args.data_dir, parse_shard(args.shard), args.tensorboard,
                        evaluators.for_suite(suite, args.data_dir))
    done = sum(s == "finished" for s in statuses.values())
    print(f"{done}/{len(statuses)} runs finished in {time.perf_counter() - start:.0f} s "
          f"(wall clock, this invocation); results in {out}/runs")
    return statuses


def main(args) -> int:
    if args.dry_run:
        from benchmarks.training.plan import describe

        suite = suite_of(args)
        print(describe(suite, output_folder(args, suite), parse_shard(args.shard)))
        return 0
    statuses = train_suite(args, suite_of(args))
    return 2 if "damaged" in statuses.values() else 0
