"""The run store: the one place that spells its paths, reads its status and rebuilds models.

OUT/runs/<model>/seed-<k>/ holds config.json, history.csv (one row per epoch), curve.csv
(the quick FID at each evaluation point: images seen, training seconds), samples/epoch-NNN.png and
checkpoint/state.npz while it trains; samples.npz and status.json once it ends; metrics.json
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

from benchmarks import errors, files
from benchmarks.errors import Damaged, UserError

REAL_ROW = "real-data"  # the reference row: real held-out images scored as if they were samples
MANIFOLD = ("vae-dense", 0)  # (model, seed) of the extra run with a 2-d latent
CONFIG, HISTORY, STATUS, METRICS = "config.json", "history.csv", "status.json", "metrics.json"
CURVE, SAMPLES, CHECKPOINT = "curve.csv", "samples.npz", Path("checkpoint") / "state.npz"
LOCK = ".lock"  # held while a process trains or scores the run


def check_out(out: Path) -> None:
    """An output folder that is a folder (or does not exist yet), and sweep what killed writers
    left in it: their temporary files."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a folder; choose another --out")
    files.sweep_stale(out)


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
CONFIG_KEYS = {"model": str, "seed": int, "family": str, "epochs": int, "batch_size": int, "precision": str,
               "jit_compile": bool, "steps_per_execution": int, "hyperparameters": dict, "eval": dict}
STATUSES = ("finished", "diverged")  # status.json; a run without one is 'unfinished'
HISTORY_COLUMNS = ("epoch", "train_seconds", "epoch_seconds", "warmup_seconds", "images", "images_per_sec")
CURVE_COLUMNS = ("images", "epoch", "train_seconds")
last_saved = None  # what this process saved last, for the Ctrl-C message


def read_config(folder: Path) -> dict:
    """config.json, checked: a JSON object with every key the harness writes, naming a known
    model and this folder's model and seed (not a foreign file copied in)."""
    import models

    path = Path(folder) / CONFIG
    config = files.read_json(path, RETRAIN, CONFIG_KEYS)
    if config["model"] not in models.MODEL_NAMES:
        raise Damaged(path, f"names an unknown model {config['model']!r}", RETRAIN)
    folder = Path(folder)
    expected = (config["model"], f"seed-{config['seed']}")
    if folder.name.startswith("seed-") and (folder.parent.name, folder.name) != expected:
        raise Damaged(path, f"belongs to {config['model']} seed {config['seed']}, not to this folder", RETRAIN)
    return config


def dataset_of(config: dict) -> str:
    """The dataset a run trained on (configs from before the setting existed: MNIST)."""
    return config.get("dataset", "mnist")


def datasets(folders) -> set:
    """The datasets of these run folders (unreadable configs are left to their readers)."""
    found = set()
    for folder in folders:
        try:
            found.add(dataset_of(read_config(folder)))
        except Damaged:
            pass
    return found


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
    global last_saved
    files.write_json(Path(folder) / STATUS, {"status": status, **info})
    last_saved = f"{folder} ({status})"


def read_history(folder: Path) -> pd.DataFrame | None:
    return files.read_csv(Path(folder) / HISTORY, RETRAIN, HISTORY_COLUMNS)


def read_curve(folder: Path) -> pd.DataFrame | None:
    return files.read_csv(Path(folder) / CURVE, RETRAIN, CURVE_COLUMNS)


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


def histories(out: Path, read=read_history) -> dict[str, list[pd.DataFrame]]:
    """model -> the history.csv (or with read=read_curve, the curve.csv) of each of its runs,
    in seed order."""
    found = {}
    for folder in iter_run_dirs(out):
        try:
            frame = read(folder)
            if frame is not None:
                found.setdefault(read_config(folder)["model"], []).append(frame)
        except Damaged as err:  # the report goes on without it, and says so
            errors.report(err)
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
    global last_saved
    arrays = {f"v{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(variables)}
    files.write_npz(Path(folder) / CHECKPOINT, epoch=np.int64(epoch), train_seconds=np.float64(train_seconds),
                    **arrays)
    last_saved = f"{folder} at epoch {epoch}"


def load_checkpoint(folder: Path, variables, required: bool = False) -> tuple[int, float]:
    """Assign the checkpointed state; returns (epoch, training seconds), (0, 0.0) if there is
    none yet (unless `required`). A damaged or foreign checkpoint is `Damaged`, never a silent
    restart from epoch 0."""
    path = Path(folder) / CHECKPOINT
    fix = f"delete {path} to retrain this run from epoch 0"
    if not path.exists():
        if required:
            raise Damaged(path, "is missing", RETRAIN)
        return 0, 0.0
    names = [f"v{i:04d}" for i in range(len(variables))]
    state = files.load_npz(path, fix, ("epoch", "train_seconds"))
    if sorted(state) != sorted(["epoch", "train_seconds", *names]):
        raise Damaged(path, f"holds {len(state) - 2} variables, the model {len(variables)}: not this model's", fix)
    for name, v in zip(names, variables):
        if tuple(state[name].shape) != tuple(v.shape):
            raise Damaged(path, f"holds {name} of shape {state[name].shape}, the model {tuple(v.shape)}: not this "
                          "model's", fix)
    epoch, seconds = state["epoch"], state["train_seconds"]
    if epoch.shape or not 0 < int(epoch) <= 1_000_000 or seconds.shape or not np.isfinite(seconds):
        raise Damaged(path, f"has a bad epoch ({epoch}) or training time ({seconds})", fix)
    for name, v in zip(names, variables):
        v.assign(state[name])
    return int(epoch), float(seconds)


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
    load_checkpoint(folder, variables, required=True)
    return model
