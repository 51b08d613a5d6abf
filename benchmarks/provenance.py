"""Which code made a result: the project's git commit and whether its tree had uncommitted
changes, read with git where the project is a checkout (None elsewhere, e.g. an installed copy)."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("benchmarks", "models", "pyproject.toml", "tox.ini")  # what makes a result; results/ and docs do not


def _git(*args) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.lru_cache(maxsize=1)
def commit() -> dict:
    """{'commit': short hash or None, 'dirty': whether the code (not results/) had uncommitted
    changes, or None}, once per process."""
    head = _git("rev-parse", "--short=7", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no", "--", *CODE) if head else None
    return {"commit": head, "dirty": None if status is None else bool(status)}


def describe(found: dict) -> str:
    """'commit abc1234' (with ', uncommitted changes' where the tree was dirty)."""
    if not found.get("commit"):
        return "an unrecorded commit"
    return f"commit {found['commit']}" + (" with uncommitted changes" if found.get("dirty") else "")


def versions() -> dict:
    """The versions of Python, TensorFlow, Keras, NumPy and this project (genbench)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    import keras
    import numpy
    import tensorflow

    try:
        project = version("genbench")
    except PackageNotFoundError:
        project = None
    return {"python": platform.python_version(), "tensorflow": tensorflow.__version__, "keras": keras.__version__,
            "numpy": numpy.__version__, "genbench": project}


def made_by() -> dict:
    """What a file records of the code that wrote it: commit, dirty, and the versions."""
    return {**commit(), **versions()}
