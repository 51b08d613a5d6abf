"""What the console shows while the grid trains: a pass's steps as they go (`PassProgress`),
and one line per saved epoch with the time the run and the grid still need (`Progress`)."""

from __future__ import annotations

import time

import keras

from benchmarks import progress
from benchmarks.training.callbacks import StepClock


class PassProgress(keras.callbacks.Callback):
    """A pass's steps as they go (`benchmarks.progress`). Runs after the StepClock."""

    def __init__(self, clock: StepClock, label: str, total: int):
        super().__init__()
        self.clock, self.label, self.total = clock, label, total

    def on_train_begin(self, logs=None):
        self.task = progress.task(self.label, self.total, "steps")
        self.advance, self.done = self.task.__enter__(), 0

    def on_train_batch_end(self, batch, logs=None):
        self.advance(self.clock.steps - self.done)
        self.done = self.clock.steps

    def on_train_end(self, logs=None):
        self.task.__exit__(None, None, None)


def clock_text(seconds: float) -> str:
    """HH:MM:SS, past a day too (time.strftime would wrap)."""
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress(keras.callbacks.Callback):
    """One compact line per saved epoch: the run's place in the grid, its losses, and the wall
    time this run and the grid still need at this invocation's pace so far (a side-effect
    callback of the harness: `start(config)` before each run trains, `on_train_begin` with the
    epoch it resumes at, `on_epoch_end` at each save, which under `save_every_seconds` comes
    after several epochs, and `run_ended(config)` after every run, trained or skipped)."""

    def __init__(self, n_runs: int):
        super().__init__()
        self.n_runs, self.done_runs = n_runs, 0
        self.config, self.begin, self.last = None, None, None
        self.left_images, self.images, self.seconds, self.run_images = 0, 0, 0.0, 0

    @staticmethod
    def budget(config: dict) -> int:
        """A run's training images: epochs x the images of an epoch (whole batches)."""
        return config["epochs"] * (config["train_images"] // config["batch_size"] * config["batch_size"])

    def plan(self, configs: list) -> None:
        self.left_images = sum(self.budget(c) for c in configs)

    def start(self, config: dict) -> None:
        self.config = config

    def on_train_begin(self, logs=None):
        """`logs`: the epoch the run resumes at and the images trained before (0 for a new run),
        which count as done."""
        self.begin = self.last = (int(logs["epoch"]), time.monotonic())
        self.left_images -= logs["images"]
        self.run_images += logs["images"]

    def run_ended(self, config: dict) -> None:
        """Count the images of a run this invocation did not train (finished or busy) as done."""
        self.left_images -= self.budget(config) - self.run_images
        self.run_images = 0

    def on_epoch_end(self, epoch, logs=None):
        row, now = logs, time.monotonic()
        (begin_epoch, begin_time), (last_epoch, last_time) = self.begin, self.last
        images = (int(row["epoch"]) - last_epoch) * row["images"]  # every epoch since the last save
        self.images, self.seconds = self.images + images, self.seconds + now - last_time
        self.left_images -= images
        self.run_images += images
        self.last = (int(row["epoch"]), now)
        losses = " ".join(f"{m.name}={row[m.name]:.3f}" for m in self.model.metrics)
        extra = f" fid_quick={row['fid_quick']:.2f}" if "fid_quick" in row else ""
        epochs = self.config["epochs"]
        eta = (now - begin_time) / (row["epoch"] - begin_epoch) * (epochs - row["epoch"])
        grid = ""
        if self.n_runs > 1 and self.seconds > 0 and self.left_images > 0:
            grid = f"; grid about {clock_text(self.left_images * self.seconds / self.images)} left"
        print(f"[{self.done_runs + 1}/{self.n_runs}] {self.config['model']} seed {self.config['seed']} "
              f"epoch {int(row['epoch'])}/{epochs} {losses}{extra} "
              f"{row['images_per_sec']:.0f} img/s, run done in {clock_text(eta)}{grid}",
              flush=True)
