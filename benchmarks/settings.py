"""Every suite and run setting, declared once: its type, default, whether a model may override
it, whether it defines the result or only its speed, and a line of doc.

Reading a suite (`benchmarks.suite_file`: TOML, the command-line flags, validation, each run's
settings) and the run's config.json (`benchmarks.config_file`) derive from `SUITE`, `EVAL` and
`MANIFOLD`. Budgets are whole epochs: an epoch is one pass over the training images.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import models
from benchmarks.data.mnist import DATASETS, FIT_IMAGES, MNIST, TRAIN_IMAGES
from benchmarks.precision import DTYPES

REQUIRED = object()  # the default of a setting every suite must set
LOOPS = ("fit", "compiled")  # the training loops of one pass (benchmarks.training.loops)


def _positive(value) -> str | None:
    return None if value > 0 else "must be positive"


def _choices(*valid):
    return lambda value: None if value in valid else f"; valid: {', '.join(valid)}"


def _share(value) -> str | None:
    return None if 0 <= value < 1 else "must be in [0, 1)"


def _within(low: int, high: int, why: str):
    return lambda value: None if low <= value <= high else f"must be in {low}..{high} ({why})"


@dataclasses.dataclass(frozen=True)
class Setting:
    """One setting. `types`: what TOML may hold; `check`: value -> None, or the error's end;
    `per_model`: [overrides.<model>] may set it; `run`: recorded in each run's config.json;
    `defines`: part of the result (a resumed run must match it), else only its speed;
    `flag`: a command-line flag of run/bench/reproduce sets it for every model."""

    name: str
    types: type | tuple
    default: Any
    doc: str
    check: Any = None
    per_model: bool = False
    run: bool = False
    defines: bool = True
    flag: dict | None = None

    def error(self, value) -> str | None:
        """The error's end for `value` (type first, then `check`), or None."""
        if value is None and self.default is None:
            return None
        types = self.types if isinstance(self.types, tuple) else (self.types,)
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            return f"must be a {'positive int' if self.check is _positive else types[0].__name__}"
        return self.check(value) if self.check else None


def _eval_settings() -> tuple[Setting, ...]:
    return (
        Setting("samples", int, 10_000, "samples.npz size, scored by `score`", _positive),
        Setting("quick_fid", bool, True, "quick FID at every evaluation point (curve.csv)"),
        Setting("quick_fid_samples", int, 2_000, "samples of each quick FID", _positive),
        Setting("iwae_k", int, 50, "importance samples of the IWAE bound (VAEs)", _positive),
        Setting("likelihood_images", int, 10_000, "test images of the IWAE bound (the ELBO uses all)", _positive),
        Setting("curve_iwae_k", int, 0, "VAEs: the IWAE bound with k samples at every curve point (0: off)"),
        Setting("curve_images", int, 1000, "... on the first N test images (the curve's ELBO uses all)", _positive),
        Setting("sampler_steps", list, [1, 2, 4, 8, 16, 32, 64], "the diffusion family: the sampler steps at which "
                "`score` measures a quick FID (quick_fid_samples samples) and the seconds per 1,000 samples",
                lambda v: None if v and all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in v)
                else "must be a non-empty list of positive ints"),
    )


EVAL = {s.name: s for s in _eval_settings()}
MANIFOLD = {s.name: s for s in (
    Setting("epochs", int, 5, "epochs of the 2-d-latent dense VAE that `bench` trains for the manifold figure",
            _positive),
)}
SUITE = {s.name: s for s in (
    Setting("description", str, "", "what the suite is for"),
    Setting("dataset", str, MNIST.name, "the dataset of every run", _choices(*DATASETS), run=True,
            flag={"choices": tuple(DATASETS)}),
    Setting("models", list, list(models.MODEL_NAMES), "the models of the grid",
            flag={"nargs": "+", "metavar": "MODEL"}),
    Setting("seeds", list, [0], "the seeds of the grid", flag={"nargs": "+", "type": int, "metavar": "SEED"}),
    Setting("epochs", int, REQUIRED, "the budget: whole passes over the training images", _positive,
            per_model=True, run=True, flag={"type": int, "metavar": "N"}),
    Setting("eval_every_images", int, None, "an evaluation point every N training images (default: every epoch)",
            _positive, per_model=True, run=True),
    Setting("train_images", int, FIT_IMAGES, f"the training images: train[:N]; above {FIT_IMAGES:,} they include the "
            f"validation images train[{FIT_IMAGES}:] (all 60,000, as Burda et al. 2015 trained)",
            _within(1, TRAIN_IMAGES, "the training set's size"), per_model=True, run=True),
    Setting("batch_size", int, 128, "images per training step", _positive, per_model=True, run=True),
    Setting("binarize", bool, True, "VAEs: a fresh Bernoulli binarization of every image in every epoch", run=True),
    Setting("strategy", str, "default", "tf.distribute strategy", _choices("default", "mirrored"), run=True,
            defines=False, flag={"choices": ("default", "mirrored")}),
    Setting("dtype", str, "float32", "training dtype policy: float32, mixed_bfloat16, or auto (the machine's "
            "faster one, measured: benchmarks.precision)",
            _choices(*DTYPES), per_model=True, run=True, flag={"choices": DTYPES}),
    Setting("deterministic", bool, False, "TensorFlow's op-determinism flag (Keras then turns XLA off)", run=True,
            defines=False),
    Setting("loop", str, "fit", "the training loop: Keras's fit, or compiled (steps_per_execution steps per call in "
            "one tf.while_loop; benchmarks.training.loops)", _choices(*LOOPS), per_model=True, run=True,
            defines=False, flag={"choices": LOOPS}),
    Setting("jit_compile", bool, False, "compile the train step (the compiled loop: the whole chunk) with XLA",
            per_model=True, run=True, defines=False),
    Setting("steps_per_execution", int, 1, "train steps per call of the compiled function", _positive,
            per_model=True, run=True, defines=False),
    Setting("stop_tolerance", (float, int), 0.0, "stop before the budget once the quick FID (and a VAE's validation "
            "ELBO) improved by less than this share over the last stop_window of the epochs "
            "(benchmarks.training.convergence); 0: train the whole budget", _share, per_model=True, run=True),
    Setting("stop_window", (float, int), 0.2, "the share of the epochs trained that the convergence rule compares "
            "with the epochs before it (at least 2 epochs)", lambda v: None if 0 < v < 1 else "must be in (0, 1)",
            per_model=True, run=True),
    Setting("stop_min_epochs", int, 1, "no stop by the convergence rule before this many epochs", _positive,
            per_model=True, run=True),
    Setting("save_every_seconds", int, 0, "checkpoint, sample grid and tables at the first epoch end at "
            "least this long after the last save (0: every epoch); the last epoch is always saved",
            lambda v: None if v >= 0 else "must be >= 0", per_model=True, run=True, defines=False),
    Setting("grid_samples", int, 100, "samples in each sample grid (per epoch, and per evaluation point)", _positive,
            run=True),
    Setting("log_points", int, 24, "rows of steps.csv per epoch: the losses, each the mean over the steps since "
            "the previous row (at most one per execution of steps_per_execution steps)", _positive, run=True,
            defines=False),
    Setting("figure_dpi", int, 200, "dots per inch of the report's and the lecture's figure PNGs (their PDFs are "
            "vector): 200 gives 2,666 x 1,500 px", _positive, run=True, defines=False),
    Setting("slide_dpi", int, 144, "dots per inch of the deck's slides/*.png: 144 gives 1,920 x 1,080 px", _positive,
            run=True, defines=False),
    Setting("overrides", dict, {}, "[overrides.<model>]: per-model settings and the model's own settings"),
    Setting("eval", dict, {}, "[eval]: evaluation settings", run=True),
    Setting("manifold", dict, {}, "[manifold]: the extra run behind the latent-manifold figure"),
)}
SECTIONS = {"eval": EVAL, "manifold": MANIFOLD}
PER_MODEL = tuple(n for n, s in SUITE.items() if s.per_model)
RETIRED = {  # keys of older suites, and what replaced them
    "minutes": "budgets are whole epochs now (time is measured): set epochs = N",
    "steps_per_epoch": "an epoch is one pass over train_images: set epochs and train_images",
    "precision": "the training dtype policy is now `dtype` (precision is a metric): set dtype = ...",
    "parzen": "the Parzen estimate is always scored: remove the key",
}
