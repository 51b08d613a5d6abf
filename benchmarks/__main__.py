"""`python -m benchmarks COMMAND`: a thin entry point; every command lives in its own module
of `benchmarks.commands`."""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import signal
import sys

from benchmarks import settings
from benchmarks.data.mnist import DATASETS, MNIST
from benchmarks.errors import UserError
from benchmarks.precision import DTYPES

DATASET_NAMES = tuple(DATASETS)
DATA_DIR_HELP = ("folder of the dataset's IDX files (else $MNIST_DIR or $FASHION_MNIST_DIR, else Debian's "
                 "/usr/share/datasets/fashion-mnist, else Keras)")

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



def _add_run_args(p: argparse.ArgumentParser, suite_default: str | None) -> None:
    p.add_argument("--suite", default=suite_default, required=suite_default is None,
                   help="a suite name (smoke, default, long, paper, parity) or a path to a TOML file")
    p.add_argument("--out", help="output folder (default: results/, or results/<dataset>/ for a dataset other "
                   "than MNIST)")
    settings.add_flags(p)
    p.add_argument("--data-dir", help=DATA_DIR_HELP)
    p.add_argument("--shard", help="i/n: run only every n-th run of the grid, starting at i")
    p.add_argument("--tensorboard", action="store_true", help="also write TensorBoard logs")
    p.add_argument("--dry-run", action="store_true", help="print the grid, each run's budget in images and the "
                   "time at measured images/s; train nothing")


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

    p = sub.add_parser("data", help="load a dataset and print its source, shapes and class counts",
                       epilog="example: python -m benchmarks data --dataset fashion-mnist")
    p.add_argument("--dataset", choices=DATASET_NAMES, default=MNIST.name)
    p.add_argument("--data-dir", help=DATA_DIR_HELP)

    p = sub.add_parser("run", help="train a suite's grid of (model, seed) runs",
                       epilog="example: python -m benchmarks run --suite smoke --models vae-dense --seeds 0 1")
    _add_run_args(p, None)

    p = sub.add_parser("perf", help="steady-state throughput, FLOPs per step and share of peak",
                       epilog="example: python -m benchmarks perf --models vae-dense --add paper:vae-burda --reps 3")
    p.add_argument("--suite", default="default")
    p.add_argument("--models", nargs="+")
    p.add_argument("--steps", type=int, default=40, help="timed steps per model and setting")
    p.add_argument("--reps", type=int, default=3, help="interleaved repetitions (the median is reported)")
    p.add_argument("--add", nargs="+", metavar="SUITE:MODEL",
                   help="also measure these models with another suite's settings, e.g. paper:vae-burda")
    p.add_argument("--dtype", choices=DTYPES, help="training dtype policy (default: the suite's)")
    p.add_argument("--parity", action="store_true",
                   help="also train the parity suite in float32 and bf16 and compare their quality")
    p.add_argument("--out", help="folder of perf.md (default: results/ for the default suite, else "
                   "results/<suite>/, so no suite overwrites another's committed table)")
    p.add_argument("--data-dir", help=DATA_DIR_HELP)

    p = sub.add_parser("feature-net", help="check or retrain a dataset's pinned feature network",
                       epilog="example: python -m benchmarks feature-net --dataset mnist")
    p.add_argument("--train", action="store_true", help="retrain it (seed 0) as a candidate to pin")
    p.add_argument("--dataset", choices=DATASET_NAMES, default=MNIST.name)
    p.add_argument("--data-dir", help=DATA_DIR_HELP)

    p = sub.add_parser("score", help="write metrics.json for every finished run",
                       epilog="example: python -m benchmarks score results/smoke")
    p.add_argument("path", nargs="?", default="results", help="an output folder or one run folder")
    p.add_argument("--data-dir")
    p.add_argument("--force", action="store_true", help="rescore runs whose metrics are current")

    p = sub.add_parser("score-samples", help="genbench's metrics for anyone's samples: an .npz, an .npy or a "
                       "folder of 28x28 grayscale PNGs", epilog="example: python -m benchmarks score-samples "
                       "samples.npz --dataset mnist --json scores.json")
    p.add_argument("path", help="an .npz or .npy of (N, 28, 28), (N, 28, 28, 1), (N, 1, 28, 28) or (N, 784) images, "
                   "floats in [0, 1] or uint8 in [0, 255]; or a folder of PNGs")
    p.add_argument("--dataset", choices=DATASET_NAMES, default=MNIST.name,
                   help="whose feature network and reference images score them")
    p.add_argument("--json", metavar="FILE", help="also write the metrics to FILE")
    p.add_argument("--data-dir", help=DATA_DIR_HELP)

    p = sub.add_parser("report", help="aggregate metrics into tables and figures",
                       epilog="example: python -m benchmarks report results/smoke")
    p.add_argument("path", nargs="?", default="results")
    p.add_argument("--data-dir", help="MNIST folder (test digits for the VAE interpolations)")

    p = sub.add_parser("status", help="each run's state, and the grid's images done and time left; reads only",
                       epilog="example: python -m benchmarks status /shared/genbench --suite default")
    p.add_argument("path", nargs="?", default="results", help="the output folder (default: results)")
    p.add_argument("--suite", help="the suite whose grid it is (default: the one its runs record, else default)")

    p = sub.add_parser("compare", help="two reports of one suite side by side: each metric's difference in "
                       "pooled std", epilog="example: python -m benchmarks compare results /tmp/bf16 --out "
                       "results/precision.md")
    p.add_argument("a", help="an output folder with summary.csv")
    p.add_argument("b", help="another output folder with summary.csv")
    p.add_argument("--metrics", nargs="+", help="summary metrics to compare (default: fid kid test_elbo "
                   "iwae_bound precision recall images_per_sec)")
    p.add_argument("--out", help="write FILE.md (default: print the table)")
    p.add_argument("--title", default="Two runs of one suite compared", help="the title of --out")

    p = sub.add_parser("sample", help="write samples (or a latent interpolation) of a finished run",
                       epilog="example: python -m benchmarks sample results/runs/gan-conv/seed-0 --n 64 --out gan.png")
    p.add_argument("run", help="a run folder, OUT/runs/<model>/seed-<k>")
    p.add_argument("--n", type=int, default=64, help="images (an interpolation: rows of 8, n // 8 rows)")
    p.add_argument("--seed", type=int, default=0, help="the sampling seed")
    p.add_argument("--out", help="FILE.png (a grid) or FILE.npz (float32 images in [0, 1]); "
                   "default: <model>-seed<k>-samples.png")
    p.add_argument("--interpolate", action="store_true", help="a latent interpolation: rows from one prior draw "
                   "to another")
    p.add_argument("--steps", type=int, default=None, help="the diffusion family: sampler steps (default: the "
                   "model's sample_steps); a model that samples in one network pass takes none")

    p = sub.add_parser("lecture", help="numerical checks of the theory, with figures",
                       epilog="example: python -m benchmarks lecture --out /tmp/lecture")
    p.add_argument("--out", default=None, help="default: results/lecture")
    p.add_argument("--runs", default="results", help="benchmark output with gan runs to compare")

    p = sub.add_parser("bench", help="run, score and report a suite, then the lecture experiments",
                       epilog="example: python -m benchmarks bench --suite smoke --dry-run")
    _add_run_args(p, "default")

    p = sub.add_parser("reproduce", help="reproduce Burda et al.'s VAE likelihood and Goodfellow et al.'s Parzen "
                       "protocol (the paper suite) into results/paper/",
                       epilog="example: python -m benchmarks reproduce --dry-run")
    _add_run_args(p, "paper")
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
