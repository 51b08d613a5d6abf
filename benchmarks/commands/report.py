"""`report`: tables, figures and the deck of every run below OUT (`benchmarks.reporting.report`)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.commands import add_data_dir

HELP = "aggregate metrics into tables and figures"
EXAMPLE = "python -m benchmarks report results/smoke"


def add_arguments(p) -> None:
    p.add_argument("path", nargs="?", default="results")
    add_data_dir(p, "the dataset's folder (test images for the VAE figures)")


def main(args) -> int:
    from benchmarks.reporting.report import build_report

    summary, problems = build_report(Path(args.path), args.data_dir)
    print((Path(args.path) / "summary.md").read_text())
    print(f"{len(summary)} rows; figures in {Path(args.path) / 'figures'}")
    return 2 if problems else 0
