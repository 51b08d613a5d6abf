"""The run store: the one place that spells its paths, reads its status and rebuilds models.

OUT/runs/<model>/seed-<k>/ holds config.json, history.csv (one row per epoch), steps.csv (the
losses several times per epoch), curve.csv (the quick FID at each evaluation point: images seen,
training seconds), frames/images-NNNNNNNNN.png (the fixed-z samples at each evaluation point),
samples/epoch-NNN.png and checkpoint/state.npz while it trains; samples.npz and status.json once it ends; metrics.json
once scored. OUT/reference/real-data/metrics.json is the real-data row, and OUT/extras/ holds
the 2-d-latent VAE behind the manifold figure, a run folder like any other.

Every file is written atomically (benchmarks.files) and checked where it is read back: a
damaged, foreign or missing file is `Damaged`, one line naming the file, what is wrong and the
fix. A process that trains or scores a run holds the folder's lock (.lock, `exclusive`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import config_file, files
from benchmarks.errors import Damaged, UserError

REAL_ROW = "real-data"  # the reference row: real held-out images scored as if they were samples
MANIFOLD = ("vae-dense", 0)  # (model, seed) of the extra run with a 2-d latent
CONFIG, HISTORY, STATUS, METRICS = "config.json", "history.csv", "status.json", "metrics.json"
CURVE, STEPS, SAMPLES, CHECKPOINT = "curve.csv", "steps.csv", "samples.npz", Path("checkpoint") / "state.npz"
FRAMES = "frames"  # frames/images-NNNNNNNNN.png: the fixed-z samples at each evaluation point
LOCK = ".lock"  # held while a process trains or scores the run


def folder_or_new(out: Path, fix: str = "give a folder") -> Path:
    """`out` as a Path, a folder or nothing yet; a file is a one-line UserError ending in `fix`."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file, not an output folder or a run folder; {fix}")
    return out


def one_dataset(found: set, where: str) -> None:
    """Runs of several datasets in one folder are a one-line UserError."""
    if len(found) > 1:
        raise UserError(f"{where} holds runs of {' and '.join(sorted(found))}; give each dataset its own --out")


def check_out(out: Path) -> None:
    """An output folder that is a folder (or does not exist yet), and sweep what killed writers
    left in it: their temporary files."""
    files.sweep_stale(folder_or_new(out, "choose another --out"))


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


RETRAIN = "delete its run folder to retrain it"
RESAMPLE = "delete it and status.json, then re-run the same `run` (the run ends again from its checkpoint)"
STATUSES = ("finished", "diverged")  # status.json; a run without one is 'unfinished'
HISTORY_COLUMNS = ("epoch", "train_seconds", "epoch_seconds", "warmup_seconds", "images", "images_per_sec")
CURVE_COLUMNS = ("images", "epoch", "train_seconds")  # also of steps.csv


def read_config(folder: Path) -> dict:
    """config.json, checked: a JSON object with every key the harness writes, naming a known
    model and this folder's model and seed (not a foreign file copied in)."""
    import models

    path = Path(folder) / CONFIG
    types = config_file.config_types()
    config = files.read_json(path, RETRAIN, {k: t for k, t in types.items() if k not in config_file.LATER})
    config = config_file.with_later_defaults(config)
    wrong = [k for k in config_file.LATER if not isinstance(config[k], types[k]) or isinstance(config[k], bool)]
    if wrong:
        raise Damaged(path, f"lacks {', '.join(wrong)} (or they have the wrong type)", RETRAIN)
    if config["model"] not in models.MODEL_NAMES:
        raise Damaged(path, f"names an unknown model {config['model']!r}", RETRAIN)
    folder = Path(folder)
    expected = (config["model"], f"seed-{config['seed']}")
    if folder.name.startswith("seed-") and (folder.parent.name, folder.name) != expected:
        raise Damaged(path, f"belongs to {config['model']} seed {config['seed']}, not to this folder", RETRAIN)
    return config


def read_status(folder: Path) -> str:
    """'finished', 'diverged' or 'unfinished' (no status.json yet)."""
    return read_status_file(folder)["status"]


def read_status_file(folder: Path) -> dict:
    """status.json as a dict ({'status': 'unfinished'} while there is none), checked."""
    path = Path(folder) / STATUS
    if not path.exists():
        return {"status": "unfinished"}
    fix = "delete it and re-run the same `run` (training resumes from the checkpoint)"
    status = files.read_json(path, fix, {"status": str})
    if status["status"] not in STATUSES:
        raise Damaged(path, f"has an unknown status {status['status']!r}", fix)
    return status


def write_status(folder: Path, status: str, **info) -> None:
    files.write_json(Path(folder) / STATUS, {"status": status, **info})


def read_history(folder: Path) -> pd.DataFrame | None:
    return files.read_csv(Path(folder) / HISTORY, RETRAIN, HISTORY_COLUMNS)


def read_curve(folder: Path) -> pd.DataFrame | None:
    return files.read_csv(Path(folder) / CURVE, RETRAIN, CURVE_COLUMNS)


def read_steps(folder: Path) -> pd.DataFrame | None:
    return files.read_csv(Path(folder) / STEPS, RETRAIN, CURVE_COLUMNS)


def read_metrics(folder: Path, config: dict | None = None) -> dict:
    """metrics.json of a run folder (or of the real-data row), checked against its config."""
    path = Path(folder) / METRICS
    fix = f"re-run `python -m benchmarks score --force {folder}`"
    metrics = files.read_json(path, fix, {"model": str, "status": str})
    if config is not None and (metrics["model"], metrics.get("seed")) != (config["model"], config["seed"]):
        raise Damaged(path, f"belongs to {metrics['model']} seed {metrics.get('seed')}, not to this run", fix)
    return metrics


def read_samples(folder: Path, content: bytes | None = None) -> np.ndarray:
    """The `images` of samples.npz (shape and range are checked by the scorer); `content`: its
    bytes, if already read."""
    return files.load_npz(Path(folder) / SAMPLES, RESAMPLE, ("images",), content)["images"]


def read_samples_bytes(folder: Path) -> bytes:
    path = Path(folder) / SAMPLES
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise Damaged(path, "is missing, though status.json says the run finished", RESAMPLE) from None
    except OSError as err:
        raise Damaged(path, f"cannot be read ({err.strerror})", RESAMPLE) from None


@contextlib.contextmanager
def exclusive(folder: Path):
    """Hold the run folder's lock (flock on OUT/.../.lock) while training or scoring it: yields
    None when held, else a line naming the holder (the caller skips the run). The OS drops the
    lock when its process ends, however it ends, so a lock of a killed process never blocks."""
    folder = Path(folder)
    path = folder / LOCK
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as err:
        raise files.cannot_write(path, err) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            yield f"{folder}: busy in {holder}, skipped (it is trained or scored there)"
            return
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        yield None
    finally:
        os.close(fd)  # releases the lock


FORMAT = 2  # checkpoint/state.npz: 2 stores each variable under its name (models.state)


def save_checkpoint(folder: Path, state: dict, epoch: int, train_seconds: float) -> None:
    """One atomic file: every state variable under its name, the epoch and the training
    seconds so far."""
    arrays = {f"state/{name}": np.asarray(v.numpy()) for name, v in state.items()}
    files.write_npz(Path(folder) / CHECKPOINT, format=np.int64(FORMAT), epoch=np.int64(epoch),
                    train_seconds=np.float64(train_seconds), **arrays)


def load_checkpoint(folder: Path, state: dict, required: bool = False) -> tuple[int, float]:
    """Assign the checkpointed state by name, each array's shape checked; returns (epoch,
    training seconds), (0, 0.0) if there is none yet (unless `required`). A damaged, foreign
    or positional (older) checkpoint is `Damaged`, never a silent restart from epoch 0."""
    path = Path(folder) / CHECKPOINT
    fix = f"delete {path} to retrain this run from epoch 0"
    if not path.exists():
        if required:
            raise Damaged(path, "is missing", RETRAIN)
        return 0, 0.0
    saved = files.load_npz(path, fix)
    if "format" not in saved and "v0000" in saved:
        raise Damaged(path, "stores its variables by position (a genbench before checkpoint format 2), which "
                      "cannot be matched to the model safely", f"delete {Path(folder)} to retrain this run")
    required = {"format", "epoch", "train_seconds"}
    if not required <= set(saved) or saved["format"].shape or int(saved["format"]) != FORMAT:
        raise Damaged(path, f"is not a checkpoint of format {FORMAT}", fix)
    arrays = {k.removeprefix("state/"): v for k, v in saved.items() if k.startswith("state/")}
    missing, foreign = sorted(set(state) - set(arrays)), sorted(set(arrays) - set(state))
    if missing or foreign:
        what = f"lacks {missing[0]}" if missing else f"holds {foreign[0]}, which the model lacks"
        raise Damaged(path, f"{what} ({len(missing)} missing, {len(foreign)} foreign): not this model's", fix)
    for name, v in state.items():
        if tuple(arrays[name].shape) != tuple(v.shape):
            raise Damaged(path, f"holds {name} of shape {arrays[name].shape}, the model {tuple(v.shape)}: not this "
                          "model's", fix)
    epoch, seconds = saved["epoch"], saved["train_seconds"]
    if epoch.shape or not 0 < int(epoch) <= 1_000_000 or seconds.shape or not np.isfinite(seconds):
        raise Damaged(path, f"has a bad epoch ({epoch}) or training time ({seconds})", fix)
    for name, v in state.items():
        v.assign(arrays[name])
    return int(epoch), float(seconds)


def build_model(config: dict, strategy=None, dtype_policy: str | None = None):
    """(model, its named state) as config.json describes them, seeded, every network built,
    in the run's dtype policy or in `dtype_policy` (the variables are float32 either way)."""
    import keras
    import tensorflow as tf

    import models
    from benchmarks.precision import policy

    keras.utils.set_random_seed(config["seed"])
    with (strategy or tf.distribute.get_strategy()).scope(), policy(dtype_policy or config["dtype"]):
        model = models.build(config["model"], seed=config["seed"], jit_compile=config["jit_compile"],
                             steps_per_execution=config["steps_per_execution"], **config["hyperparameters"])
        model.sample(1)  # builds every sub-network before the state is listed
        state = models.state(model)
    return model, state


def load_model(folder: Path, config: dict | None = None):
    """The model of a run folder, rebuilt in float32 (every evaluation is) from its config
    (`config`, else config.json read now) and its last checkpoint."""
    model, state = build_model(config or read_config(folder), dtype_policy="float32")
    load_checkpoint(folder, state, required=True)
    return model
