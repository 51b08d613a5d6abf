"""What a run's config.json holds, as the settings declare it: every key and its JSON type (what
`runs.read_config` checks), the defaults of the settings younger than some run folders, and
the part a resumed run must share with its folder (`identity`)."""

from __future__ import annotations

from benchmarks import settings

# run settings younger than some run folders
LATER = ("stop_tolerance", "stop_window", "stop_min_epochs", "figure_dpi", "slide_dpi")
RUN_KEYS = {"model": str, "seed": int, "family": str, "suite": str, "hyperparameters": dict}


def config_types() -> dict:
    """key -> JSON type(s) of every key config.json must hold (what `runs.read_config` checks)."""
    json_type = {str: str, int: int, float: (float, int), bool: bool, list: list, dict: dict}
    out = dict(RUN_KEYS)
    for name, s in settings.SUITE.items():
        if s.run:
            base = s.types[0] if isinstance(s.types, tuple) else s.types
            out[name] = (json_type[base], type(None)) if s.default is None else json_type[base]
    return out


def with_later_defaults(config: dict) -> dict:
    """A config.json written before the `LATER` settings existed, with their defaults (what
    that run did: it trained the whole budget, and its report drew at the default resolutions)."""
    return {**{name: settings.SUITE[name].default for name in LATER}, **config}


def identity(config: dict) -> dict:
    """What a resumed run must share with the run in its folder: the model, seed and
    hyperparameters and every setting that defines the result (not the speed-only ones)."""
    keep = set(RUN_KEYS) - {"suite"} | {n for n, s in settings.SUITE.items() if s.run and s.defines}
    return {k: v for k, v in with_later_defaults(config).items() if k in keep}
