"""A suite read from its TOML file (benchmarks/suites/NAME.toml) and the command line, checked
against the declarations of `benchmarks.settings`, and resolved for each run.

A resolved suite is a dict of every top-level setting, with the dataset as its `Dataset` object
(config.json stores its name). Every error is a one-line UserError naming the key and the fix.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import models
from benchmarks.data.mnist import DATASETS, Dataset
from benchmarks.errors import UserError
from benchmarks.settings import PER_MODEL, REQUIRED, RETIRED, SECTIONS, SUITE

SUITE_DIR = Path(__file__).parent / "suites"


def _table(raw: dict, spec: dict, where: str) -> dict:
    """`raw` checked against `spec`, every missing setting at its default."""
    if not isinstance(raw, dict):
        raise UserError(f"{where} must be a table of settings")
    for key, value in raw.items():
        if key in RETIRED:
            raise UserError(f"{where}: {key} is retired; {RETIRED[key]}")
        if key not in spec:
            raise UserError(f"{where}: unknown key {key!r}; valid keys: {', '.join(spec)}")
        error = spec[key].error(value)
        if error:
            raise UserError(f"{where}: {key} = {value!r} {error}".replace(" ;", ";"))
    return {key: raw.get(key, s.default) for key, s in spec.items()}


def _overrides(table: dict, where: str) -> dict:
    for name, per_model in table.items():
        if name not in models.MODEL_NAMES:
            raise UserError(f"{where} [overrides]: unknown model {name!r}; valid: {', '.join(models.MODEL_NAMES)}")
        if not isinstance(per_model, dict):
            raise UserError(f"{where} [overrides.{name}] must be a table of settings")
        valid = [*models.defaults(name), *PER_MODEL]
        for key, value in per_model.items():
            if key not in valid:
                raise UserError(f"{where} [overrides.{name}]: unknown key {key!r}; valid: {', '.join(valid)}")
            error = SUITE[key].error(value) if key in SUITE else models.setting_error(name, key, value)
            if error:
                raise UserError(f"{where} [overrides.{name}]: {key} = {value!r} {error}".replace(" ;", ";"))
    return table


def validate(raw: dict, where: str = "suite") -> dict:
    """A fully resolved suite from the TOML table `raw` (or a resolved suite changed), or a
    one-line UserError naming the key and the valid choices."""
    raw = dict(raw)
    raw.pop("name", None)
    if isinstance(raw.get("dataset"), Dataset):
        raw["dataset"] = raw["dataset"].name
    suite = _table(raw, SUITE, where)
    for section, spec in SECTIONS.items():
        suite[section] = _table(suite[section], spec, f"{where} [{section}]")
    if suite["epochs"] is REQUIRED:
        raise UserError(f"{where}: set the budget, epochs = N (whole passes over the training images)")
    for name in suite["models"]:
        if name not in models.MODEL_NAMES:
            raise UserError(f"{where}: unknown model {name!r}; valid: {', '.join(models.MODEL_NAMES)}")
    if not suite["models"]:
        raise UserError(f"{where}: models is empty; list at least one of {', '.join(models.MODEL_NAMES)}")
    if not suite["seeds"] or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                     for s in suite["seeds"]):
        raise UserError(f"{where}: seeds must be a non-empty list of integers >= 0")
    _overrides(suite["overrides"], where)
    jit = [m for m in suite["models"] if suite["overrides"].get(m, {}).get("jit_compile", suite["jit_compile"])]
    if jit and suite["deterministic"]:
        raise UserError(f"{where}: jit_compile for {', '.join(jit)} needs deterministic = false "
                        "(Keras turns XLA off under TF op determinism)")
    for name in suite["models"]:
        batch, images = (suite["overrides"].get(name, {}).get(k, suite[k]) for k in ("batch_size", "train_images"))
        if batch > images:
            raise UserError(f"{where}: {name}'s batch_size = {batch} exceeds its train_images = {images}, so an "
                            "epoch holds no whole batch; lower batch_size or raise train_images")
    for name in suite["models"]:
        own = {k: suite["overrides"].get(name, {}).get(k, suite[k]) for k in PER_MODEL}
        if own["stop_tolerance"] and not suite["eval"]["quick_fid"]:
            raise UserError(f"{where}: {name}'s stop rule (stop_tolerance) reads the quick FID; set [eval] "
                            "quick_fid = true or stop_tolerance = 0")
        if own["stop_tolerance"] and (own["eval_every_images"] or 0) > own["train_images"]:
            raise UserError(f"{where}: {name}'s stop rule (stop_tolerance) needs an evaluation at every epoch's "
                            "end; set eval_every_images to at most an epoch's images, or stop_tolerance = 0")
    suite["dataset"] = DATASETS[suite["dataset"]]
    return suite


def load_suite(name_or_path: str, **changes) -> dict:
    """A suite by name (benchmarks/suites/NAME.toml) or by path, with `changes` (top-level
    settings; `eval` merged key by key), validated; its `name` is the file's stem."""
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
    return changed(suite, **changes) if changes else suite


def changed(suite: dict, **changes) -> dict:
    """The suite with `changes` applied and validated again (`eval` merged key by key)."""
    name = suite.get("name", "custom")
    if "eval" in changes:
        changes["eval"] = {**suite["eval"], **changes["eval"]}
    out = validate({**suite, **changes}, f"suite {name}")
    out["name"] = name
    return out


def add_flags(parser) -> None:
    """The flags of the settings a command line may set for every model (--models, --epochs, ...)."""
    for name, s in SUITE.items():
        if s.flag is not None:
            parser.add_argument(f"--{name.replace('_', '-')}", help=f"{s.doc} (default: the suite's)", **s.flag)


def apply_cli(suite: dict, args) -> dict:
    """The flags given on the command line (`add_flags`) applied to the suite: each holds for
    every model, the suite's per-model choices of it giving way."""
    changes, overrides = {}, suite["overrides"]
    for name, s in SUITE.items():
        value = getattr(args, name, None) if s.flag is not None else None
        if value is not None:
            changes[name] = value
            if s.per_model:
                overrides = {m: {k: v for k, v in t.items() if k != name} for m, t in overrides.items()}
    return changed(suite, **changes, overrides=overrides)


def run_settings(suite: dict, model: str) -> dict:
    """The suite's settings a run records in config.json: each per-model one as the model's
    override gives it, the dataset by name. (The model's own settings are its hyperparameters.)"""
    own = suite["overrides"].get(model, {})
    out = {name: own.get(name, suite[name]) for name, s in SUITE.items() if s.run}
    out["dataset"] = suite["dataset"].name
    return out


def hyperparameters(suite: dict, model: str) -> dict:
    """The model's own settings: its registry defaults, updated by [overrides.<model>]."""
    own = {k: v for k, v in suite["overrides"].get(model, {}).items() if k not in PER_MODEL}
    return {**models.defaults(model), **own}


def manifold_suite(suite: dict, model: str, seed: int) -> dict:
    """The extra run behind the latent-manifold figure: (model, seed) with a 2-d latent, for its
    [manifold] epochs (no quick FID, so no stop rule, whatever the suite's runs use)."""
    return changed(dict(suite, name=f"{suite['name']}-manifold"), models=[model], seeds=[seed], strategy="default",
                   eval_every_images=None, stop_tolerance=0.0, overrides={model: {"latent_dim": 2}},
                   eval={"quick_fid": False, "samples": 100}, **suite["manifold"])
