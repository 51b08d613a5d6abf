"""`python -m benchmarks report`: aggregate every metrics.json into tables, papers.md and figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks import files, runs
from benchmarks.data.mnist import dataset
from benchmarks.errors import Damaged, UserError
from benchmarks.reporting import figures, papers, tables


def _suite_note(configs: list, machine: str) -> str:
    suites = sorted({c.get("suite", "?") for c in configs})
    return f"suite {', '.join(suites)}, {len(configs)} runs, on {machine}"


def build_report(out: Path, data_dir=None) -> pd.DataFrame:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file, not an output folder")
    files.trace(f"report {out}")
    files.sweep_stale(out)
    found = runs.datasets(runs.iter_run_dirs(out))
    if len(found) > 1:
        raise UserError(f"{out} holds runs of {' and '.join(sorted(found))}; give each dataset its own --out")
    spec = dataset(next(iter(found), "mnist"))
    runs_table = tables.collect(out)
    summary = tables.aggregate(runs_table)
    configs = []
    for folder in runs.iter_run_dirs(out):
        try:
            configs.append(runs.read_config(folder))
        except Damaged:
            pass  # reported by tables.collect
    machine = tables.machine(summary, configs)
    files.write_csv(out / "summary.csv", summary)
    files.write_text(out / "summary.md", tables.markdown(summary, machine, spec))
    files.write_text(out / "summary.tex", tables.latex(summary, spec))
    papers.write(out, summary, _suite_note(configs, machine), spec)
    figures.all_figures(out, summary, data_dir, machine, spec)
    return summary


def main(args) -> int:
    summary = build_report(Path(args.path), args.data_dir)
    print((Path(args.path) / "summary.md").read_text())
    print(f"{len(summary)} rows; figures in {Path(args.path) / 'figures'}")
    return 0
