"""What the scorer computes from a dataset alone, kept between processes and output folders:
the test images' features and their k-NN radii, the test images' nearest training distances, and
the real-data row. Every `score`, every training process with a quick FID and every
`score-samples` would otherwise recompute them (about 20 s on 2 cores).

As in torch-fidelity, an entry is keyed by what made it: the entry's name and parts (the dataset,
its pinned network's sha256, the scorer's version), the versions of TensorFlow and NumPy, and the
CPU model, so that a machine never reads another's arithmetic. The data files need no key of
their own: `load_mnist` accepts only the canonical md5s.

The folder is $GENBENCH_CACHE, else $XDG_CACHE_HOME/genbench, else ~/.cache/genbench; deleting it
is always safe. GENBENCH_CACHE=off computes everything afresh and keeps nothing. A damaged entry
is recomputed and rewritten (one line says so); a folder that cannot be written is used for
nothing (one line says so, once).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import platform
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks import files
from benchmarks.errors import UserError

ENV = "GENBENCH_CACHE"
OFF = "off"


def folder() -> Path | None:
    """Where entries are kept, or None when GENBENCH_CACHE=off."""
    chosen = os.environ.get(ENV)
    if chosen == OFF:
        return None
    if chosen:
        return Path(chosen)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "genbench"


@functools.lru_cache(maxsize=1)
def machine() -> str:
    """The CPU model (its arithmetic can differ in the last bits from another's)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def key(name: str, parts: tuple) -> str:
    """The entry's file name: `name` and a hash of everything that made it."""
    import tensorflow as tf

    made_by = [name, *map(str, parts), f"tensorflow {tf.__version__}", f"numpy {np.__version__}", machine()]
    return f"{name}-{hashlib.sha256(json.dumps(made_by).encode()).hexdigest()[:20]}"


def arrays(name: str, parts: tuple, compute: Callable[[], dict]) -> dict:
    """The arrays `compute()` returns ({name: ndarray}), read from the cache when an entry made by
    the same `parts` is there, else computed and kept."""
    path = _path(name, parts, ".npz")
    found = _read(path, lambda data: _unpacked(data))
    if found is not None:
        return found
    result = {k: np.asarray(v) for k, v in compute().items()}
    buffer = io.BytesIO()
    np.savez(buffer, **result)
    _write(path, buffer.getvalue())
    return result


def record(name: str, parts: tuple, compute: Callable[[], dict]) -> dict:
    """A JSON object `compute()` returns, cached as `arrays` caches arrays."""
    path = _path(name, parts, ".json")
    found = _read(path, lambda data: _object(json.loads(data)))
    if found is not None:
        return found
    result = files.roundtrip(compute())
    _write(path, (json.dumps(result, sort_keys=True) + "\n").encode())
    return result


def _path(name: str, parts: tuple, suffix: str) -> Path | None:
    root = folder()
    return None if root is None else root / (key(name, parts) + suffix)


def _unpacked(data: bytes) -> dict:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def _object(obj) -> dict:
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return obj


def _read(path: Path | None, parse: Callable[[bytes], dict]) -> dict | None:
    if path is None or not path.is_file():
        return None
    try:
        return parse(path.read_bytes())
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as err:
        print(f"note: the cache entry {path} is damaged ({type(err).__name__}); recomputing it", flush=True)
        return None


_unwritable: set = set()


def _write(path: Path | None, data: bytes) -> None:
    if path is None or path.parent in _unwritable:
        return
    try:
        files.sweep_stale(path.parent)
        files.atomic_write_bytes(path, data)
    except UserError as err:
        _unwritable.add(path.parent)
        cause = str(err).split(";")[0]  # "cannot write <path> (<the OS's reason>)"
        print(f"note: {cause}; scoring goes on without its cache (set {ENV} to a writable folder, or to {OFF})",
              flush=True)
