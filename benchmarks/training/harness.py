"""One training loop for every model: the same data, seeds, timing and bookkeeping.

A run trains whole epochs in its folder (see `benchmarks.runs`), resuming from the last
checkpoint. At each evaluation point (the untrained model, every `eval_every_images` images
inside the passes, each epoch's end, and the end): one curve.csv row and a frame of the fixed-z
sample grid, timed with the training clock paused. After each epoch: its `log_points` rows of
steps.csv (the losses, each the mean over the steps since the previous row), one history row
(timing, losses, the sitting, when it ended) and a divergence check. At each save (every epoch, or the first epoch end
`save_every_seconds` after the last save, and the last epoch): history.csv and steps.csv, then
the side-effect callbacks (sample grid, checkpoint, TensorBoard, progress). A pass runs in
`fit` or in the compiled loop (`loop`, benchmarks.training.loops). Evaluation comes in as
`evaluators`, callables (model, epoch) -> dict of columns, so this module does not import
the scorer.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd

import models
from benchmarks import config_file, files, progress, runs
from benchmarks.errors import UserError
from benchmarks.training import convergence, loops
from benchmarks.training.callbacks import (
    Checkpoint,
    EvaluationPoints,
    Interrupts,
    SampleGrid,
    StepClock,
    StepLog,
    TensorBoardLog,
    write_frame,
)
from benchmarks.training.console import PassProgress
from benchmarks.training.evaluation_points import next_point_after
from benchmarks.training.run_config import SITTING_KEYS, environment

SAMPLES_SEED = 4321  # the noise of samples.npz


class Run:
    """One (model, seed) run in its folder: build or resume, train, record."""

    def __init__(self, config: dict, folder: Path, tensorboard: bool = False):
        self.config, self.folder, self.tensorboard = config, Path(folder), tensorboard
        self.saved = None  # what this run saved last (a line for the Ctrl-C message)

    def status(self) -> str:
        return runs.read_status(self.folder)

    def check_config(self) -> None:
        """Sweep temporary files a killed process left, and refuse a folder of another config
        (call it holding the folder's lock, `runs.exclusive`). Writes nothing: config.json is
        written, with this machine's environment, when training starts (`train`)."""
        files.sweep_stale(self.folder)
        path = self.folder / runs.CONFIG
        if path.exists():  # the data is md5-verified wherever it lives, so its source is no part of this
            stored = runs.read_config(self.folder)
            if self.config.get("dtype_setting") == "auto" and stored.get("dtype_setting", "auto") == "auto":
                self.config["dtype"] = stored["dtype"]  # a run resumed on another node goes on as it began
            old = config_file.identity(stored)
            new = config_file.identity(files.roundtrip(self.config))
            if old != new:
                diff = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                raise UserError(
                    f"{self.folder} holds a run with another configuration (differs in {diff}); "
                    "use another --out or delete that folder"
                )

    def train(self, data, strategy, evaluators=(), keras_callbacks=(), side_effects=()) -> str:
        """Train to the budget, resuming if a checkpoint exists. Returns the final status.
        `keras_callbacks` go to every `fit`; `side_effects` (Keras callbacks too) are called
        after the built-in ones with each recorded history row as logs."""
        model, state = runs.build_model(self.config, strategy)
        epoch, train_seconds = runs.load_checkpoint(self.folder, state)
        if 0 < epoch < self.config["epochs"]:
            progress.note(f"{self.config['model']} seed {self.config['seed']}: resumed at epoch {epoch} of"
                          f" {self.config['epochs']} ({train_seconds / 60:.1f} min trained) from its checkpoint")
        epoch_images = data.steps * data.batch_size
        rows = self._resumed(runs.read_history, "epoch", epoch)
        points = self._resumed(runs.read_curve, "images", epoch * epoch_images)
        steps = self._resumed(runs.read_steps, "images", epoch * epoch_images)
        sitting, env = self._sitting(rows), environment()
        files.write_json(self.folder / runs.CONFIG, {**self.config, "environment": env,
                                                     "sittings": self._sittings(sitting, env)})
        evaluated = self._evaluation_model(model, strategy)

        def evaluate(images: int, seconds: float) -> None:  # one point of curve.csv, and its frame
            files.trace(f"evaluate {self.folder} at {images} images")
            self._sync(evaluated, model)
            point = {"images": images, "epoch": images / epoch_images, "train_seconds": seconds}
            for evaluator in evaluators:
                point.update(evaluator(evaluated, point["epoch"]))
            shown = " ".join(f"{k}={v:.4g}" for k, v in point.items() if k not in ("images", "epoch", "train_seconds"))
            progress.note(f"{self.config['model']} seed {self.config['seed']}: evaluated at {images:,} images"
                          f"{(': ' + shown) if shown else ''}")
            write_frame(evaluated, self.folder, images, self.config["grid_samples"])
            self._record(points, point, runs.CURVE)

        if evaluators and not points:
            evaluate(0, 0.0)  # the untrained model: where every curve starts
        after_epoch = keras.callbacks.CallbackList(
            [SampleGrid(self.folder, self.config["grid_samples"]), Checkpoint(self.folder, state, self),
             *([TensorBoardLog(self.folder)] if self.tensorboard else []), *side_effects], model=evaluated)
        traced, interrupts, saved_at = False, Interrupts(), time.monotonic()
        after_epoch.on_train_begin({"epoch": epoch, "images": epoch * epoch_images})
        converged = self.converged(points, epoch)
        while epoch < self.config["epochs"] and not converged:
            with interrupts.deferred():  # Ctrl-C stops at a step boundary; the last saved epoch is kept
                rate = models.learning_rate(self.config["hyperparameters"], epoch)  # a staged schedule's
                if rate is not None:
                    model.optimizer.learning_rate = rate
                if hasattr(model, "begin_epoch"):  # a per-epoch schedule of the model's own (momentum)
                    model.begin_epoch(epoch)
                clock = StepClock(max_steps=data.steps)
                log = StepLog(clock, epoch * epoch_images, epoch_images, train_seconds, data.batch_size,
                              max(1, data.steps // self.config["log_points"]), [m.name for m in model.metrics])
                inside = [EvaluationPoints(clock, epoch * epoch_images, train_seconds, data.batch_size,
                                           next_point_after(self.config, epoch_images), evaluate)] if evaluators else []
                label = f"{self.config['model']} seed {self.config['seed']} epoch {epoch + 1}/{self.config['epochs']}"
                logs = loops.train_pass(model, data.epoch(epoch, noise=model.training_noise), self.config["loop"],
                                        self.config["steps_per_execution"], self.config["jit_compile"],
                                        [clock, PassProgress(clock, label, data.steps), log, *inside,
                                         *keras_callbacks, interrupts])
                interrupts.check()  # a pass cut short is not recorded
                row = self._history_row(epoch, train_seconds, clock, logs, data.batch_size, traced)
                if rate is not None:
                    row["learning_rate"] = rate
                row.update(sitting=sitting, ended_at=round(time.time(), 3))
                train_seconds, traced = row["train_seconds"], True
                steps.extend(log.rows)
                rows.append(row)
                epoch += 1
                losses = [row[m.name] for m in model.metrics]
                if not all(np.isfinite(losses)):
                    self._write_tables(rows, steps)
                    runs.write_status(self.folder, "diverged", epoch=epoch, reason=f"non-finite loss {losses}")
                    self.saved = f"{self.folder} (diverged)"
                    return "diverged"
                converged = self.converged(points, epoch)
                if converged:
                    progress.note(f"{self.config['model']} seed {self.config['seed']}: converged after epoch {epoch} "
                                  f"of at most {self.config['epochs']} (the suite's stop rule)")
                if (epoch == self.config["epochs"] or converged
                        or time.monotonic() - saved_at >= self.config["save_every_seconds"]):
                    self._write_tables(rows, steps)  # rows past the last checkpoint are trained again on resume
                    self._sync(evaluated, model)
                    latest = {k: v for k, v in (points[-1] if points else {}).items() if k not in row}
                    after_epoch.on_epoch_end(epoch - 1, {**row, **latest})
                    saved_at = time.monotonic()
        self._sync(evaluated, model)
        return self._finish(evaluated, len(rows), train_seconds, converged)

    def converged(self, points: list[dict], epoch: int) -> bool:
        """Whether the run has converged after `epoch` epochs by the suite's stop rule
        (`stop_tolerance`, `stop_window`, `stop_min_epochs`; benchmarks.training.convergence),
        read from its curve's points at the epoch ends; False where the rule is off."""
        if not self.config["stop_tolerance"] or epoch < 1:
            return False
        ends = {round(p["epoch"]): p for p in points if float(p["epoch"]).is_integer() and 1 <= p["epoch"] <= epoch}
        if len(ends) < epoch:
            return False
        names = [n for n in convergence.CRITERIA if any(n in p for p in ends.values())]
        curves = {n: [ends[e].get(n, float("nan")) for e in range(1, epoch + 1)] for n in names}
        return convergence.all_converged(curves, self.config["stop_tolerance"], self.config["stop_window"],
                                         self.config["stop_min_epochs"])

    def _evaluation_model(self, model, strategy):
        """What evaluation, samples and grids use: the model itself in float32, else a float32
        twin (the same networks, its weights copied from the model's at every `_sync`)."""
        if self.config["dtype"] == "float32":
            return model
        return runs.build_model(self.config, strategy, dtype_policy="float32")[0]

    @staticmethod
    def _sync(evaluated, model) -> None:
        if evaluated is not model:
            for twin, source in zip(evaluated.variables, model.variables, strict=True):
                twin.assign(source)

    def _resumed(self, read, column: str, upto) -> list[dict]:
        """The rows of history.csv or curve.csv up to the checkpoint (rows written after the
        last checkpoint belong to an epoch that is trained again)."""
        old = read(self.folder) if upto > 0 else None
        return [] if old is None else old[old[column] <= upto].to_dict("records")

    def _sittings(self, sitting: int, env: dict) -> list:
        """config.json's `sittings`: the code and machine of every process that trained the run
        (`environment` is the latest's), so a run resumed at another commit names both."""
        earlier = []
        if (self.folder / runs.CONFIG).exists():
            stored = runs.read_config(self.folder)
            earlier = [s for s in stored.get("sittings", []) if isinstance(s, dict) and s.get("sitting", 0) < sitting]
            if not earlier and sitting > 1 and isinstance(stored.get("environment"), dict):
                earlier = [{"sitting": sitting - 1, **{k: stored["environment"].get(k) for k in SITTING_KEYS}}]
        return [*earlier, {"sitting": sitting, **{k: env.get(k) for k in SITTING_KEYS},
                           "started_at": round(time.time(), 3)}]

    @staticmethod
    def _sitting(rows: list) -> int:
        """This call's sitting: 1, or one more than the last recorded (a run resumed in a
        later process; rows of a version before the column count as sitting 1)."""
        if not rows:
            return 1
        last = rows[-1].get("sitting")
        return 2 if last is None or not np.isfinite(last) else int(last) + 1

    @staticmethod
    def _history_row(epoch, train_seconds, clock, logs, batch_size, traced) -> dict:
        return {
            "epoch": epoch + 1, "train_seconds": train_seconds + clock.seconds, "epoch_seconds": clock.seconds,
            "warmup_seconds": 0.0 if traced else clock.warmup_seconds,
            "images": clock.steps * batch_size, "images_per_sec": clock.images_per_second(batch_size),
            **logs,
        }

    def _record(self, rows: list, new: dict, name: str) -> None:
        """Append a row and rewrite the table `name` atomically."""
        rows.append(new)
        files.write_csv(self.folder / name, pd.DataFrame(rows))

    def _write_tables(self, history: list, steps: list) -> None:
        files.write_csv(self.folder / runs.STEPS, pd.DataFrame(steps))
        files.write_csv(self.folder / runs.HISTORY, pd.DataFrame(history))

    def _finish(self, model, epochs: int, train_seconds: float, converged: bool) -> str:
        """Draw the run's samples, timed (the sampler's graph is traced beforehand, by a draw of
        one image, so the time is the steady state's), and mark the run finished."""
        model.sample(1, seed=SAMPLES_SEED)
        start = time.perf_counter()
        samples = model.sample(self.config["eval"]["samples"], seed=SAMPLES_SEED)
        sampling_seconds = time.perf_counter() - start
        files.write_npz(self.folder / runs.SAMPLES, images=samples)
        runs.write_status(self.folder, "finished", epoch=epochs, train_seconds=train_seconds,
                          parameters=models.parameter_count(model), sampling_seconds=sampling_seconds,
                          network_evaluations=model.network_evaluations(),
                          **({"converged": converged} if self.config["stop_tolerance"] else {}))
        self.saved = f"{self.folder} (finished)"
        return "finished"
