"""The summary tables: one row per run, aggregated per model (mean ± std over seeds), and
formatted as Markdown and LaTeX with the best model of each column in bold; the equal-time
view (quick FID at a time T every run reached) and the equal-images one (after one epoch).
What the tables show, in sentences, is `findings`."""

from __future__ import annotations

import numpy as np
import pandas as pd

import models
from benchmarks import runs
from benchmarks.data.mnist import MNIST, Dataset
from benchmarks.errors import UserError
from benchmarks.records import Loaded, RunRecord

# column -> (header, higher is better?, decimals); grouped into the three tables
QUALITY = {
    "fid": ("FID", False, 2), "kid": ("KID", False, 4), "classifier_score": ("Class. score", True, 2),
    "precision": ("Precision", True, 3), "recall": ("Recall", True, 3),
    "density": ("Density", True, 3), "coverage": ("Coverage", True, 3),
    "modes_confident": ("Digits, p ≥ 0.9", True, 1), "modes_covered": ("Digits, any p", True, 1),
    "parzen_ll": ("Parzen LL", True, 0),
    "nn_closer_fraction": ("Copy frac.", None, 3),  # judged against real data (~0.05), not min
    "fid_quick_at_epoch": ("Quick FID after 1 epoch", False, 1),  # every model at the same training images
}
LIKELIHOOD = {"test_elbo": ("Test ELBO", True, 2), "iwae_bound": ("IWAE bound", True, 2)}
COST = {
    "epochs": ("Epochs", None, 0), "train_images_seen": ("Images seen", None, 0),
    "train_seconds": ("Train s", None, 0), "images_per_sec": ("Images/s", True, 0),
    "fid_quick_at_t": ("Quick FID at {T} s", False, 1), "parameters": ("Parameters", None, 0),
}
SAMPLING = {
    "network_evaluations": ("Network evals / sample", False, 0),
    "seconds_per_1000_samples": ("s / 1,000 samples", False, 2), "fid": ("FID", False, 2),
}
PEAKS = ("float32", "bfloat16")  # matmul peaks recorded in each run's config.json
# title -> (columns, the families whose rows it shows)
TABLES = {"Sample quality": (QUALITY, models.FAMILIES), "Likelihood (VAEs, nats)": (LIKELIHOOD, ("vae",)),
          "Training cost": (COST, models.FAMILIES), "Sampling cost": (SAMPLING, models.FAMILIES)}
REAL = runs.REAL_ROW


def collect(loaded: Loaded) -> pd.DataFrame:
    """One row per run (and the real-data reference), from its metrics.json or, unscored, its
    status, with the machine's matmul peaks as the run recorded them and its quick FID at the
    equal time T (`equal_time`). A damaged run folder is a row with status 'damaged'."""
    rows, curves = [], {}
    for record in loaded.runs:
        rows.append(_run_row(record))
        curves[len(rows) - 1] = record.curve
    for folder, _ in loaded.damaged:
        if folder.name.startswith("seed-"):  # shown as damaged, as a diverged run is
            seed = folder.name.removeprefix("seed-")
            rows.append({"model": folder.parent.name, "seed": int(seed) if seed.isdigit() else -1, "status": "damaged"})
    if loaded.real is not None:
        rows.append(dict(loaded.real))
    if not rows:
        raise UserError("no runs here; run `python -m benchmarks run` and `score` first")
    frame = pd.DataFrame(rows)
    frame["scored"] = frame.get("fid", pd.Series(np.nan, index=frame.index)).notna()
    t = equal_time([c for c in curves.values() if c is not None and "fid_quick" in c])
    frame["equal_time_seconds"] = t
    frame["fid_quick_at_t"] = [fid_at(curves.get(i), t) for i in frame.index]
    frame["fid_quick_at_epoch"] = [fid_after(curves.get(i), 1) for i in frame.index]
    return frame


def fid_after(curve: pd.DataFrame | None, epochs: float) -> float:
    """A run's quick FID after `epochs` passes (an evaluation point of curve.csv; every epoch's
    end is one); NaN where the run has no such point."""
    if curve is None or "fid_quick" not in curve:
        return np.nan
    at = curve.loc[np.isclose(curve["epoch"], epochs), "fid_quick"].dropna()
    return float(at.iloc[-1]) if len(at) else np.nan


def _run_row(record: RunRecord) -> dict:
    """A run's table row: its metrics.json, or its status while unscored."""
    row = dict(record.metrics) if record.metrics is not None else {
        "model": record.model, "seed": record.seed, "status": record.status["status"]}
    peaks = record.config.get("environment", {}).get("matmul_gflops", {})
    peaks = peaks if isinstance(peaks, dict) else {}
    row.update({f"matmul_gflops_{dtype}": peaks.get(dtype, np.nan) for dtype in PEAKS})
    if "converged" in record.status:  # a run of a suite with a stop rule: 1 if the rule stopped it, 0 at its cap
        row["converged"] = float(bool(record.status["converged"]))
    row["dtype"] = record.config.get("dtype")
    row["eval_samples"] = record.config.get("eval", {}).get("samples")  # what the sample metrics were computed on
    return row


def fid_at(curve: pd.DataFrame | None, t: float) -> float:
    """A run's quick FID at t training seconds: linear between its evaluation points (curve.csv);
    NaN where the run has no curve or did not reach t."""
    if curve is None or "fid_quick" not in curve or pd.isna(t):
        return np.nan
    points = curve.dropna(subset=["fid_quick"])
    seconds, fid = points["train_seconds"].to_numpy(), points["fid_quick"].to_numpy()
    if not len(points) or t > seconds[-1]:
        return np.nan
    return float(np.interp(t, seconds, fid))


def equal_time(curves: list) -> float:
    """T: the training seconds every run reached (the shortest run's last evaluation point),
    rounded down to two significant digits; NaN without curves."""
    ends = [c.dropna(subset=["fid_quick"])["train_seconds"].max() for c in curves]
    ends = [e for e in ends if e > 0]
    if not ends:
        return np.nan
    unit = 10.0 ** (np.floor(np.log10(min(ends))) - 1)
    return float(np.floor(min(ends) / unit) * unit)


def aggregate(runs: pd.DataFrame) -> pd.DataFrame:
    """Per model: mean and std over scored seeds of every numeric metric, and run counts."""
    numeric = [c for c in runs.columns if c not in ("seed", "scored") and not c.startswith("scored_by_")
               and pd.api.types.is_numeric_dtype(runs[c]) and not pd.api.types.is_bool_dtype(runs[c])]
    rows = []
    for model, group in runs.groupby("model", sort=False):
        scored = group[group["scored"] | (group["status"] == "finished")]
        row = {"model": model, "runs": len(group), "seeds": int(group["scored"].sum()),
               "diverged": int((group["status"] == "diverged").sum()),
               "unfinished": int((group["status"] == "unfinished").sum()),
               "damaged": int((group["status"] == "damaged").sum())}
        row.update(trained_in(group))
        for col in numeric:
            values = scored[col].dropna()
            row[f"{col}_mean"] = values.mean() if len(values) else np.nan
            row[f"{col}_std"] = values.std(ddof=1) if len(values) > 1 else np.nan
        rows.append(row)
    order = {name: i for i, name in enumerate([*models.MODEL_NAMES, REAL])}
    table = pd.DataFrame(rows)
    return table.sort_values("model", key=lambda s: s.map(lambda m: order.get(m, 99))).reset_index(drop=True)


def trained_in(group: pd.DataFrame) -> dict:
    """A model's runs' precision (config.json's `dtype`): one policy, or each with its count
    when they differ (`dtype_mixed`)."""
    counts = group.get("dtype", pd.Series(dtype=object)).dropna().value_counts()
    text = ", ".join(counts.index) if len(counts) < 2 else ", ".join(
        f"{d} ({n} run{'s' * (n != 1)})" for d, n in counts.items())
    return {"dtype": text, "dtype_mixed": len(counts) > 1}


def cell(mean, std, decimals, bold):
    if pd.isna(mean):
        return "–"
    text = f"{mean:,.{decimals}f}" + (f" ± {std:,.{decimals}f}" if not pd.isna(std) else "")
    return f"**{text}**" if bold else text


def formatted(summary: pd.DataFrame, columns: dict, latex: bool = False) -> pd.DataFrame:
    """Strings 'mean ± std', the best model value bolded, an arrow in each header."""
    models_only = summary[summary["model"] != REAL]
    out = pd.DataFrame({"Model": summary["model"]})
    t = summary.get("equal_time_seconds_mean", pd.Series(np.nan, index=summary.index)).max()
    for col, (header, higher, decimals) in columns.items():
        header = header.format(T="T" if pd.isna(t) else f"{t:.0f}")
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
            text = cell(mean[i], std[i], decimals, bold)
            cells.append(text.replace("**", "").replace("±", r"$\pm$") if latex else text)
            if latex and bold:
                cells[-1] = rf"\textbf{{{cells[-1]}}}"
        out[header + arrow] = cells
    out["Seeds"] = [_seed_note(r) for _, r in summary.iterrows()]
    out["Trained in"] = [r.get("dtype") or "–" if r["model"] != REAL else "–" for _, r in summary.iterrows()]
    return out


def _seed_note(row) -> str:
    if row["model"] == REAL:
        return "ref."
    note = f"{row['seeds']}/{row['runs']}"
    if row["diverged"]:
        note += f", {row['diverged']} diverged"
    if row["unfinished"]:
        note += f", {row['unfinished']} unfinished"
    if row.get("damaged"):
        note += f", {row['damaged']} damaged"
    return note


def _rows(summary: pd.DataFrame, families: tuple) -> pd.DataFrame:
    """The rows a table shows: the models of `families`, and the real-data row with them all."""
    keep = summary["model"].map(lambda m: m == REAL and len(families) > 1
                                or m in models.MODEL_NAMES and models.family(m) in families)
    return summary[keep]


def named(columns: dict, spec: Dataset) -> dict:
    """The columns with the dataset's name for classes covered (Digits, Classes)."""
    return {c: (v[0].replace("Digits", spec.classes_header), *v[1:]) for c, v in columns.items()}


def markdown(summary: pd.DataFrame, machine_text: str = "", spec: Dataset = MNIST, reading: str = "",
             made_by: str = "") -> str:
    """summary.md: the legend, `reading` (what the table shows, `findings.reading`) and the three tables."""
    parts = [f"# Results on {spec.title}\n", "Mean ± std over seeds; bold: the best model in each column; "
             "↑/↓: higher/lower is better. The real-data row scores 10,000 real held-out images "
             "(train[50000:60000]) as if they were samples: the ceiling at this sample size. "
             "Seeds: scored/total runs. Trained in: the precision (dtype policy) of the runs. "
             "Copy frac.: share of samples nearer to a training image "
             "than 95% of real test images are (real data: about 0.05; far above it means copying, "
             f"far below it means samples unlike any {spec.noun}). {spec.classes_header}, p ≥ 0.9: "
             f"{spec.noun}s covered by samples the classifier assigns with probability at least 0.9 (any p: "
             "by its best guess for every sample). Quick FID after 1 epoch: every model after the same "
             "number of training images, one pass (the suite's quick_fid_samples, so biased upward against "
             "FID). An epoch is one pass over the 50,000 training images." +
             (f" Made by genbench: {made_by}.\n" if made_by else "\n")]
    if reading:
        parts.append(f"{reading}\n")
    for title, (columns, families) in TABLES.items():
        rows = _rows(summary, families)
        if rows.empty:
            continue
        parts.append(f"## {title}\n\n{formatted(rows, named(columns, spec)).to_markdown(index=False)}\n")
        if columns is COST:
            parts.append(f"Seconds and images/s were measured on {machine_text or 'an unrecorded machine'}: "
                         "they hold for this machine only (machines of one kind differ by up to 2×). "
                         "Quick FID at T s: each run's quick FID (the suite's quick_fid_samples) interpolated at the "
                         "training time T every run reached.\n")
        if columns is SAMPLING:
            parts.append("Network evals / sample: passes of the network that makes a sample (a VAE's decoder, a "
                         "GAN's generator, the diffusion family's U-Net once per sampler step). s / 1,000 samples: "
                         "the run's samples drawn in chunks of 1,000 after the sampler was traced, on the machine "
                         "above. FID: of those samples, as in the quality table.\n")
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


def latex(summary: pd.DataFrame, spec: Dataset = MNIST, made_by: str = "") -> str:
    parts = ["% genbench summary; needs \\usepackage{booktabs}" + (f"; {made_by}" if made_by else "")]
    for title, (columns, families) in TABLES.items():
        rows = _rows(summary, families)
        if not rows.empty:
            parts.append(_latex_table(formatted(rows, named(columns, spec), latex=True), f"{title}, {spec.title}"))
    return "\n".join(parts)
