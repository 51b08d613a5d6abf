"""The command layer: the only place that puts the stages together.

Stages import only downward: data -> training -> scoring -> reporting (and lecture), over the
shared helpers below them (errors, files, images, precision, settings, runs, records). Each
command module here declares its help line (`HELP`), an `EXAMPLE`, its arguments
(`add_arguments(parser)`) and `main(args)`, which runs its stages in order and returns the exit
status: 0, or 2 when it met damaged run files (their one-line reports were printed). A command
module imports nothing heavy at its top (TensorFlow, pandas, matplotlib come inside `main`), so
that building the parser, and the light commands, never load TensorFlow. The flags several
commands share are declared once, below.
"""

from __future__ import annotations

# the commands in the order of `--help`: benchmarks/commands/<name with _ for ->.py
COMMANDS = ("data", "run", "perf", "feature-net", "score", "score-samples", "report", "status", "compare", "sample",
            "lecture", "bench", "reproduce")
DATA_DIR_HELP = ("folder of the dataset's IDX files (else $MNIST_DIR or $FASHION_MNIST_DIR, else Debian's "
                 "/usr/share/datasets/fashion-mnist, else Keras)")


def add_data_dir(p, help: str = DATA_DIR_HELP) -> None:
    """--data-dir: where the dataset's IDX files are."""
    p.add_argument("--data-dir", help=help)


def add_out(p, help: str, default=None) -> None:
    """--out: where the command writes."""
    p.add_argument("--out", default=default, help=help)


def add_dataset(p, help: str | None = None) -> None:
    """--dataset, as the suites' `dataset` setting declares it (its choices and doc), MNIST by default."""
    from benchmarks.data.mnist import MNIST
    from benchmarks.settings import SUITE

    setting = SUITE["dataset"]
    p.add_argument("--dataset", default=MNIST.name, help=help or setting.doc, **setting.flag)
