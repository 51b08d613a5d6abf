"""`score`: metrics.json for every finished run below OUT (or one run folder), plus the
real-data row."""

from __future__ import annotations

from pathlib import Path

from benchmarks.commands import add_data_dir

HELP = "write metrics.json for every finished run"
EXAMPLE = "python -m benchmarks score results/smoke"


def add_arguments(p) -> None:
    p.add_argument("path", nargs="?", default="results", help="an output folder or one run folder")
    add_data_dir(p)
    p.add_argument("--force", action="store_true", help="rescore runs whose metrics are current")


def main(args) -> int:
    from benchmarks.scoring.scorer import score_all

    results = score_all(Path(args.path), args.data_dir, args.force)
    return 2 if "damaged" in results.values() else 0
