"""Progress of long work: a bar per task with rich on a terminal; elsewhere (CI, a SLURM log file)
plain lines, at most one per task every `QUIET_SECONDS` (and the last, for a task that lasted
that long: a short task prints nothing there), with no control characters.

    with progress.task("scoring vae-dense seed 0: IWAE bound", total=20) as advance:
        for chunk in chunks:
            ...
            advance(1)
"""

from __future__ import annotations

import contextlib
import sys
import time

QUIET_SECONDS = 30.0  # between two plain lines of one task


def interactive() -> bool:
    return sys.stdout.isatty()


@contextlib.contextmanager
def task(label: str, total: int, unit: str = ""):
    """A context whose value is `advance(n=1, note="")`: n more of `total` done."""
    if interactive():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=True) as bar:
            handle = bar.add_task(label, total=total)
            yield lambda n=1, note="": bar.update(handle, advance=n, description=f"{label} {note}".strip())
        return
    state = {"done": 0, "printed": time.monotonic(), "start": time.monotonic()}

    def advance(n: int = 1, note: str = "") -> None:
        state["done"] += n
        now = time.monotonic()
        lasted = now - state["start"] >= QUIET_SECONDS
        if now - state["printed"] >= QUIET_SECONDS or (state["done"] >= total and lasted):
            rate = state["done"] / max(now - state["start"], 1e-9)
            left = (total - state["done"]) / rate if rate > 0 else float("nan")
            eta = f", about {left:.0f} s left" if state["done"] < total else ""
            print(f"{label}: {state['done']:,}/{total:,}{(' ' + unit) if unit else ''}{eta}"
                  f"{(' ' + note) if note else ''}", flush=True)
            state["printed"] = now

    yield advance


def note(line: str) -> None:
    """One line of what is happening now (a stage of the lecture or the report)."""
    print(line, flush=True)
