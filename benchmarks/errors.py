"""Bad input reaches a user as one line and exit status 2: `UserError` stops a command;
`Damaged` (a run-store file that cannot be read) stops only the run it belongs to: the
command prints its line (`report`), goes on with the others and ends with status 2.
`Interrupted` is Ctrl-C or SIGTERM, carrying what was saved last for the one-line message."""

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


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM, with a line naming what the command saved last (None: nothing)."""

    def __init__(self, saved: str | None = None):
        super().__init__(saved)
        self.saved = saved


def report(problem) -> None:
    """Print one problem (a UserError or its line) that ends one run's part in a command."""
    print(f"error: {problem}", file=sys.stderr, flush=True)
