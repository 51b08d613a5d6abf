"""`lecture`: run every check of the theory, write checks.md and the figures (with the GAN runs
of --runs, the saturation figure); the work is `benchmarks.lecture.run`."""

from __future__ import annotations

from pathlib import Path

from benchmarks.commands import add_out

HELP = "numerical checks of the theory, with figures"
EXAMPLE = "python -m benchmarks lecture --out /tmp/lecture"


def add_arguments(p) -> None:
    add_out(p, "default: results/lecture")
    p.add_argument("--runs", default="results", help="benchmark output with gan runs to compare")


def main(args) -> int:
    from benchmarks import records
    from benchmarks.lecture.run import run_all

    out = Path(args.out) if args.out else Path("results") / "lecture"
    table = run_all(out, records.load(Path(args.runs)))
    print((out / "checks.md").read_text())
    return 0 if table["pass"].all() else 1
