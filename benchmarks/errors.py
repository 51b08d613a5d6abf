"""Bad input reaches a user as one line and exit status 2: `UserError` stops a command;
`Damaged` (a run-store file that cannot be read) stops only the run it belongs to, via
`report`, and the command goes on with the others and ends with status 2."""

from __future__ import annotations

import sys
from pathlib import Path


class UserError(Exception):
    """Bad input: the message names the cause and the fix, on one line."""


class Damaged(UserError):
    """A file of the run store that is damaged, foreign or missing: names it, what is wrong and the fix."""

    def __init__(self, path: Path, what: str, fix: str):
        super().__init__(f"{path} {what}; {fix}")
        self.path = Path(path)


_reported: list[str] = []


def report(err: UserError) -> None:
    """Print a problem that ends one run's part in a command as its one line (once per message);
    the command goes on and `python -m benchmarks` then exits with status 2."""
    message = str(err)
    if message not in _reported:
        _reported.append(message)
        print(f"error: {message}", file=sys.stderr, flush=True)


def reported() -> list[str]:
    return list(_reported)


def reset() -> None:
    _reported.clear()
