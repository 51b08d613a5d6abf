"""`status [OUT]`: where a grid stands, for watching a job array. Each (model, seed) of the suite
and any other run found under OUT: finished, diverged, damaged (its one-line reason), not
started, unfinished at epoch k of n, or running (the lock's holder). Then the grid's images done
of its total and an estimate of the time left at the runs' measured images/s, one run at a
time. It only reads: it writes nothing and takes no lock (a held lock is found in /proc/locks).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import runs, suite_file
from benchmarks.errors import Damaged

HELP = "each run's state, and the grid's images done and time left; reads only"
EXAMPLE = "python -m benchmarks status /shared/genbench --suite default"


def add_arguments(p) -> None:
    p.add_argument("path", nargs="?", default="results", help="the output folder (default: results)")
    p.add_argument("--suite", help="the suite whose grid it is (default: the one its runs record, else default)")


def held_locks() -> set[tuple[int, int]]:
    """(device, inode) of every file with a flock held on this machine (Linux /proc/locks)."""
    held = set()
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return held
    for line in lines:
        parts = line.split()
        if len(parts) > 5 and parts[1] == "FLOCK":
            major, minor, inode = parts[5].split(":")
            held.add((os.makedev(int(major, 16), int(minor, 16)), int(inode)))
    return held


def running(folder: Path, held: set) -> str | None:
    """The holder of the run's lock ('process P on H'), if a process holds it now."""
    path = folder / runs.LOCK
    try:
        stat = path.stat()
    except OSError:
        return None
    if (stat.st_dev, stat.st_ino) not in held:
        return None
    return path.read_text(errors="replace").strip() or "another process"


def run_state(folder: Path, planned: dict, held: set) -> dict:
    """One row: the run's state, epochs done of its budget, images done and to do, images/s."""
    epoch_images = planned["train_images"] // planned["batch_size"] * planned["batch_size"]
    row = {"epochs": planned["epochs"], "done": 0, "images": 0, "total": planned["epochs"] * epoch_images,
           "images/s": np.nan}
    holder = running(folder, held)
    if not (folder / runs.CONFIG).exists():
        return {**row, "state": f"running ({holder})" if holder else "not started"}
    try:
        config = runs.read_config(folder)
        status = runs.read_status_file(folder)
        history = runs.read_history(folder)
    except Damaged as err:
        return {**row, "state": f"damaged: {err}"}
    epoch_images = config["train_images"] // config["batch_size"] * config["batch_size"]
    done = 0 if history is None else len(history)
    row.update(epochs=config["epochs"], done=done, total=config["epochs"] * epoch_images,
               images=done * epoch_images)
    if history is not None and "images_per_sec" in history:
        row["images/s"] = float(history["images_per_sec"].median())
    if status["status"] in ("finished", "diverged"):
        state = status["status"] + (f" ({status['reason']})" if status.get("reason") else "")
        row["images"] = row["total"] if status["status"] == "finished" else row["images"]
    elif holder:
        state = f"running at epoch {done} of {config['epochs']} ({holder})"
    else:
        state = f"unfinished at epoch {done} of {config['epochs']}"
    return {**row, "state": state, "finished": status["status"] != "unfinished"}


def table(out: Path, suite: dict) -> pd.DataFrame:
    held, rows = held_locks(), []
    grid = [(m, s) for m in suite["models"] for s in suite["seeds"]]
    found = sorted((p.parent.name, int(p.name.removeprefix("seed-"))) for p in (out / "runs").glob("*/seed-*")
                   if p.name.removeprefix("seed-").isdigit()) if (out / "runs").is_dir() else []
    for model, seed in grid + [r for r in found if r not in grid]:
        planned = suite_file.run_settings(suite, model) if model in suite["models"] else None
        folder = runs.run_dir(out, model, seed)
        default = planned or {"epochs": 0, "train_images": 1, "batch_size": 1}
        rows.append({"model": model, "seed": seed, **run_state(folder, default, held)})
    return pd.DataFrame(rows)


def eta(frame: pd.DataFrame) -> str:
    """Time left at each run's images/s, else its model's median; a model with no measured
    images/s yet is named, not guessed from another model's."""
    rate = frame["images/s"].fillna(frame.groupby("model")["images/s"].transform("median"))
    done = frame.get("finished", pd.Series(False, index=frame.index)).fillna(False).astype(bool)
    left = (frame["total"] - frame["images"]).where(~done, 0)
    known = (left > 0) & rate.notna()
    seconds = float((left[known] / rate[known]).sum())
    hours, rest = divmod(int(seconds), 3600)
    text = f"about {hours} h {rest // 60:02d} min at the runs' measured images/s, one run at a time"
    unknown = sorted(set(frame.loc[(left > 0) & rate.isna(), "model"]))
    return text + (f", not counting {', '.join(unknown)} (no measured images/s yet)" if unknown else "")


def recorded_suites(out: Path) -> set:
    """The suite names the runs under OUT recorded in their config.json (unreadable ones skipped:
    `table` reports them)."""
    names = set()
    for path in (out / "runs").glob(f"*/seed-*/{runs.CONFIG}"):
        try:
            name = json.loads(path.read_text(encoding="utf-8")).get("suite")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(name, str):
            names.add(name)
    return names


def suite_of(out: Path, given: str | None) -> tuple[dict, str]:
    """The suite whose grid OUT holds, and how it was found: `--suite` if given; else the one
    suite its runs recorded, when that is a suite of benchmarks/suites (results/paper is the
    paper suite's, not the default's); else, from a suite file not at hand, the runs found;
    else the default suite."""
    if given:
        return suite_file.load_suite(given), ""
    names = recorded_suites(out)
    if len(names) == 1:
        (name,) = names
        if (suite_file.SUITE_DIR / f"{name}.toml").is_file():
            return suite_file.load_suite(name), ", as its runs record"
        return {"name": name, "models": [], "seeds": []}, (
            ", as its runs record; its file is not at hand (give --suite PATH for the runs not started)")
    if len(names) > 1:
        return suite_file.load_suite("default"), f"; its runs record several: {', '.join(sorted(names))}"
    return suite_file.load_suite("default"), ""


def main(args) -> int:
    out = Path(args.path)
    suite, found = suite_of(out, args.suite)
    frame = table(out, suite)
    shown = frame[["model", "seed", "state"]]
    print(f"{out} (suite {suite['name']}{found}):")
    print(shown.to_string(index=False))
    done, total = int(frame["images"].sum()), int(frame["total"].sum())
    print(f"images trained: {done:,} of {total:,} ({done / total:.0%}); time left: {eta(frame)}" if total else
          "no runs planned")
    return 0
