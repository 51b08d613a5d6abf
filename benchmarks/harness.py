"""One training loop for every model: the same data, seeds, timing and bookkeeping.

A run folder holds config.json, history.csv, samples/epoch-NNN.png, checkpoint/ and, when
finished, samples.npz and status.json. Re-running resumes from the last completed epoch.
Evaluation comes in as `epoch_callbacks` (callables (model, epoch) -> dict of columns);
this module does not import the scorer.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

import models
from benchmarks import store
from benchmarks.errors import UserError
from benchmarks.grids import png_bytes
from benchmarks.pipeline import EpochData

GRID_SEED = 1234  # the fixed noise of the per-epoch sample grids
SAMPLES_SEED = 4321  # the noise of samples.npz


def environment() -> dict:
    return {
        "python": sys.version.split()[0], "tensorflow": tf.__version__, "keras": keras.__version__,
        "platform": platform.platform(), "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
    }


def resolve_config(suite: dict, model: str, seed: int, data_source: str) -> dict:
    """Everything that determines a run; config.json holds it plus the environment."""
    overrides = dict(suite["overrides"].get(model, {}))
    compiled = {k: overrides.pop(k, suite[k]) for k in models.COMPILE_KEYS}
    hyper = {**models.defaults(model), **overrides, "batch_size": suite["batch_size"]}
    keys = ("epochs", "minutes", "steps_per_epoch", "train_images", "binarize", "strategy",
            "deterministic", "grid_samples", "eval")
    return {"model": model, "family": models.family(model), "seed": seed, "suite": suite["name"],
            "hyperparameters": hyper, "data_source": data_source, **compiled,
            **{k: suite[k] for k in keys}}


def make_strategy(name: str):
    if name == "default":
        return tf.distribute.get_strategy()
    if tf.config.list_logical_devices("GPU"):
        return tf.distribute.MirroredStrategy()
    cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(cpus if len(cpus) > 1 else None)


class _StepClock(keras.callbacks.Callback):
    """Times an epoch, its first execution (tracing, if any) apart, and stops at a deadline."""

    def __init__(self, deadline=None):
        super().__init__()
        self.deadline = deadline

    def on_train_begin(self, logs=None):
        self.t0, self.t_first, self.first_steps, self.steps = time.perf_counter(), None, 0, 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps = batch + 1
        now = time.perf_counter()
        if self.t_first is None:
            self.t_first, self.first_steps = now, self.steps
        if self.deadline is not None and now >= self.deadline:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.t_end = time.perf_counter()


class Run:
    """One (model, seed) run in its folder: build or resume, train, record."""

    def __init__(self, config: dict, folder: Path, tensorboard: bool = False):
        self.config, self.folder, self.tensorboard = config, Path(folder), tensorboard
        self.status_path = self.folder / "status.json"
        self.ckpt = self.folder / "checkpoint"

    def status(self) -> str | None:
        return store.read_json(self.status_path)["status"] if self.status_path.is_file() else None

    def check_config(self) -> None:
        """Sweep temporary files a killed process left, and refuse a folder of another config."""
        for stale in self.folder.rglob(".*.tmp"):
            stale.unlink(missing_ok=True)
        path = self.folder / "config.json"
        if path.is_file():
            ignored = ("environment", "data_source")  # the data is md5-verified wherever it lives
            old = {k: v for k, v in store.read_json(path).items() if k not in ignored}
            new = {k: v for k, v in store.roundtrip(self.config).items() if k not in ignored}
            if old != new:
                diff = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                raise UserError(
                    f"{self.folder} holds a run with another configuration (differs in {diff}); "
                    "use another --out or delete that folder"
                )
        store.write_json(path, {**self.config, "environment": environment()})

    def build(self, strategy):
        cfg = self.config
        keras.utils.set_random_seed(cfg["seed"])
        hyper = {k: v for k, v in cfg["hyperparameters"].items() if k != "batch_size"}
        with strategy.scope():
            model = models.build(cfg["model"], seed=cfg["seed"], jit_compile=cfg["jit_compile"],
                                 steps_per_execution=cfg["steps_per_execution"], **hyper)
            model.sample(1)  # builds every sub-network before the state is listed
            variables = models.state_variables(model)
        return model, variables

    def save_checkpoint(self, variables, epoch, train_seconds) -> None:
        """One atomic file: every state variable, the epoch and the training seconds so far."""
        arrays = {f"v{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(variables)}
        store.write_npz(self.ckpt / "state.npz", epoch=np.int64(epoch),
                        train_seconds=np.float64(train_seconds), **arrays)

    def load_checkpoint(self, variables) -> tuple[int, float]:
        path = self.ckpt / "state.npz"
        if not path.is_file():
            return 0, 0.0
        state = store.load_npz(path)
        if len(state) - 2 != len(variables):
            raise UserError(f"{path} does not match the model; delete {self.folder} to restart")
        for i, v in enumerate(variables):
            v.assign(state[f"v{i:04d}"])
        return int(state["epoch"]), float(state["train_seconds"])

    def train(self, data: EpochData, strategy, epoch_callbacks=(), keras_callbacks=(),
              progress=None) -> str:
        """Train to the budget, resuming if a checkpoint exists. Returns the final status."""
        cfg = self.config
        model, variables = self.build(strategy)
        start_epoch, train_seconds = self.load_checkpoint(variables)
        history_path = self.folder / "history.csv"
        rows = []
        if history_path.is_file() and start_epoch > 0:
            old = pd.read_csv(history_path)
            rows = old[old["epoch"] <= start_epoch].to_dict("records")
        writer = self._tensorboard_writer()
        max_epochs = cfg["epochs"] or 10**9
        budget_s = cfg["minutes"] * 60 if cfg["minutes"] else math.inf
        traced = False
        status = "finished"
        for epoch in range(start_epoch, max_epochs):
            if train_seconds >= budget_s:
                break
            remaining = budget_s - train_seconds
            clock = _StepClock(time.perf_counter() + remaining if math.isfinite(remaining) else None)
            fit = model.fit(data.epoch(epoch), epochs=1, verbose=0, shuffle=False,
                            callbacks=[clock, *keras_callbacks])
            epoch_seconds = clock.t_end - clock.t0
            train_seconds += epoch_seconds
            steady_steps = clock.steps - clock.first_steps
            steady_seconds = clock.t_end - clock.t_first
            row = {
                "epoch": epoch + 1, "train_seconds": train_seconds, "epoch_seconds": epoch_seconds,
                "warmup_seconds": 0.0 if traced else clock.t_first - clock.t0,
                "images": clock.steps * data.batch_size,
                "images_per_sec": steady_steps * data.batch_size / steady_seconds
                if steady_steps > 0 else float("nan"),
                **{k: float(v[-1]) for k, v in fit.history.items()},
            }
            traced = True
            losses = [row[m.name] for m in model.metrics]
            if not all(np.isfinite(losses)):
                rows.append(row)
                store.write_csv(history_path, pd.DataFrame(rows))
                status = "diverged"
                store.write_json(self.status_path, {"status": status, "epoch": epoch + 1,
                                                    "reason": f"non-finite loss {losses}"})
                break
            for callback in epoch_callbacks:  # evaluation: not training time
                row.update(callback(model, epoch + 1))
            rows.append(row)
            store.write_csv(history_path, pd.DataFrame(rows))
            grid = model.sample(cfg["grid_samples"], seed=GRID_SEED)
            store.atomic_write_bytes(self.folder / "samples" / f"epoch-{epoch + 1:03d}.png",
                                     png_bytes(grid))
            self.save_checkpoint(variables, epoch + 1, train_seconds)
            if writer is not None:
                with writer.as_default(step=epoch + 1):
                    for key, value in row.items():
                        tf.summary.scalar(key, value)
                    tf.summary.image("samples", grid[:16], max_outputs=16)
            if progress is not None:
                progress(self.config, row, model)
        if status == "finished":
            samples = model.sample(cfg["eval"]["samples"], seed=SAMPLES_SEED)
            store.write_npz(self.folder / "samples.npz", images=samples)
            store.write_json(self.status_path, {"status": status, "epoch": len(rows),
                                                "train_seconds": train_seconds})
        return status

    @classmethod
    def load_model(cls, folder: Path):
        """The model of a run folder, rebuilt from config.json and its last checkpoint."""
        run = cls(store.read_json(Path(folder) / "config.json"), folder)
        model, variables = run.build(make_strategy("default"))
        run.load_checkpoint(variables)
        return model

    def _tensorboard_writer(self):
        if not self.tensorboard:
            return None
        try:
            import tensorboard  # noqa: F401  (tf.summary needs it; TensorFlow 2.21 does not install it)
        except ImportError:
            raise UserError("--tensorboard needs the tensorboard package: pip install 'genbench[tensorboard]' "
                            "(or pip install tensorboard), or drop --tensorboard") from None
        return tf.summary.create_file_writer(str(self.folder / "tensorboard"))
