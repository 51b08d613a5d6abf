"""`perf`: throughput as the harness trains, against the bare step and against the matmul
peak of the dtype policy it trains in, every setting of a model interleaved in one process;
`--parity` also trains the bf16-vs-float32 quality check. Writes OUT/perf.md (its main table;
`benchmarks.reporting.text.throughput`), OUT/perf.csv (every column measured) and, with --parity,
OUT/parity.md."""

from __future__ import annotations

from pathlib import Path

from benchmarks.commands import add_data_dir, add_out
from benchmarks.errors import UserError
from benchmarks.precision import DTYPES

HELP = "steady-state throughput, FLOPs per step and share of peak"
EXAMPLE = "python -m benchmarks perf --models vae-dense --add paper:vae-burda --reps 3"


def add_arguments(p) -> None:
    p.add_argument("--suite", default="default")
    p.add_argument("--models", nargs="+")
    p.add_argument("--steps", type=int, default=40, help="timed steps per model and setting")
    p.add_argument("--reps", type=int, default=3, help="interleaved repetitions (the median is reported)")
    p.add_argument("--add", nargs="+", metavar="SUITE:MODEL",
                   help="also measure these models with another suite's settings, e.g. paper:vae-burda")
    p.add_argument("--dtype", choices=DTYPES, help="training dtype policy (default: the suite's)")
    p.add_argument("--parity", action="store_true",
                   help="also train the parity suite in float32 and bf16 and compare their quality")
    add_out(p, "folder of perf.md (default: results/ for the default suite, else results/<suite>/, so no suite "
               "overwrites another's committed table)")
    add_data_dir(p)


def main(args) -> int:
    import pandas as pd

    from benchmarks import files, precision
    from benchmarks.commands.run import suite_of
    from benchmarks.data.mnist import load_mnist
    from benchmarks.reporting.text import throughput
    from benchmarks.training.perf import measure
    from benchmarks.training.run_config import resolve_config

    suite = suite_of(args)
    args.out = args.out or str(Path("results") if suite["name"] == "default" else Path("results") / suite["name"])
    grid = [(suite, name) for name in args.models or suite["models"]] + [added(spec) for spec in args.add or ()]
    (x_train, _), _ = load_mnist(args.data_dir, suite["dataset"])
    peaks = precision.matmul_gflops()
    print(f"matmul peaks: fp32 {peaks['float32']:.0f}, bf16 {peaks['bfloat16']:.0f} GFLOP/s; "
          f"auto chooses {precision.resolve('auto')} (probe {precision.probe()})", flush=True)
    rows = []
    for of, name in grid:
        config = resolve_config(of, name, 0, "perf")
        row = measure(config, x_train[: config["train_images"]], args.steps, args.reps, of["binarize"])
        row["suite"] = of["name"]
        peak = peaks["bfloat16" if row["dtype"] == "mixed_bfloat16" else "float32"]
        row["share of its peak"] = row["gflop_per_step"] * row["img/s as the suite trains"] / row["batch"] / peak
        rows.append(row)
        print("  ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
    if args.parity:
        from benchmarks.reporting.text.parity import parity_markdown, parity_table

        parity = parity_markdown(parity_table(Path(args.out), args.data_dir, suite["dataset"]))
        files.write_text(Path(args.out) / "parity.md", f"# bf16 against float32\n\n"
                         f"{throughput.machine_line(suite, args)}\n\n{parity}\n")
    table = pd.DataFrame(rows)
    table = table[["suite", *table.columns.drop("suite")]]
    files.write_csv(Path(args.out) / "perf.csv", table)
    md = throughput.markdown(suite, args, peaks, table)
    files.write_text(Path(args.out) / "perf.md", md)
    print(md)
    return 0


def added(spec: str):
    """SUITE:MODEL -> (that suite, the model), or a one-line error."""
    from benchmarks.suite_file import load_suite

    name, _, model = spec.partition(":")
    suite = load_suite(name) if model else None
    if suite is None or model not in suite["models"]:
        raise UserError(f"--add {spec}: give SUITE:MODEL with a model of that suite, e.g. paper:vae-burda")
    return suite, model
