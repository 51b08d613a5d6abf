"""One record per run folder, read and checked once per command.

`load(out)` reads every run folder below OUT (and the real-data row) once: config.json,
status.json, history.csv, curve.csv, steps.csv and metrics.json, each checked as `benchmarks.runs`
checks it. It returns the records and the one-line reports of the damaged folders; tables,
figures, papers, the lecture and the reproduction take records, never paths. Samples and
the per-epoch sample grids are read only when a figure asks for them.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pandas as pd

import models
from benchmarks import runs
from benchmarks.data.mnist import DATASETS, MNIST, Dataset
from benchmarks.errors import Damaged


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """One run folder as read: its files as plain data (None where a file is absent or empty)."""

    folder: Path
    config: dict
    status: dict
    history: pd.DataFrame | None
    curve: pd.DataFrame | None
    steps: pd.DataFrame | None
    metrics: dict | None

    @property
    def model(self) -> str:
        return self.config["model"]

    @property
    def seed(self) -> int:
        return self.config["seed"]

    @property
    def family(self) -> str:
        return self.config["family"]

    @property
    def dataset(self) -> Dataset:
        return DATASETS[self.config["dataset"]]

    @property
    def finished(self) -> bool:
        return self.status["status"] == "finished"

    def has(self, name) -> bool:
        """Whether the run folder holds `name` (a file or folder below it)."""
        return (self.folder / name).exists()

    @functools.cached_property
    def _samples(self) -> np.ndarray:
        return runs.read_samples(self.folder)

    def samples(self) -> np.ndarray:
        """samples.npz's images, read on first use and kept (checked for shape and range by the
        scorer)."""
        return self._samples

    def grids(self) -> dict[int, Path]:
        """epoch -> the per-epoch sample grid PNG (samples/epoch-NNN.png)."""
        return {int(p.stem.split("-")[1]): p for p in sorted((self.folder / "samples").glob("epoch-[0-9]*.png"))}

    def frames(self) -> dict[int, Path]:
        """images seen -> the fixed-z sample grid PNG of that evaluation point (frames/)."""
        return {int(p.stem.split("-")[1]): p for p in sorted((self.folder / runs.FRAMES).glob("images-[0-9]*.png"))}

    def model_weights(self):
        """The trained model, rebuilt in float32 from config.json and its last checkpoint."""
        return runs.load_model(self.folder, self.config)


@dataclasses.dataclass(frozen=True)
class Loaded:
    """What `load` found: the run records (sorted by folder), the real-data row's metrics (or
    None), and (folder, one line) per damaged folder."""

    runs: tuple[RunRecord, ...]
    real: dict | None
    damaged: tuple[tuple[Path, str], ...]

    def of(self, model: str) -> list[RunRecord]:
        """The records of `model`, in seed order."""
        return [r for r in self.runs if r.model == model]

    def first(self, model: str, need: str | None = None) -> RunRecord | None:
        """The first record of `model` (by seed) whose folder holds `need`."""
        return next((r for r in self.of(model) if need is None or r.has(need)), None)

    def frames(self, table: str) -> dict[str, list[pd.DataFrame]]:
        """model -> its runs' 'history', 'curve' or 'steps' tables, in seed order."""
        found = {}
        for record in self.runs:
            frame = getattr(record, table)
            if frame is not None:
                found.setdefault(record.model, []).append(frame)
        return found

    def models(self, family: str | None = None) -> list[str]:
        """The models with records, in the registry's order (`family`: only those)."""
        found = {r.model for r in self.runs}
        return [m for m in models.MODEL_NAMES if m in found and (family is None or models.family(m) == family)]

    def dataset(self) -> Dataset:
        """The one dataset of these runs (MNIST when there are none); several is a UserError."""
        found = {r.config["dataset"] for r in self.runs}
        runs.one_dataset(found, "this folder")
        return DATASETS[found.pop()] if found else MNIST


def read(folder: Path, metrics: bool = True) -> RunRecord:
    """One run folder's record, every file checked (`Damaged` names the first bad one);
    without its metrics.json where `metrics` is False (the scorer, which rewrites a bad one)."""
    folder = Path(folder)
    config = runs.read_config(folder)
    metrics = runs.read_metrics(folder, config) if metrics and (folder / runs.METRICS).exists() else None
    return RunRecord(folder, config, runs.read_status_file(folder), runs.read_history(folder), runs.read_curve(folder),
                     runs.read_steps(folder), metrics)


def load(out: Path) -> Loaded:
    """The records of every run folder below `out` (or of `out` itself, one run folder), the
    real-data row, and one line per damaged folder (its first bad file)."""
    out = runs.folder_or_new(out)
    records, damaged = [], []
    for folder in runs.iter_run_dirs(out):
        try:
            records.append(read(folder))
        except Damaged as err:
            damaged.append((folder, str(err)))
    real = None
    if (runs.reference_dir(out) / runs.METRICS).exists():
        try:
            real = runs.read_metrics(runs.reference_dir(out))
        except Damaged as err:
            damaged.append((runs.reference_dir(out), str(err)))
    return Loaded(tuple(records), real, tuple(damaged))
