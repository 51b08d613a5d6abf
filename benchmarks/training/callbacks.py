"""Keras callbacks of the harness: the step clock and Ctrl-C at a step boundary inside `fit`,
and the per-epoch side effects (sample grid, checkpoint, TensorBoard; the progress line is in
`console`), which the harness calls with the epoch's history row as `logs` once that row is recorded (as
keras-io's DCGAN `GANMonitor` saves its images)."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from pathlib import Path

import keras
import tensorflow as tf

from benchmarks import files, runs
from benchmarks.errors import UserError
from benchmarks.images import png_bytes

GRID_SEED = 1234  # the fixed noise of the per-epoch sample grids


class StepClock(keras.callbacks.Callback):
    """Times one `fit` call, its first execution (tracing, if any) apart, without the time
    spent `paused()` (evaluation inside the pass). `max_steps`: the pass's length, since Keras
    reports a last, partial execution of `steps_per_execution` steps as a full one."""

    def __init__(self, max_steps: int | None = None):
        super().__init__()
        self.max_steps = max_steps

    def on_train_begin(self, logs=None):
        self.t0, self.t_first, self.first_steps, self.steps, self.paused_seconds = time.perf_counter(), None, 0, 0, 0.0

    def on_train_batch_end(self, batch, logs=None):
        self.steps = min(batch + 1, self.max_steps or batch + 1)
        if self.t_first is None:
            self.t_first, self.first_steps = time.perf_counter(), self.steps

    def on_train_end(self, logs=None):
        self.t_end = time.perf_counter()

    @contextlib.contextmanager
    def paused(self):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.paused_seconds += time.perf_counter() - start

    def elapsed(self) -> float:
        """Training seconds of this pass so far."""
        return time.perf_counter() - self.t0 - self.paused_seconds

    @property
    def seconds(self) -> float:
        return self.t_end - self.t0 - self.paused_seconds

    @property
    def warmup_seconds(self) -> float:
        return self.t_first - self.t0

    def images_per_second(self, batch_size: int) -> float:
        """Steady state: every step after the first execution (pauses come after it)."""
        steps = self.steps - self.first_steps
        seconds = self.t_end - self.t_first - self.paused_seconds
        return steps * batch_size / seconds if steps > 0 else float("nan")


class Interrupts(keras.callbacks.Callback):
    """Ctrl-C (SIGINT) and SIGTERM taken at a step boundary. KeyboardInterrupt raised at an
    arbitrary point inside `fit` can crash TensorFlow with a segfault instead of the one-line
    exit (as in rstudio/reticulate#1601). Inside `deferred()` the first
    signal only asks `fit` to stop after the current execution, and KeyboardInterrupt is raised
    where the block ends or at `check()`; a second signal raises at once. Only signals whose
    handler raises in Python are deferred (an ignored SIGINT stays ignored)."""

    def __init__(self):
        super().__init__()
        self.requested = False

    def on_train_batch_end(self, batch, logs=None):
        if self.requested:
            self.model.stop_training = True

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    @contextlib.contextmanager
    def deferred(self):
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
            previous = {s: h for s, h in previous.items() if callable(h)}
            for s in previous:
                signal.signal(s, self._handler)
        try:
            yield self
        finally:
            for s, h in previous.items():
                signal.signal(s, h)
        self.check()


class EvaluationPoints(keras.callbacks.Callback):
    """Evaluates inside `fit` whenever the run's images seen reach the next evaluation point
    (`next_point(images)`), with the clock paused, and passes (images, training seconds)
    to `evaluate`. Runs after the StepClock, which counts the steps."""

    def __init__(self, clock: StepClock, start_images: int, start_seconds: float, batch_size: int,
                 next_point, evaluate):
        super().__init__()
        self.clock, self.start_images, self.start_seconds = clock, start_images, start_seconds
        self.batch_size, self.next_point, self.evaluate = batch_size, next_point, evaluate

    def on_train_begin(self, logs=None):
        self.point = self.next_point(self.start_images)

    def on_train_batch_end(self, batch, logs=None):
        images = self.start_images + self.clock.steps * self.batch_size
        if self.point is not None and images >= self.point:
            with self.clock.paused():
                self.evaluate(images, self.start_seconds + self.clock.elapsed())
            self.point = self.next_point(images)


class StepLog(keras.callbacks.Callback):
    """The training losses several times per pass, for curves finer than an epoch: a row every
    `every` steps (at the first execution boundary at or past it) and at the pass's end, each
    the mean of every metric over the steps since the previous row, computed from Keras's
    running means since the pass began (mean_k n_k - mean_(k-1) n_(k-1)) / (n_k - n_(k-1)).
    Runs after the StepClock, which counts the steps; `rows` holds the pass's rows."""

    def __init__(self, clock: StepClock, start_images: int, epoch_images: int, start_seconds: float,
                 batch_size: int, every: int, names: list):
        super().__init__()
        self.clock, self.start_images, self.epoch_images = clock, start_images, epoch_images
        self.start_seconds, self.batch_size, self.every, self.names = start_seconds, batch_size, every, names

    def on_train_begin(self, logs=None):
        self.rows, self.steps, self.sums = [], 0, dict.fromkeys(self.names, 0.0)

    def on_train_batch_end(self, batch, logs=None):
        steps = self.clock.steps
        if steps - self.steps >= self.every or steps == self.clock.max_steps:
            self.point(steps, logs)

    def point(self, steps: int, logs: dict) -> None:
        """Record the row of the steps since the previous one; `logs` holds the running means."""
        if steps <= self.steps:
            return
        sums = {name: float(logs[name]) * steps for name in self.names}
        images = self.start_images + steps * self.batch_size
        self.rows.append({"images": images, "epoch": images / self.epoch_images,
                          "train_seconds": self.start_seconds + self.clock.elapsed(),
                          **{name: (sums[name] - self.sums[name]) / (steps - self.steps) for name in self.names}})
        self.steps, self.sums = steps, sums


FRAME_SAMPLES = 36  # a frame: the first 36 of the grid's fixed noise, 6 x 6, large enough for a slide


def write_frame(model, folder: Path, images: int, n: int) -> None:
    """frames/images-NNNNNNNNN.png: the model's samples from the fixed noise (the first
    min(n, 36) of the sample grid's) after `images` training images (an evaluation point),
    for the evolution strip and its GIF."""
    files.atomic_write_bytes(Path(folder) / "frames" / f"images-{images:09d}.png",
                             png_bytes(model.sample(min(n, FRAME_SAMPLES), seed=GRID_SEED)))


class SampleGrid(keras.callbacks.Callback):
    """samples/epoch-NNN.png: the model's samples from the same noise after every epoch."""

    def __init__(self, folder: Path, n: int):
        super().__init__()
        self.folder, self.n = Path(folder), n

    def on_epoch_end(self, epoch, logs=None):
        grid = self.model.sample(self.n, seed=GRID_SEED)
        files.atomic_write_bytes(self.folder / "samples" / f"epoch-{epoch + 1:03d}.png", png_bytes(grid))


class Checkpoint(keras.callbacks.Callback):
    """checkpoint/state.npz: every state variable by name, the epoch and `logs['train_seconds']`;
    sets `owner.saved` to a line naming it (for the Ctrl-C message)."""

    def __init__(self, folder: Path, state: dict, owner=None):
        super().__init__()
        self.folder, self.state, self.owner = Path(folder), state, owner

    def on_epoch_end(self, epoch, logs=None):
        runs.save_checkpoint(self.folder, self.state, epoch + 1, logs["train_seconds"])
        if self.owner is not None:
            self.owner.saved = f"{self.folder} at epoch {epoch + 1}"


class TensorBoardLog(keras.callbacks.Callback):
    """TensorBoard scalars of every history column, and 16 samples, per epoch."""

    def __init__(self, folder: Path):
        super().__init__()
        try:
            import tensorboard  # noqa: F401  (tf.summary needs it; TensorFlow 2.21 does not install it)
        except ImportError:
            raise UserError("--tensorboard needs the tensorboard package: pip install 'genbench[tensorboard]' "
                            "(or pip install tensorboard), or drop --tensorboard") from None
        self.writer = tf.summary.create_file_writer(str(Path(folder) / "tensorboard"))

    def on_epoch_end(self, epoch, logs=None):
        with self.writer.as_default(step=epoch + 1):
            for key, value in logs.items():
                tf.summary.scalar(key, value)
            tf.summary.image("samples", self.model.sample(16, seed=GRID_SEED), max_outputs=16)
