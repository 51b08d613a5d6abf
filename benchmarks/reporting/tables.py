"""The summary tables: one row per run, aggregated per model (mean ± std over seeds), and
formatted as Markdown and LaTeX with the best model of each column in bold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import models
from benchmarks import files, runs
from benchmarks.errors import UserError

# column -> (header, higher is better?, decimals); grouped into the three tables
QUALITY = {
    "fid": ("FID", False, 2), "kid": ("KID", False, 4), "classifier_score": ("Class. score", True, 2),
    "precision": ("Precision", True, 3), "recall": ("Recall", True, 3),
    "density": ("Density", True, 3), "coverage": ("Coverage", True, 3),
    "modes_covered": ("Digits", True, 1), "parzen_ll": ("Parzen LL", True, 0),
    "nn_closer_fraction": ("Copy frac.", None, 3),  # judged against real data (~0.05), not min
}
LIKELIHOOD = {"test_elbo": ("Test ELBO", True, 2), "iwae_bound": ("IWAE bound", True, 2)}
COST = {
    "train_seconds": ("Train s", None, 0), "epochs": ("Epochs", None, 0),
    "train_images_seen": ("Images seen", None, 0), "images_per_sec": ("Images/s", True, 0),
    "parameters": ("Parameters", None, 0),
}
# title -> (columns, the families whose rows it shows)
TABLES = {"Sample quality": (QUALITY, models.FAMILIES), "Likelihood (VAEs, nats)": (LIKELIHOOD, ("vae",)),
          "Training cost": (COST, models.FAMILIES)}
REAL = runs.REAL_ROW


def collect(out: Path) -> pd.DataFrame:
    """One row per run (and the real-data reference), from every metrics.json or config.json."""
    rows = []
    for run_dir in runs.iter_run_dirs(out):
        path = run_dir / runs.METRICS
        if path.is_file():
            rows.append(files.read_json(path))
        else:
            config = runs.read_config(run_dir)
            rows.append({"model": config["model"], "seed": config["seed"], "status": runs.read_status(run_dir)})
    real = runs.reference_dir(out) / runs.METRICS
    if real.is_file():
        rows.append(files.read_json(real))
    if not rows:
        raise UserError(f"no runs under {out}; run `python -m benchmarks run` and `score` first")
    frame = pd.DataFrame(rows)
    frame["scored"] = frame.get("fid", pd.Series(np.nan, index=frame.index)).notna()
    return frame


def aggregate(runs: pd.DataFrame) -> pd.DataFrame:
    """Per model: mean and std over scored seeds of every numeric metric, and run counts."""
    numeric = [c for c in runs.columns if c not in ("seed", "scored") and pd.api.types.is_numeric_dtype(runs[c])]
    rows = []
    for model, group in runs.groupby("model", sort=False):
        scored = group[group["scored"] | (group["status"] == "finished")]
        row = {"model": model, "runs": len(group), "seeds": int(group["scored"].sum()),
               "diverged": int((group["status"] == "diverged").sum()),
               "unfinished": int((group["status"] == "unfinished").sum())}
        for col in numeric:
            values = scored[col].dropna()
            row[f"{col}_mean"] = values.mean() if len(values) else np.nan
            row[f"{col}_std"] = values.std(ddof=1) if len(values) > 1 else np.nan
        rows.append(row)
    order = {name: i for i, name in enumerate([*models.MODEL_NAMES, REAL])}
    table = pd.DataFrame(rows)
    return table.sort_values("model", key=lambda s: s.map(lambda m: order.get(m, 99))).reset_index(drop=True)


def _cell(mean, std, decimals, bold):
    if pd.isna(mean):
        return "–"
    text = f"{mean:,.{decimals}f}" + (f" ± {std:,.{decimals}f}" if not pd.isna(std) else "")
    return f"**{text}**" if bold else text


def formatted(summary: pd.DataFrame, columns: dict, latex: bool = False) -> pd.DataFrame:
    """Strings 'mean ± std', the best model value bolded, an arrow in each header."""
    models_only = summary[summary["model"] != REAL]
    out = pd.DataFrame({"Model": summary["model"]})
    for col, (header, higher, decimals) in columns.items():
        mean = summary.get(f"{col}_mean", pd.Series(np.nan, index=summary.index))
        std = summary.get(f"{col}_std", pd.Series(np.nan, index=summary.index))
        best = None
        candidates = models_only.get(f"{col}_mean", pd.Series(dtype=float)).dropna()
        if higher is not None and candidates.nunique() > 1:  # a value all models share is no win
            best = candidates.max() if higher else candidates.min()
        arrow = "" if higher is None else (" ↑" if higher else " ↓")
        if latex:
            arrow = "" if higher is None else (r" $\uparrow$" if higher else r" $\downarrow$")
        cells = []
        for i in summary.index:
            bold = best is not None and summary.at[i, "model"] != REAL and mean[i] == best
            text = _cell(mean[i], std[i], decimals, bold)
            cells.append(text.replace("**", "").replace("±", r"$\pm$") if latex else text)
            if latex and bold:
                cells[-1] = rf"\textbf{{{cells[-1]}}}"
        out[header + arrow] = cells
    out["Seeds"] = [_seed_note(r) for _, r in summary.iterrows()]
    return out


def _seed_note(row) -> str:
    if row["model"] == REAL:
        return "ref."
    note = f"{row['seeds']}/{row['runs']}"
    if row["diverged"]:
        note += f", {row['diverged']} diverged"
    if row["unfinished"]:
        note += f", {row['unfinished']} unfinished"
    return note


def _rows(summary: pd.DataFrame, families: tuple) -> pd.DataFrame:
    """The rows a table shows: the models of `families`, and the real-data row with them all."""
    keep = summary["model"].map(lambda m: m == REAL and len(families) > 1
                                or m in models.MODEL_NAMES and models.family(m) in families)
    return summary[keep]


def markdown(summary: pd.DataFrame) -> str:
    parts = ["# Results\n", "Mean ± std over seeds; bold: the best model in each column; "
             "↑/↓: higher/lower is better. The real-data row scores 10,000 real held-out images "
             "(train[50000:60000]) as if they were samples: the ceiling at this sample size. "
             "Seeds: scored/total runs. Copy frac.: share of samples nearer to a training image "
             "than 95% of real test images are (real data: about 0.05; far above it means copying, "
             "far below it means samples unlike any digit).\n"]
    for title, (columns, families) in TABLES.items():
        rows = _rows(summary, families)
        if rows.empty:
            continue
        parts.append(f"## {title}\n\n{formatted(rows, columns).to_markdown(index=False)}\n")
    return "\n".join(parts)


def _latex_table(table: pd.DataFrame, title: str) -> str:
    """A booktabs table (written directly: pandas' to_latex needs jinja2)."""
    esc = lambda text: str(text).replace("_", r"\_").replace("%", r"\%").replace("&", r"\&")
    lines = [r"\begin{table}[t]", r"\centering", f"\\caption{{{esc(title)}}}",
             f"\\begin{{tabular}}{{l{'r' * (table.shape[1] - 1)}}}", r"\toprule",
             " & ".join(esc(c) for c in table.columns) + r" \\", r"\midrule"]
    lines += [" & ".join(esc(v) for v in row) + r" \\" for row in table.itertuples(index=False)]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)


def latex(summary: pd.DataFrame) -> str:
    parts = ["% genbench summary; needs \\usepackage{booktabs}"]
    for title, (columns, families) in TABLES.items():
        rows = _rows(summary, families)
        if not rows.empty:
            parts.append(_latex_table(formatted(rows, columns, latex=True), title))
    return "\n".join(parts)
