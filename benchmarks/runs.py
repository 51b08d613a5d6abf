"""The run store: the one place that spells its paths, reads its status and rebuilds models.

OUT/runs/<model>/seed-<k>/ holds config.json, history.csv (one row per epoch), curve.csv
(the quick FID at each evaluation point: images seen, training seconds), samples/epoch-NNN.png and
checkpoint/state.npz while it trains; samples.npz and status.json once it ends; metrics.json
once scored. OUT/reference/real-data/metrics.json is the real-data row, and OUT/extras/ holds
the 2-d-latent VAE behind the manifold figure, a run folder like any other.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import files
from benchmarks.errors import UserError

REAL_ROW = "real-data"  # the reference row: real held-out images scored as if they were samples
MANIFOLD = ("vae-dense", 0)  # (model, seed) of the extra run with a 2-d latent
CONFIG, HISTORY, STATUS, METRICS = "config.json", "history.csv", "status.json", "metrics.json"
CURVE, SAMPLES, CHECKPOINT = "curve.csv", "samples.npz", Path("checkpoint") / "state.npz"


def run_dir(out: Path, model: str, seed: int) -> Path:
    return Path(out) / "runs" / model / f"seed-{seed}"


def reference_dir(out: Path) -> Path:
    return Path(out) / "reference" / REAL_ROW


def extras_dir(out: Path) -> Path:
    return Path(out) / "extras"


def manifold_dir(out: Path) -> Path:
    return run_dir(extras_dir(out), *MANIFOLD)


def iter_run_dirs(out: Path) -> list[Path]:
    """Every run folder below OUT/runs (or OUT itself if it is one run folder), sorted."""
    out = Path(out)
    if (out / CONFIG).is_file():
        return [out]
    return sorted(p.parent for p in (out / "runs").glob(f"*/seed-*/{CONFIG}"))


def read_config(folder: Path) -> dict:
    return files.read_json(Path(folder) / CONFIG)


def read_status(folder: Path) -> str:
    """'finished', 'diverged' or 'unfinished' (no status.json yet)."""
    path = Path(folder) / STATUS
    return files.read_json(path)["status"] if path.is_file() else "unfinished"


def write_status(folder: Path, status: str, **info) -> None:
    files.write_json(Path(folder) / STATUS, {"status": status, **info})


def read_history(folder: Path) -> pd.DataFrame | None:
    return _read_csv(Path(folder) / HISTORY)


def read_curve(folder: Path) -> pd.DataFrame | None:
    return _read_csv(Path(folder) / CURVE)


def _read_csv(path: Path) -> pd.DataFrame | None:
    """The table, None if absent or empty, or a one-line UserError if it cannot be read."""
    if not (path.is_file() and path.stat().st_size):
        return None
    try:
        return pd.read_csv(path)
    except (ValueError, UnicodeDecodeError) as err:  # pandas' parser errors are ValueErrors
        raise UserError(f"{path} is damaged ({type(err).__name__}); delete its run folder to retrain it") from None


def histories(out: Path, read=read_history) -> dict[str, list[pd.DataFrame]]:
    """model -> the history.csv (or with read=read_curve, the curve.csv) of each of its runs,
    in seed order."""
    found = {}
    for folder in iter_run_dirs(out):
        frame = read(folder)
        if frame is not None:
            found.setdefault(read_config(folder)["model"], []).append(frame)
    return found


def curves(out: Path) -> dict[str, list[pd.DataFrame]]:
    return histories(out, read_curve)


def model_run_dirs(out: Path, model: str) -> list[Path]:
    """The run folders of `model` below OUT/runs."""
    return [d for d in iter_run_dirs(out) if d.parent.name == model]


def first_run(out: Path, model: str, need: str) -> Path | None:
    """The first run folder of `model` (by seed) that holds `need`."""
    return next((d for d in model_run_dirs(out, model) if (d / need).exists()), None)


def save_checkpoint(folder: Path, variables, epoch: int, train_seconds: float) -> None:
    """One atomic file: every state variable, the epoch and the training seconds so far."""
    arrays = {f"v{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(variables)}
    files.write_npz(Path(folder) / CHECKPOINT, epoch=np.int64(epoch), train_seconds=np.float64(train_seconds),
                    **arrays)


def load_checkpoint(folder: Path, variables) -> tuple[int, float]:
    """Assign the checkpointed state; returns (epoch, training seconds), (0, 0.0) if none."""
    path = Path(folder) / CHECKPOINT
    if not path.is_file():
        return 0, 0.0
    state = files.load_npz(path)
    if len(state) - 2 != len(variables):
        raise UserError(f"{path} does not match the model; delete {folder} to restart")
    for i, v in enumerate(variables):
        v.assign(state[f"v{i:04d}"])
    return int(state["epoch"]), float(state["train_seconds"])


def build_model(config: dict, strategy=None, dtype_policy: str | None = None):
    """(model, state variables) as config.json describes them, seeded, every network built,
    in the run's precision or in `dtype_policy` (the variables are float32 either way)."""
    import keras
    import tensorflow as tf

    import models
    from benchmarks.training.precision import policy

    keras.utils.set_random_seed(config["seed"])
    with (strategy or tf.distribute.get_strategy()).scope(), policy(dtype_policy or config.get("precision", "float32")):
        model = models.build(config["model"], seed=config["seed"], jit_compile=config["jit_compile"],
                             steps_per_execution=config["steps_per_execution"], **config["hyperparameters"])
        model.sample(1)  # builds every sub-network before the state is listed
        variables = models.state_variables(model)
    return model, variables


def load_model(folder: Path):
    """The model of a run folder, rebuilt in float32 (every evaluation is) from config.json
    and its last checkpoint."""
    model, variables = build_model(read_config(folder), dtype_policy="float32")
    load_checkpoint(folder, variables)
    return model
