"""bf16 against float32, measured: the `parity` suite trained once per precision (run folders
under OUT/parity/<precision>/, so an interrupted check resumes), then the quick FID of 2,000
samples and, for the VAEs, the test ELBO (float32 evaluation), side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import models
from benchmarks import records
from benchmarks.data.mnist import MNIST, Dataset
from benchmarks.suite_file import load_suite

DTYPES = ("float32", "mixed_bfloat16")
TOLERANCE = 0.05  # bf16 holds if its mean is within the float32 seed range, or within 5% of its mean


def train(out: Path, data_dir=None, spec: Dataset = MNIST) -> dict:
    """Train (or resume, or skip) the parity suite in each dtype policy: {policy: its folder}."""
    from benchmarks.scoring import evaluators
    from benchmarks.training.grid import run_grid

    suite = load_suite("parity", dataset=spec.name)
    folders = {}
    for name in DTYPES:
        folders[name] = Path(out) / "parity" / name
        run_grid(load_suite("parity", dataset=spec.name, dtype=name), folders[name], data_dir,
                 evaluators=evaluators.for_suite(suite, data_dir))
    return folders


def holds(fp32, bf16, tolerance: float = TOLERANCE) -> bool:
    """bf16 keeps float32's quality: its mean lies within the float32 seed range, or within
    `tolerance` (relative) of the float32 mean."""
    fp32, bf16 = np.asarray(fp32, float), np.asarray(bf16, float)
    return bool(fp32.min() <= bf16.mean() <= fp32.max()
                or abs(bf16.mean() - fp32.mean()) <= tolerance * abs(fp32.mean()))


def verdict(fp32, bf16, higher_is_better: bool) -> str:
    """'same' where `holds`, else whether bf16's mean is 'better' or '**worse**'."""
    if holds(fp32, bf16):
        return "same"
    better = (np.mean(bf16) > np.mean(fp32)) == higher_is_better
    return "better" if better else "**worse**"


def vae_test_elbo(record, x_binary: np.ndarray) -> float:
    from benchmarks.scoring.likelihood import vae_likelihood

    return vae_likelihood(record.model_weights(), x_binary, k=1, iwae_images=1)["test_elbo"]


def parity_table(out: Path, data_dir=None, spec: Dataset = MNIST) -> pd.DataFrame:
    """One row per (model, metric): each precision's per-seed values, means and the verdict."""
    from benchmarks.data.mnist import load_mnist
    from benchmarks.data.pipeline import binarize_once, to_unit

    folders = train(out, data_dir, spec)
    loaded = {name: records.load(folder) for name, folder in folders.items()}
    _, (x_test, _) = load_mnist(data_dir, spec)
    x_binary = binarize_once(to_unit(x_test), seed=0)  # the scorer's test set
    rows = []
    for model in load_suite("parity")["models"]:
        metrics = {"quick FID ↓": lambda r: float(r.curve["fid_quick"].iloc[-1])}
        if models.family(model) == "vae":
            metrics["test ELBO ↑"] = lambda d: vae_test_elbo(d, x_binary)
        for metric, read in metrics.items():
            values = {p: [read(r) for r in loaded[p].of(model)] for p in DTYPES}
            fp32, bf16 = np.array(values["float32"]), np.array(values["mixed_bfloat16"])
            rows.append({"model": model, "metric": metric,
                         "float32 (per seed)": ", ".join(f"{v:.2f}" for v in fp32), "float32 mean": fp32.mean(),
                         "bf16 (per seed)": ", ".join(f"{v:.2f}" for v in bf16), "bf16 mean": bf16.mean(),
                         "bf16": verdict(fp32, bf16, higher_is_better=metric.endswith("↑"))})
    return pd.DataFrame(rows)


def parity_markdown(table: pd.DataFrame) -> str:
    suite = load_suite("parity")
    return "\n".join([
        "## Quality parity: mixed_bfloat16 against float32", "",
        f"The `parity` suite ({len(suite['seeds'])} seeds x {suite['epochs']} epoch(s) of {suite['train_images']:,} "
        f"images per model), trained once in each precision; quick FID of {suite['eval']['quick_fid_samples']:,} "
        "samples after the epoch, and the test ELBO on the test images binarized once (seed 0), both "
        "evaluated in float32. *bf16*: `same` where the bf16 mean lies within the float32 seed range or within "
        f"{TOLERANCE:.0%} of the float32 mean, else whether it is better or worse.", "",
        table.to_markdown(index=False, floatfmt=".2f")])
