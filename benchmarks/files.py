"""Files written atomically (temporary file, fsync, rename) and read back as plain data.

A temporary file is named `.<name>.<random>.<pid>.tmp`: `sweep_stale` removes those whose
writer is dead (killed mid-write), and never another live process's. A write the OS refuses
(full disk, read-only folder, `--out` naming a file) is a one-line UserError naming the path.
Fault tests set GENBENCH_TRACE=<seconds>: every write and `trace` event is then printed to
stderr, and each write pauses that long before its rename (a window to kill it in).
"""

from __future__ import annotations

import errno
import io
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.errors import Damaged, UserError

_UMASK = os.umask(0)
os.umask(_UMASK)
_TRACE = os.environ.get("GENBENCH_TRACE")


def trace(event: str) -> None:
    """Under GENBENCH_TRACE, print `trace: <event>` to stderr (fault tests kill on these)."""
    if _TRACE is not None:
        print(f"trace: {event}", file=sys.stderr, flush=True)


def cannot_write(path: Path, err: OSError) -> UserError:
    """The one line for a write the OS refused."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free some space or choose another --out"
    elif err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        fix = "the folder is read-only: make it writable or choose another --out"
    elif err.errno in (errno.ENOTDIR, errno.EEXIST):
        fix = "a file stands where a folder should be: choose another --out"
    else:
        fix = "check the folder or choose another --out"
    return UserError(f"cannot write {path} ({err.strerror or err}); {fix}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".{os.getpid()}.tmp")
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; results are for sharing
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if _TRACE is not None:
            trace(f"write {path}")
            time.sleep(float(_TRACE or 0))
        os.replace(tmp, path)
    except OSError as err:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise cannot_write(path, err) from None
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(folder: Path) -> list[Path]:
    """Remove the temporary files below `folder` whose writing process is dead; returns them."""
    removed = []
    for tmp in Path(folder).rglob(".*.tmp") if Path(folder).is_dir() else ():
        pid = tmp.name.rsplit(".", 2)[-2]
        if not (pid.isdigit() and _alive(int(pid))):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True, default=_jsonable) + "\n").encode())


def roundtrip(obj):
    """`obj` as it reads back from JSON (tuples become lists)."""
    return json.loads(json.dumps(obj, default=_jsonable))


def read_json(path: Path, fix: str = "delete it and re-run the command that wrote it", required: dict | None = None):
    """A JSON object, with `required` keys of the given types; else `Damaged` naming `fix`."""
    path = Path(path)
    try:
        obj = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise Damaged(path, "is missing", fix) from None
    except OSError as err:
        raise Damaged(path, f"cannot be read ({err.strerror})", fix) from None
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise Damaged(path, f"is not valid JSON ({type(err).__name__})", fix) from None
    if not isinstance(obj, dict):
        raise Damaged(path, f"holds a JSON {type(obj).__name__}, not an object", fix)
    wrong = [k for k, types in (required or {}).items()
             if not isinstance(obj.get(k), types) or isinstance(obj.get(k), bool) and bool not in _tuple(types)]
    if wrong:
        raise Damaged(path, f"lacks {', '.join(wrong)} (or they have the wrong type)", fix)
    return obj


def _tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray | tuple):
        return list(value)
    raise TypeError(f"not JSON serializable: {type(value)}")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write_bytes(path, frame.to_csv(index=False).encode())


def write_npz(path: Path, **arrays) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def load_npz(path: Path, fix: str = "delete it and re-run the command that wrote it", required=(),
             content: bytes | None = None) -> dict:
    """Every array of an .npz file (never a pickled object), with the `required` names; else
    `Damaged` naming `fix`. `content`: the file's bytes, if already read."""
    path = Path(path)
    try:
        with np.load(path if content is None else io.BytesIO(content), allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise Damaged(path, "is missing", fix) from None
    except ValueError as err:
        what = "holds Python objects, which are never unpickled" if "allow_pickle" in str(err) else "is damaged"
        raise Damaged(path, what, fix) from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as err:  # truncated or not an .npz
        raise Damaged(path, f"is damaged ({type(err).__name__})", fix) from None
    missing = [k for k in required if k not in arrays]
    if missing:
        raise Damaged(path, f"lacks the arrays {', '.join(missing)}", fix)
    return arrays


def read_csv(path: Path, fix: str, required=()) -> pd.DataFrame | None:
    """A CSV table with the `required` columns, None if absent or empty; else `Damaged`."""
    path = Path(path)
    if not (path.is_file() and path.stat().st_size):
        return None
    try:
        frame = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError, OSError) as err:  # pandas' parser errors are ValueErrors
        raise Damaged(path, f"is damaged ({type(err).__name__})", fix) from None
    missing = [c for c in required if c not in frame]
    if missing:
        raise Damaged(path, f"lacks the columns {', '.join(missing)}", fix)
    return frame


def write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())
