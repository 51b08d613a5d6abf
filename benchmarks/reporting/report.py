"""`python -m benchmarks report`: aggregate every metrics.json into tables, papers.md and figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks import files, runs
from benchmarks.reporting import figures, papers, tables


def _suite_note(out: Path) -> str:
    configs = [runs.read_config(d) for d in runs.iter_run_dirs(out)]
    suites = sorted({c.get("suite", "?") for c in configs})
    return f"suite {', '.join(suites)}, {len(configs)} runs, on {_machine(configs)}"


def _machine(configs) -> str:
    env = next((c["environment"] for c in configs if "environment" in c), None)
    if env is None:
        return "an unrecorded machine"
    gpus = ", ".join(env["gpus"]) or "no GPU"
    return f"{env['cpu_count']} CPU cores ({env['cpu']}), {gpus}, TensorFlow {env['tensorflow']}"


def build_report(out: Path, data_dir=None) -> pd.DataFrame:
    out = Path(out)
    runs_table = tables.collect(out)
    summary = tables.aggregate(runs_table)
    files.write_csv(out / "summary.csv", summary)
    files.write_text(out / "summary.md", tables.markdown(summary))
    files.write_text(out / "summary.tex", tables.latex(summary))
    papers.write(out, summary, _suite_note(out))
    figures.all_figures(out, summary, data_dir)
    return summary


def main(args) -> int:
    summary = build_report(Path(args.path), args.data_dir)
    print((Path(args.path) / "summary.md").read_text())
    print(f"{len(summary)} rows; figures in {Path(args.path) / 'figures'}")
    return 0
