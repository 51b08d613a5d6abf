"""`compare A B`: two output folders of one suite side by side (benchmarks.reporting.compare),
e.g. `bench --dtype mixed_bfloat16 --out B` against the float32 results in A."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd

from benchmarks import files
from benchmarks.errors import UserError
from benchmarks.reporting import compare

SUMMARY = "summary.csv"


def read_summary(folder: Path) -> pd.DataFrame:
    """A folder's summary.csv, checked: one line naming the fix when it is missing or damaged."""
    path = Path(folder) / SUMMARY
    if not path.is_file():
        raise UserError(f"{path} does not exist; run `python -m benchmarks report {folder}` first")
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise UserError(f"{path} is damaged ({str(err).splitlines()[0]}); re-run `python -m benchmarks report "
                        f"{folder}`") from None
    if "model" not in table.columns or not any(c.endswith("_mean") for c in table.columns):
        raise UserError(f"{path} is not a summary (no model column or no means); re-run `python -m benchmarks "
                        f"report {folder}`")
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
    files.atomic_write_bytes(Path(args.out), doc.encode())
    print(f"wrote {args.out}")
    return 0
