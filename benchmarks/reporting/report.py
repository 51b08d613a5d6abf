"""The report of an output folder: the records of every run below OUT, read once, into
summary.csv/md/tex, papers.md, curves.csv, figures/, the index README.md and the deck
(slides.pdf, slides/*.png), and early against converged where OUT/long/ holds the long suite's
report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks import errors, files, progress, records, runs
from benchmarks.reporting import converged, deck
from benchmarks.reporting.figures import from_records as figures
from benchmarks.reporting.figures import plots
from benchmarks.reporting.figures.table import table_figure
from benchmarks.reporting.published import papers
from benchmarks.reporting.text import findings, tables


def _suite_note(configs: list, machine: str) -> str:
    suites = sorted({c.get("suite", "?") for c in configs})
    return f"suite {', '.join(suites)}, {len(configs)} runs, on {machine}; {findings.made_by(configs)}"


def build_report(out: Path, data_dir=None, loaded: records.Loaded | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Write every table and figure of `out` from its records (`loaded`, else read now):
    (the summary, the lines of the damaged files)."""
    out = runs.folder_or_new(out)
    files.trace(f"report {out}")
    files.sweep_stale(out)
    loaded = loaded or records.load(out)
    spec = loaded.dataset()
    progress.note(f"report: tables of {len(loaded.runs)} runs in {out}")
    summary = tables.aggregate(tables.collect(loaded))
    configs = [r.config for r in loaded.runs]
    machine = findings.machine(summary, configs)
    files.write_csv(out / "summary.csv", summary)
    files.write_text(out / "summary.md", tables.markdown(summary, machine, spec, findings.reading(summary),
                                                                  findings.made_by(configs)))
    files.write_text(out / "summary.tex", tables.latex(summary, spec, findings.made_by(configs)))
    papers.write(out, summary, _suite_note(configs, machine), spec)
    extras = records.load(runs.extras_dir(out))
    problems = [line for _, line in (*loaded.damaged, *extras.damaged)]
    progress.note(f"report: figures into {out}/figures")
    files.write_csv(out / converged.CURVES, converged.curves_table(
        {m: [r.curve.assign(seed=r.seed) for r in loaded.runs if r.model == m and r.curve is not None]
         for m in loaded.models()}))
    with plots.style(plots.resolutions(configs)[0]):  # every figure and slide drawn in genbench's style
        early, late_facts = _early_against_converged(out, summary, configs, problems)
        _, facts, drawn = figures.all_figures(out, loaded, extras, summary, data_dir, machine, spec, also=early)
        problems += drawn
        facts.update(late_facts)
        progress.note(f"report: the deck, {out}/slides.pdf")
        deck.build(out, summary, loaded, facts, spec, machine, problems)
    for line in problems:
        errors.report(line)
    return summary, problems


def _early_against_converged(out: Path, summary: pd.DataFrame, configs: list, problems: list) -> tuple[dict, dict]:
    """Where OUT/long/ holds the long suite's report: early-vs-converged.md, its figure and
    table slide; ({figure name: description} for the index, the facts of their takeaways)."""
    found = converged.read(out, problems)
    if found is None:
        return {}, {}
    late, curves = found
    table = converged.table(summary, late)
    files.write_text(out / "early-vs-converged.md", converged.markdown(table, findings.made_by(configs)))
    plots.save(converged.figure(summary, late, curves), out / "figures", "early-vs-converged")
    cells = converged.formatted(table).map(lambda v: str(v).replace("**", ""))  # a cell holds both budgets
    plots.save(table_figure(cells, "Mean over seeds: left of each arrow the default suite's budget, right "
                                   "trained to convergence"),
               out / "figures", "early-vs-converged-table")
    made = {"early-vs-converged": "(i) early against converged: the long runs' quick FID against training time, "
                                  "each model's FID at both budgets",
            "early-vs-converged-table": "(i) early against converged: the table of early-vs-converged.md"}
    return made, {"early-vs-converged": {"ranking": converged.ranking(table), "stopped": converged.stopped(table)}}
