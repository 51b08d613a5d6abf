"""results/papers.md: published MNIST numbers beside ours, each with its protocol (for another
dataset: a statement that none are set beside ours, and our own rows)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks import files
from benchmarks.data.mnist import MNIST, Dataset
from benchmarks.reporting.published.numbers import BURDA, GOODFELLOW
from benchmarks.runs import REAL_ROW


def _ours(summary: pd.DataFrame, column: str) -> list[tuple[str, str, str]]:
    rows = []
    for _, r in summary.iterrows():
        if pd.isna(r.get(f"{column}_mean")) or r["model"] == REAL_ROW:
            continue
        std = r.get(f"{column}_std")
        value = f"{r[f'{column}_mean']:.1f}" + ("" if pd.isna(std) else f" ± {std:.1f}")
        budget = f"{r['epochs_mean']:.0f} epochs, {r['train_seconds_mean']:.0f} s, {int(r['seeds'])} seeds"
        rows.append((f"genbench {r['model']}", value, budget))
    return rows


def _section(title: str, protocol: str, header: str, rows: list[str]) -> list[str]:
    return ["", f"## {title}", "", protocol, "", f"| Model | {header} | Budget |", "|:--|--:|:--|", *rows]


def papers_markdown(summary: pd.DataFrame, suite_note: str) -> str:
    lines = ["# Published numbers beside ours", "",
             f"Our rows: {suite_note}. An epoch is one pass over the 50,000 training images; the "
             "budget column shows how far from the papers' training budgets (hundreds of epochs "
             "on GPUs) our runs are."]
    parzen = [f"| {p.model} ({p.paper}) | {p.text()} | paper |" for p in GOODFELLOW]
    parzen += [f"| {m} | {v} | {b} |" for m, v, b in _ours(summary, "parzen_ll")]
    real = summary[summary["model"] == REAL_ROW]
    if len(real) and "parzen_ll_mean" in real:
        parzen.append(f"| real held-out images as samples | {real['parzen_ll_mean'].iloc[0]:.1f} | reference |")
    lines += _section(
        "Parzen-window log-likelihood of the MNIST test set (nats, higher is better)",
        "Protocol (Goodfellow et al. 2014, Table 1): a Gaussian Parzen window on 10,000 "
        "samples, σ chosen by likelihood on a validation set, mean log-likelihood of the "
        "10,000 test images ± standard error. Ours: σ from a log grid on train[50000:51000]; "
        "the ± is the std over seeds. Parzen estimates are known to be poor likelihood "
        "estimates in 784 dimensions (Theis et al. 2016): read them as the convention they are.",
        "Parzen LL", parzen)
    k = summary.get("iwae_k_mean", pd.Series(dtype=float)).dropna()
    k_text = f"k = {int(k.iloc[0])}" if len(k) else "IWAE"
    vae = [f"| {p.model} ({p.paper}) | {p.text(sign=-1)} | paper, k = 5000 |" for p in BURDA]  # log p(x) = −NLL
    vae += [f"| {m} (test ELBO) | {v} | {b} |" for m, v, b in _ours(summary, "test_elbo")]
    vae += [f"| {m} (IWAE, {k_text}) | {v} | {b} |" for m, v, b in _ours(summary, "iwae_bound")]
    lines += _section(
        "Test log-likelihood of VAEs (nats, higher is better)",
        "Protocol (Burda et al. 2015, Table 1): log p(x) estimated with the importance-"
        "weighted bound at k = 5000 on the dynamically binarized test set. Ours: the test "
        "ELBO on all 10,000 test images and the IWAE bound with the suite's k (the `long` "
        "suite uses k = 5000), on the test set binarized once (seed 0).",
        "log p(x) estimate", vae)
    lines += ["", "## FID", "",
              "Lucic et al. 2018 (\"Are GANs Created Equal?\") report FIDs computed on Inception "
              "(ImageNet) features. Our FID uses the pinned MNIST feature network "
              "(`benchmarks/scoring/feature_net.py`), so the two scales differ and are not comparable: "
              "we do not put their numbers in a column with ours.", ""]
    return "\n".join(lines)


def others_markdown(summary: pd.DataFrame, suite_note: str, spec) -> str:
    """papers.md for a dataset the papers we cite did not use: says so, and gives our rows."""
    lines = ["# Published numbers beside ours", "",
             f"No published numbers are set beside ours for {spec.title}. The papers whose protocols "
             "we follow (Goodfellow et al. 2014, Parzen window; Burda et al. 2015, IWAE bound) report "
             f"MNIST only, and the FIDs published for {spec.title} are computed in Inception features, "
             f"not in our pinned {spec.title} classifier's, so they cannot share a column with ours. "
             f"Our rows ({suite_note}) follow the same protocols as on MNIST, for comparison between "
             "models of this benchmark."]
    parzen = [f"| {m} | {v} | {b} |" for m, v, b in _ours(summary, "parzen_ll")]
    lines += _section(f"Parzen-window log-likelihood of the {spec.title} test set (nats, higher is better)",
                      "σ from a log grid on train[50000:51000]; the ± is the std over seeds.", "Parzen LL", parzen)
    vae = [f"| {m} (test ELBO) | {v} | {b} |" for m, v, b in _ours(summary, "test_elbo")]
    vae += [f"| {m} (IWAE) | {v} | {b} |" for m, v, b in _ours(summary, "iwae_bound")]
    lines += _section(f"Test log-likelihood of VAEs on binarized {spec.title} (nats, higher is better)",
                      "The test ELBO on all 10,000 test images and the IWAE bound with the suite's k, on the "
                      "test set binarized once (seed 0).", "log p(x) estimate", vae)
    return "\n".join([*lines, ""])


def write(out: Path, summary: pd.DataFrame, suite_note: str, spec: Dataset = MNIST) -> None:
    """papers.md: the papers' MNIST numbers beside ours, or for another dataset our rows alone."""
    text = papers_markdown(summary, suite_note) if spec is MNIST else others_markdown(summary, suite_note, spec)
    files.write_text(Path(out) / "papers.md", text)
