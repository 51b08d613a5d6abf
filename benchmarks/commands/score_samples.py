"""`score-samples PATH`: genbench's metrics for anyone's samples (an .npz, an .npy or a folder
of PNGs), printed as a table whose numbers compare with the committed tables' rows; `--json
FILE` writes them."""

from __future__ import annotations

from pathlib import Path

from benchmarks import files
from benchmarks.commands import add_data_dir, add_dataset
from benchmarks.data import mnist
from benchmarks.errors import UserError

HELP = "genbench's metrics for anyone's samples: an .npz, an .npy or a folder of 28x28 grayscale PNGs"
EXAMPLE = "python -m benchmarks score-samples samples.npz --dataset mnist --json scores.json"


def add_arguments(p) -> None:
    p.add_argument("path", help="an .npz or .npy of (N, 28, 28), (N, 28, 28, 1), (N, 1, 28, 28) or (N, 784) images, "
                   "floats in [0, 1] or uint8 in [0, 255]; or a folder of PNGs")
    add_dataset(p, "whose feature network and reference images score them")
    p.add_argument("--json", metavar="FILE", help="also write the metrics to FILE")
    add_data_dir(p)


HIDDEN = ("fid_quick_at_epoch",)  # a training curve's column: samples alone have none


def table(result: dict, spec: mnist.Dataset) -> str:
    """The quality table's columns as rows: metric, value, to the committed tables' decimals."""
    import pandas as pd

    from benchmarks.reporting.text.tables import QUALITY, named

    rows = []
    for key, (header, higher, decimals) in named(QUALITY, spec).items():
        if key in HIDDEN or key not in result:
            continue
        arrow = "" if higher is None else (" ↑" if higher else " ↓")
        rows.append({"Metric": header + arrow, "Your samples": f"{result[key]:,.{decimals}f}"})
    return pd.DataFrame(rows).to_markdown(index=False, disable_numparse=True)  # keep each value's decimals


def comparability(n: int) -> str:
    from benchmarks.scoring.score_samples import bench_samples

    bench = bench_samples()
    if n == bench:
        return (f"Comparable with the committed tables' rows: the same pinned features, reference images, metrics "
                f"and sample count ({bench:,}).")
    return (f"FID, KID, precision, recall, density and coverage depend on the sample count: the committed tables "
            f"score {bench:,} samples per run, these are {n:,}; compare them with rows scored at {n:,}.")


def main(args) -> int:
    from benchmarks.scoring.score_samples import read_images, score_samples

    spec = mnist.dataset(args.dataset)
    if args.json and Path(args.json).is_dir():
        raise UserError(f"--json {args.json} is a folder; give a file name, e.g. scores.json")
    result = score_samples(read_images(args.path), spec.name, args.data_dir, where=str(args.path))
    print(f"{args.path}: {result['read_as']}; scored in the pinned {spec.name} feature network")
    print(table(result, spec))
    print(comparability(result["images"]))
    if args.json:
        files.write_json(Path(args.json), {**result, "path": str(args.path)})
        print(f"wrote {args.json}")
    return 0
