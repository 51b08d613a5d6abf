"""kill -9 anywhere: SIGKILL a command at random moments, re-run it after each kill, and check
that the end result equals an uninterrupted run's.

    python tests/kill_anywhere.py --kills 20 --work /tmp/kill [--suite smoke] [--data-dir DIR]

First an uninterrupted reference run of `bench` (with its events traced: GENBENCH_TRACE=0 prints
them, no pause) measures when each phase starts. Then the same command runs again in another
folder, and each attempt is killed at a random moment of the next phase of the schedule:
training (after an epoch line), checkpoint writing (inside the write: GENBENCH_TRACE=<s> pauses
each atomic write before its rename), per-epoch evaluation, scoring, lecture figures and
report writing; the delay after a phase's first event is uniform over that phase's length in
the reference. A phase the command has already passed kills at the next later event instead.
After the last kill the command runs to the end, and then:
- every run's history.csv has each epoch exactly once;
- every metrics.json, summary.csv and papers.md equal the reference's (timing columns exempt);
- no temporary file is left behind.
`tests/test_faults.py` runs a 3-kill version of it on `run`, `score` and `report`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

import models

TIMING_KEYS = {"train_seconds", "warmup_seconds", "images_per_sec", "sample_seconds", "score_seconds",
               "seconds_per_1000_samples"}
TIMING_COLUMNS = re.compile(r"^(train_seconds|warmup_seconds|images_per_sec|sample_seconds|score_seconds"
                            r"|seconds_per_1000_samples"
                            r"|matmul_gflops_\w+|equal_time_seconds|fid_quick_at_t)_(mean|std)$")
# families whose runs agree within this relative float rounding, not bit for bit, when a process
# trained other runs before them (a resumed or sharded grid): the U-Net's trained weights then
# differ in their last bits
ROUNDING = {"diffusion": 1e-5}
PAUSE = 0.05  # seconds every atomic write waits before its rename, in the killed runs
# phase -> the event (a line of the command's output) where it starts
PHASES = {
    "training": r"^\[\d+/\d+\] .* epoch \d+/\d+",
    "checkpoint": r"^trace: write .*checkpoint/state\.npz$",
    "evaluation": r"^trace: evaluate ",
    "scoring": r"^trace: score ",
    "lecture": r"^trace: lecture ",
    "report": r"^trace: report ",
}
ORDER = list(PHASES)  # the order the phases come in, once training is over
BENCH_SCHEDULE = ["evaluation", "checkpoint", "training"] * 3 + ["scoring"] * 4 + ["lecture"] * 3 + ["report"] * 4


def environment(trace: float) -> dict:
    return {**os.environ, "GENBENCH_TRACE": str(trace), "PYTHONUNBUFFERED": "1", "PYTHONHASHSEED": "0",
            "TF_CPP_MIN_LOG_LEVEL": "2"}


def run_once(cmd: list[str], trace: float, phase: str | None = None, delays: dict | None = None,
             rng: random.Random | None = None) -> dict:
    """Run `cmd`; if `phase` is given, SIGKILL it a random delay after the first event of that
    phase (or of any later one). Returns what happened: killed, the event, the delay, the time."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                            env=environment(trace))
    # the phase's own event, or any of a later phase (the training phases interleave: only itself)
    armed = [] if phase is None else [phase, *ORDER[max(ORDER.index(phase) + 1, 3):]]
    armed = {p: re.compile(PHASES[p]) for p in armed}
    result, lines = {"phase": phase, "killed": False, "event": None, "delay": None}, []
    for line in proc.stdout:
        lines.append(line.rstrip())
        if result["event"] is None:
            hit = next((p for p, pattern in armed.items() if pattern.search(line.rstrip())), None)
            if hit is not None:
                delay = rng.uniform(0, delays.get(hit, 1.0))
                result.update(event=line.strip()[:100], hit=hit, delay=round(delay, 3))
                threading.Timer(delay, lambda: proc.poll() is None and os.kill(proc.pid, signal.SIGKILL)).start()
    proc.wait()
    result.update(killed=proc.returncode == -signal.SIGKILL, returncode=proc.returncode,
                  seconds=round(time.perf_counter() - start, 1), tail=lines[-3:])
    if not result["killed"] and proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}):\n" + "\n".join(lines[-30:]))
    return result


def phase_lengths(events: list[tuple[float, str]], end: float) -> dict:
    """Seconds from each phase's first event to the next phase's first event (training phases:
    the time between two epoch lines), from the reference run's timestamped lines."""
    first = {}
    for t, line in events:
        for phase, pattern in PHASES.items():
            if phase not in first and re.search(pattern, line):
                first[phase] = t
    epochs = [t for t, line in events if re.search(PHASES["training"], line)]
    epoch = max((b - a for a, b in zip(epochs, epochs[1:])), default=1.0)
    lengths = {"training": epoch, "checkpoint": PAUSE, "evaluation": min(epoch, 1.0)}
    later = ORDER[3:]
    for phase, nxt in zip(later, [*later[1:], None]):
        if phase in first:
            lengths[phase] = max(0.1, first.get(nxt, end) - first[phase])
    return lengths


def reference_run(cmd: list[str]) -> tuple[dict, float]:
    """The uninterrupted run: its phase lengths and its wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                            env=environment(0))
    events = [(time.perf_counter() - start, line.rstrip()) for line in proc.stdout]
    if proc.wait() != 0:
        raise RuntimeError("reference run failed:\n" + "\n".join(line for _, line in events[-30:]))
    end = time.perf_counter() - start
    return phase_lengths(events, end), end


def untimed(metrics: dict) -> dict:
    """metrics.json without its timing: the timing keys, and the sampler sweep's seconds."""
    out = {k: v for k, v in metrics.items() if k not in TIMING_KEYS}
    if isinstance(out.get("sampler_sweep"), list):
        out["sampler_sweep"] = [{k: v for k, v in row.items() if k not in TIMING_KEYS} for row in out["sampler_sweep"]]
    return out


def same(a, b, rtol: float) -> bool:
    """Equal, or for floats (also inside lists and dicts) within `rtol` where that is above 0."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rtol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, rtol) for x, y in zip(a, b))
    if rtol and isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=rtol, equal_nan=True))
    return a == b


def compare(reference: Path, out: Path) -> list[str]:
    """What differs between the killed-and-resumed output and the reference (empty: nothing)."""
    problems = []
    for history in sorted(out.rglob("history.csv")):
        config = json.loads((history.parent / "config.json").read_text())
        epochs = pd.read_csv(history)["epoch"].tolist()
        if epochs != list(range(1, config["epochs"] + 1)):
            problems.append(f"{history}: epochs {epochs}")
    ref_metrics = {p.relative_to(reference) for p in reference.rglob("metrics.json")}
    got_metrics = {p.relative_to(out) for p in out.rglob("metrics.json")}
    if ref_metrics != got_metrics:
        problems.append(f"metrics.json files differ: {sorted(map(str, ref_metrics ^ got_metrics))}")
    for rel in sorted(ref_metrics & got_metrics):
        a, b = (untimed(json.loads((root / rel).read_text())) for root in (reference, out))
        diff = sorted(k for k in set(a) | set(b) if not same(a.get(k), b.get(k), ROUNDING.get(a.get("family"), 0.0)))
        if diff:
            problems.append(f"{rel}: {', '.join(f'{k} {a.get(k)} != {b.get(k)}' for k in diff[:5])}")
    a, b = (pd.read_csv(root / "summary.csv") for root in (reference, out))
    keep = [c for c in a.columns if not TIMING_COLUMNS.match(c)]
    if list(a.columns) != list(b.columns):
        problems.append("summary.csv: other columns")
    else:
        rounded = a["model"].map(lambda m: m in models.MODEL_NAMES and models.family(m) in ROUNDING)
        numeric = [c for c in keep if pd.api.types.is_float_dtype(a[c])]
        exact = a.loc[~rounded, keep].equals(b.loc[~rounded, keep]) and a.loc[rounded, [c for c in keep if c not in
                                                                                        numeric]].equals(
            b.loc[rounded, [c for c in keep if c not in numeric]])
        close = np.allclose(a.loc[rounded, numeric].to_numpy(float), b.loc[rounded, numeric].to_numpy(float),
                            rtol=ROUNDING["diffusion"], equal_nan=True)
        if not (exact and close):
            problems.append("summary.csv: values differ")
    mask = lambda text: re.sub(r"fp32 \d+ and bf16 \d+|\d+ s,", "#", text)
    if mask((reference / "papers.md").read_text()) != mask((out / "papers.md").read_text()):
        problems.append("papers.md differs")
    left = sorted(str(p.relative_to(out)) for p in out.rglob("*.tmp"))
    if left:
        problems.append(f"temporary files left: {left}")
    return problems


def _with_out(cmd: list[str], out: Path) -> list[str]:
    return [str(out) if a == "{out}" else a for a in cmd]


def kill_anywhere(commands: list[list[str]], schedule: list[str], reference_out: Path, out: Path,
                  seed: int = 0, log=print, lengths: dict | None = None) -> dict:
    """Run `commands` (in order; "{out}" in them stands for the output folder) once uninterrupted into reference_out,
    then into `out` with one kill per schedule entry, re-running the killed command each time.
    Given `lengths` (phase -> seconds), reference_out is taken as already made by the same commands."""
    rng = random.Random(seed)
    total = 0.0
    if lengths is None:  # the reference run measures them
        lengths = {}
        for cmd in commands:
            got, seconds = reference_run(_with_out(cmd, reference_out))
            lengths.update({k: v for k, v in got.items() if k not in lengths or k in ORDER[3:]})
            total += seconds
        log(f"reference: {total:.0f} s; phase lengths (s): " + ", ".join(f"{k} {v:.2f}" for k, v in lengths.items()))
    attempts, i = [], 0
    for phase in schedule:
        while i < len(commands):
            result = run_once(_with_out(commands[i], out), PAUSE, phase, lengths, rng)
            if result["killed"]:
                attempts.append(result)
                log(f"kill {len(attempts):2d}: {phase:10s} at {result['event']!r} + {result['delay']} s "
                    f"(run {result['seconds']} s)")
                break
            i += 1  # the command ended before any event of the phase: the next command
        else:
            log(f"kill skipped: every command finished before {phase}")
    while i < len(commands):  # the rest, uninterrupted
        run_once(_with_out(commands[i], out), PAUSE)
        i += 1
    problems = compare(reference_out, out)
    log("comparison with the uninterrupted run: " + ("equal" if not problems else "; ".join(problems)))
    return {"kills": attempts, "problems": problems, "reference_seconds": total}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--work", required=True, help="an empty folder for the two outputs")
    parser.add_argument("--suite", default="smoke")
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DIR"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    work = Path(args.work)
    if work.exists() and any(work.iterdir()):
        print(f"error: {work} is not empty; give an empty or new --work folder", file=sys.stderr)
        return 2
    cmd = [sys.executable, "-m", "benchmarks", "bench", "--suite", args.suite, "--out", "{out}",
           *(["--data-dir", args.data_dir] if args.data_dir else [])]
    schedule = (BENCH_SCHEDULE * (args.kills // len(BENCH_SCHEDULE) + 1))[: args.kills]
    schedule = sorted(schedule, key=lambda p: max(ORDER.index(p), 2))  # training phases first, in their cycle
    result = kill_anywhere([cmd], schedule, work / "reference", work / "killed", args.seed)
    print(f"{len(result['kills'])} kills; " + ("PASS" if not result["problems"] and len(result["kills"]) == args.kills
                                              else "FAIL"))
    return 0 if not result["problems"] and len(result["kills"]) == args.kills else 1


if __name__ == "__main__":
    sys.exit(main())
