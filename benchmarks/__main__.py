"""`python -m benchmarks COMMAND`: a thin entry point; every command lives in its own module
of `benchmarks.commands`."""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import signal
import sys

from benchmarks.commands import COMMANDS
from benchmarks.errors import UserError

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")  # the commands write figures to files and never show a window
LIGHT = {"status", "compare"}  # commands that never import TensorFlow


def import_tensorflow(verbose: bool) -> None:
    """Import TensorFlow (and find its devices) before any command does. Quiet by default: its
    C++ and absl logs are off (TF_CPP_MIN_LOG_LEVEL=3), and the lines it writes to stderr before
    its logging starts (oneDNN, 'Could not find cuda drivers', 'failed call to cuInit' on a
    machine without a GPU) go to /dev/null while it loads; Python errors still show. `--verbose`
    keeps all of them."""
    if verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
        import tensorflow as tf

        tf.config.list_physical_devices()
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        import tensorflow as tf

        tf.config.list_physical_devices()
    finally:
        os.dup2(saved, 2)
        os.close(null)
        os.close(saved)



def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("genbench")
    except PackageNotFoundError:
        return "unknown (not installed; pip install -e .)"


def build_parser(prog: str = "python -m benchmarks") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument("--version", action="version", version=f"genbench {version()}")
    parser.add_argument("--verbose", action="store_true", help="keep TensorFlow's own log lines (off by default)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:  # each command module declares its own arguments
        command = importlib.import_module(f"benchmarks.commands.{name.replace('-', '_')}")
        command.add_arguments(sub.add_parser(name, help=command.HELP, epilog=f"example: {command.EXAMPLE}"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command: its exit status (2 when it met bad input: a UserError that stopped it,
    or damaged run-store files it reported on the way); 130 on Ctrl-C."""
    argv = sys.argv[1:] if argv is None else list(argv)
    prog = "genbench" if os.path.basename(sys.argv[0]) == "genbench" else "python -m benchmarks"
    args = build_parser(prog).parse_args(argv)
    if args.command not in LIGHT:
        import_tensorflow(args.verbose)
    try:
        command = importlib.import_module(f"benchmarks.commands.{args.command.replace('-', '_')}")
        return command.main(args) or 0
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        print(interrupted(argv, getattr(err, "saved", None)), file=sys.stderr, flush=True)
        return 130


def interrupted(argv: list[str], saved: str | None) -> str:
    """The one line for Ctrl-C: what is saved, and the command that resumes."""
    saved = f"last saved: {saved}" if saved else "nothing new was saved"
    return (f"interrupted ({saved}; every finished run and each run's last epoch are kept); "
            f"resume with: python -m benchmarks {shlex.join(argv)}")


def _terminated(signum, frame):
    """SIGTERM (a scheduler's time limit or preemption) ends as Ctrl-C does: one line, resumable."""
    raise KeyboardInterrupt


def entry() -> None:
    """The `genbench` console script: the same commands as `python -m benchmarks`."""
    signal.signal(signal.SIGTERM, _terminated)
    sys.exit(main())


if __name__ == "__main__":
    entry()
