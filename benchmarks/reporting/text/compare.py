"""Two reports of one suite side by side, e.g. the same grid trained in float32 and in
mixed_bfloat16: per model and metric, each side's mean ± std over seeds and their difference
in units of the pooled std, sqrt((s_a^2 + s_b^2) / 2). |difference| below about 1 is within
the seed-to-seed spread; 2.5, as vae-conv moved under bf16 on an AMX machine, is not."""

from __future__ import annotations

import numpy as np
import pandas as pd

METRICS = ("fid", "kid", "test_elbo", "iwae_bound", "precision", "recall", "images_per_sec")


def pooled_difference(mean_a, std_a, mean_b, std_b) -> float:
    """(mean_b - mean_a) / sqrt((std_a^2 + std_b^2) / 2); NaN when either side lacks a mean or
    a std (one seed), +-inf when both stds are 0 and the means differ, 0 when they agree."""
    values = np.array([mean_a, std_a, mean_b, std_b], dtype=float)
    if np.isnan(values).any():
        return float("nan")
    pooled = np.sqrt((std_a ** 2 + std_b ** 2) / 2)
    if pooled == 0:
        return 0.0 if mean_a == mean_b else float(np.sign(mean_b - mean_a) * np.inf)
    return float((mean_b - mean_a) / pooled)


def compare(a: pd.DataFrame, b: pd.DataFrame, metrics=METRICS) -> pd.DataFrame:
    """One row per (model, metric) that both summaries (summary.csv) hold: mean_a, std_a,
    mean_b, std_b, seeds_a, seeds_b, difference (in pooled std)."""
    rows = []
    both = [m for m in a["model"] if m in set(b["model"])]
    for model in both:
        ra, rb = a.set_index("model").loc[model], b.set_index("model").loc[model]
        for metric in metrics:
            if f"{metric}_mean" not in ra.index or f"{metric}_mean" not in rb.index:
                continue
            ma, sa, mb, sb = (ra[f"{metric}_mean"], ra.get(f"{metric}_std", np.nan),
                              rb[f"{metric}_mean"], rb.get(f"{metric}_std", np.nan))
            if pd.isna(ma) and pd.isna(mb):
                continue
            rows.append({"model": model, "metric": metric, "mean_a": ma, "std_a": sa, "mean_b": mb, "std_b": sb,
                         "seeds_a": int(ra.get("seeds", 0)), "seeds_b": int(rb.get("seeds", 0)),
                         "difference": pooled_difference(ma, sa, mb, sb)})
    return pd.DataFrame(rows, columns=["model", "metric", "mean_a", "std_a", "mean_b", "std_b", "seeds_a",
                                       "seeds_b", "difference"])


def _cell(mean, std) -> str:
    if pd.isna(mean):
        return "—"
    digits = 0 if abs(mean) >= 1000 else 2 if abs(mean) >= 1 else 4
    return f"{mean:,.{digits}f}" + ("" if pd.isna(std) else f" ± {std:,.{digits}f}")


def markdown(table: pd.DataFrame, name_a: str, name_b: str) -> str:
    """The comparison as a Markdown table: model, metric, both sides, difference."""
    out = pd.DataFrame({
        "model": table["model"], "metric": table["metric"],
        name_a: [_cell(m, s) for m, s in zip(table["mean_a"], table["std_a"])],
        name_b: [_cell(m, s) for m, s in zip(table["mean_b"], table["std_b"])],
        "difference in pooled std": ["—" if np.isnan(d) else f"{d:+.2f}" for d in table["difference"]]})
    return out.to_markdown(index=False)
