"""`compare A B`: two output folders of one suite side by side (benchmarks.reporting.text.compare),
e.g. `bench --dtype mixed_bfloat16 --out B` against the float32 results in A."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd

from benchmarks import files
from benchmarks.commands import add_out
from benchmarks.errors import UserError
from benchmarks.reporting.text import compare

HELP = "two reports of one suite side by side: each metric's difference in pooled std"
EXAMPLE = "python -m benchmarks compare results /tmp/bf16 --out results/precision.md"


def add_arguments(p) -> None:
    p.add_argument("a", help="an output folder with summary.csv")
    p.add_argument("b", help="another output folder with summary.csv")
    p.add_argument("--metrics", nargs="+", help="summary metrics to compare (default: fid kid test_elbo "
                   "iwae_bound precision recall images_per_sec)")
    add_out(p, "write FILE.md (default: print the table)")
    p.add_argument("--title", default="Two runs of one suite compared", help="the title of --out")


SUMMARY = "summary.csv"


def read_summary(folder: Path) -> pd.DataFrame:
    """A folder's summary.csv, checked (`files.read_csv`): one line naming the fix when it is
    missing, damaged or not a summary."""
    fix = f"re-run `python -m benchmarks report {folder}`"
    table = files.read_csv(Path(folder) / SUMMARY, fix, required=("model",))
    if table is None:
        raise UserError(f"{Path(folder) / SUMMARY} does not exist; run `python -m benchmarks report {folder}` first")
    if not any(c.endswith("_mean") for c in table.columns):
        raise UserError(f"{Path(folder) / SUMMARY} is not a summary (no means); {fix}")
    return table


def label(folder: Path, table: pd.DataFrame) -> str:
    """A column title: the folder, and the precision its runs were trained in."""
    dtypes = sorted(set(table.get("dtype", pd.Series(dtype=object)).dropna()) - {""})
    return f"{folder} ({', '.join(dtypes)})" if dtypes else str(folder)


def provenance(folder: Path) -> str:
    """What summary.md says of the runs' commits and the machine, if it is there."""
    try:
        text = (Path(folder) / "summary.md").read_text()
    except (OSError, UnicodeDecodeError):
        return f"`{folder}`: no summary.md."
    found = [m.group(0).rstrip(". ") for pattern in (r"Made by genbench:[^|\n]*?\.(?= |$)",
                                                    r"Seconds and images/s were measured on[^:\n]*")
             if (m := re.search(pattern, text))]
    return f"`{folder}`: " + ("; ".join(found) if found else "summary.md names no commit or machine") + "."


def main(args) -> int:
    a, b = Path(args.a), Path(args.b)
    ta, tb = read_summary(a), read_summary(b)
    table = compare.compare(ta, tb, args.metrics or compare.METRICS)
    if table.empty:
        raise UserError(f"{a} and {b} share no model and metric; compare two reports of one suite")
    text = compare.markdown(table, label(a, ta), label(b, tb))
    if not args.out:
        print(text)
        return 0
    command = shlex.join(["python", "-m", "benchmarks", "compare", str(a), str(b),
                          *(["--metrics", *args.metrics] if args.metrics else []), "--out", str(args.out)])
    doc = "\n".join([f"# {args.title}", "", compare.__doc__.split("\n\n")[0].replace("\n", " "), "",
                     f"Command: `{command}`.", "", f"- {provenance(a)}", f"- {provenance(b)}", "",
                     text, ""])
    files.write_text(Path(args.out), doc)
    print(f"wrote {args.out}")
    return 0
