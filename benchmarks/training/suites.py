"""Suites: TOML files listing models, seeds, budget and settings; validated on load.

Budgets are whole epochs, and an epoch is one pass over the training images (train[:50000],
or the suite's `train_images`): how much a model learns does not depend on the machine's
speed, and its training seconds are a measured result. A model may get its own number of
epochs and evaluation interval in [overrides.<model>].
"""

from __future__ import annotations

from pathlib import Path

import tomllib

import models
from benchmarks.data.mnist import DATASETS, FIT_IMAGES
from benchmarks.errors import UserError
from benchmarks.runs import MANIFOLD
from benchmarks.training.precision import PRECISIONS

SUITE_DIR = Path(__file__).parent / "suites"
STRATEGIES = ("default", "mirrored")
# key -> (type(s), default). A key set to None in the defaults is optional.
TOP_KEYS = {
    "description": (str, ""),
    "dataset": (str, "mnist"),  # mnist or fashion-mnist (benchmarks.data.mnist.DATASETS)
    "models": (list, list(models.MODEL_NAMES)),
    "seeds": (list, [0]),
    "epochs": (int, None),  # required: whole passes over train_images
    "eval_every_images": (int, None),  # quick FID every N training images (default: every epoch)
    "train_images": (int, FIT_IMAGES),
    "batch_size": (int, 128),
    "binarize": (bool, True),
    "strategy": (str, "default"),
    "precision": (str, "auto"),  # float32, mixed_bfloat16, or auto (see training/precision.py)
    "deterministic": (bool, False),  # TF's global op-determinism flag (Keras then turns XLA off)
    "jit_compile": (bool, False),
    "steps_per_execution": (int, 1),
    "grid_samples": (int, 100),
    "overrides": (dict, {}),
    "eval": (dict, {}),
    "manifold": (dict, {}),
}
# Training settings a suite may also set per model, in [overrides.<model>]; every other key
# there is one of the model's own settings (models.defaults).
PER_MODEL_KEYS = ("epochs", "eval_every_images", "batch_size", "precision", *models.COMPILE_KEYS)
POSITIVE_INTS = ("epochs", "eval_every_images", "batch_size", "steps_per_execution")
RETIRED = {  # keys of older suites, and what replaced them
    "minutes": "budgets are whole epochs now (time is measured): set epochs = N",
    "steps_per_epoch": "an epoch is one pass over train_images: set epochs and train_images",
}
EVAL_KEYS = {
    "samples": (int, 10_000),  # samples.npz size, scored by `score`
    "quick_fid": (bool, True),  # FID on quick_fid_samples after every epoch
    "quick_fid_samples": (int, 2_000),
    "iwae_k": (int, 50),  # importance samples for the IWAE bound
    "likelihood_images": (int, 10_000),  # test images for the IWAE bound (the ELBO uses all)
    "parzen": (bool, True),
    "curve_iwae_k": (int, 0),  # VAEs: the IWAE bound with k samples at every curve point (0: off)
    "curve_images": (int, 1000),  # ... on the first N test images (the curve's ELBO uses all)
}


MANIFOLD_KEYS = {  # the 2-d-latent dense VAE that `bench` trains for the manifold figure
    "epochs": (int, 5),
}


def _check(table: dict, spec: dict, where: str) -> dict:
    out = {}
    for key, value in table.items():
        if key in RETIRED:
            raise UserError(f"{where}: {key} is retired; {RETIRED[key]}")
        if key not in spec:
            raise UserError(f"{where}: unknown key {key!r}; valid keys: {', '.join(spec)}")
        types, default = spec[key]
        if value is None and default is None:
            continue
        if isinstance(value, bool) and types in (int, (int, float)) or not isinstance(value, types):
            name = getattr(types, "__name__", "number")
            raise UserError(f"{where}: {key} = {value!r} must be a {name}")
    for key, (_, default) in spec.items():
        out[key] = table.get(key, default)
    return out


def validate(raw: dict, where: str = "suite") -> dict:
    """A fully resolved suite from the TOML table `raw`, or a one-line UserError."""
    suite = _check(raw, TOP_KEYS, where)
    suite["eval"] = _check(suite["eval"], EVAL_KEYS, f"{where} [eval]")
    suite["manifold"] = _check(suite["manifold"], MANIFOLD_KEYS, f"{where} [manifold]")
    for name in suite["models"]:
        if name not in models.MODEL_NAMES:
            raise UserError(f"{where}: unknown model {name!r}; valid: {', '.join(models.MODEL_NAMES)}")
    for name, table in suite["overrides"].items():
        if name not in models.MODEL_NAMES:
            raise UserError(f"{where} [overrides]: unknown model {name!r}; valid: {', '.join(models.MODEL_NAMES)}")
        valid = [*models.defaults(name), *PER_MODEL_KEYS]
        for key in table:
            if key not in valid:
                raise UserError(f"{where} [overrides.{name}]: unknown key {key!r}; valid: {', '.join(valid)}")
    if not suite["seeds"] or not all(isinstance(s, int) and s >= 0 for s in suite["seeds"]):
        raise UserError(f"{where}: seeds must be a non-empty list of integers >= 0")
    if suite["dataset"] not in DATASETS:
        raise UserError(f"{where}: dataset = {suite['dataset']!r}; valid: {', '.join(DATASETS)}")
    if suite["epochs"] is None:
        raise UserError(f"{where}: set the budget, epochs = N (whole passes over the training images)")
    for key in ("train_images", *POSITIVE_INTS):
        if suite[key] is not None and suite[key] <= 0:
            raise UserError(f"{where}: {key} = {suite[key]} must be positive")
    if suite["manifold"]["epochs"] <= 0:
        raise UserError(f"{where} [manifold]: epochs = {suite['manifold']['epochs']} must be positive")
    for name, table in suite["overrides"].items():
        for key in POSITIVE_INTS:
            if key in table and (isinstance(table[key], bool) or not isinstance(table[key], int) or table[key] <= 0):
                raise UserError(f"{where} [overrides.{name}]: {key} = {table[key]!r} must be a positive int")
    for name, table in [("", suite), *((f" [overrides.{m}]", t) for m, t in suite["overrides"].items())]:
        if "precision" in table and table["precision"] not in PRECISIONS:
            raise UserError(f"{where}{name}: precision = {table['precision']!r}; valid: {', '.join(PRECISIONS)}")
    if suite["strategy"] not in STRATEGIES:
        raise UserError(f"{where}: strategy = {suite['strategy']!r}; valid: {', '.join(STRATEGIES)}")
    jit = [m for m in suite["models"] if suite["overrides"].get(m, {}).get("jit_compile", suite["jit_compile"])]
    if jit and suite["deterministic"]:
        raise UserError(f"{where}: jit_compile for {', '.join(jit)} needs deterministic = false "
                        "(Keras turns XLA off under TF op determinism)")
    if not 1 <= suite["train_images"] <= FIT_IMAGES:
        raise UserError(f"{where}: train_images must be in 1..{FIT_IMAGES} (train[{FIT_IMAGES}:] is validation)")
    return suite


def load_suite(name_or_path: str) -> dict:
    """Load a suite by name (benchmarks/training/suites/NAME.toml) or by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SUITE_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in SUITE_DIR.glob("*.toml")))
        raise UserError(f"suite {name_or_path!r} not found; use one of {names} or a path to a .toml file")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{path}: invalid TOML ({err})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a text file (not UTF-8); give a suite .toml file") from None
    except OSError as err:
        raise UserError(f"{path}: cannot be read ({err.strerror}); give a readable suite .toml file") from None
    suite = validate(raw, str(path))
    suite["name"] = path.stem
    return suite


def _without(overrides: dict, key: str) -> dict:
    return {m: {k: v for k, v in t.items() if k != key} for m, t in overrides.items()}


def apply_cli(suite: dict, args) -> dict:
    """Command-line overrides (--models, --seeds, --epochs, --strategy, --precision, --dataset); --epochs
    and --precision hold for every model, the suite's per-model choices giving way."""
    suite = dict(suite)
    if getattr(args, "models", None):
        suite["models"] = args.models
    if getattr(args, "seeds", None):
        suite["seeds"] = args.seeds
    if getattr(args, "strategy", None):
        suite["strategy"] = args.strategy
    if getattr(args, "dataset", None):
        suite["dataset"] = args.dataset
    for key in ("epochs", "precision"):
        if getattr(args, key, None) is not None:
            suite[key], suite["overrides"] = getattr(args, key), _without(suite["overrides"], key)
    name = suite.pop("name", "custom")
    suite = validate(suite, f"suite {name}")
    suite["name"] = name
    return suite


def manifold_suite(suite: dict) -> dict:
    """The extra run behind the latent-manifold figure (runs.MANIFOLD) with a 2-d latent."""
    model, seed = MANIFOLD
    extra = dict(suite, models=[model], seeds=[seed], strategy="default", eval_every_images=None,
                 overrides={model: {"latent_dim": 2}}, name=f"{suite['name']}-manifold",
                 eval={**suite["eval"], "quick_fid": False, "samples": 100}, **suite["manifold"])
    return extra


def output_folder(args, suite: dict) -> Path:
    """--out, else results/ for MNIST and results/<dataset>/ for another dataset."""
    if getattr(args, "out", None):
        return Path(args.out)
    return Path("results") if suite["dataset"] == "mnist" else Path("results") / suite["dataset"]


def parse_shard(text: str | None) -> tuple[int, int]:
    if not text:
        return 0, 1
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UserError(f"--shard {text!r} must look like i/n, e.g. 0/2") from None
    if not (n >= 1 and 0 <= i < n):
        raise UserError(f"--shard {text!r}: need n >= 1 and 0 <= i < n")
    return i, n
