"""The README matches the program: every command's flags are in its command table."""

import re
from pathlib import Path

import pytest

from benchmarks.__main__ import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")  # argparse's subparsers action
    return action.choices


def table_row(name: str) -> str:
    rows = [line for line in README.splitlines() if line.startswith(f"| `python -m benchmarks {name}")]
    assert rows, f"the README's command table has no row for {name}"
    return rows[0]


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_flag_of_every_command_is_in_its_readme_row(name):
    row = table_row(name)
    if "(and every `run` flag)" in row:
        row += table_row("run")
    flags = {s for a in subcommands()[name]._actions for s in a.option_strings if s.startswith("--")} - {"--help"}
    missing = sorted(f for f in flags if not re.search(re.escape(f) + r"\b", row))
    assert not missing, f"{name}: flags not in its README row: {missing}"


ROOT = Path(__file__).resolve().parents[1]
COLUMNS = {"FID": "fid", "Quick FID after 1 epoch": "fid_quick_at_epoch", "Precision": "precision",
           "Recall": "recall", "Digits, p ≥ 0.9 (any p)": ("modes_confident", "modes_covered"),
           "Classes, p ≥ 0.9 (any p)": ("modes_confident", "modes_covered"), "Test ELBO (nats)": "test_elbo",
           "IWAE bound, k = 50": "iwae_bound", "Epochs": "epochs", "Train s (this machine)": "train_seconds",
           "Parzen LL": "parzen_ll", "Network evals / sample": "network_evaluations",
           "s / 1,000 samples (this machine)": "seconds_per_1000_samples"}


def readme_tables():
    """(results folder, header, rows) of each README results table: the first under 'Results'
    is results/, the one under the Fashion-MNIST heading results/fashion-mnist/."""
    folder, found, lines = None, [], README.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("## Results"):
            folder = "results"
        elif line.startswith("### The same benchmark on Fashion-MNIST"):
            folder = "results/fashion-mnist"
        elif line.startswith("## ") and not line.startswith("## Results"):
            folder = None
        if folder and line.startswith("| Model | FID"):
            header = [c.strip().rstrip("↑↓ ").strip() for c in line.strip("|").split("|")]
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip("|").split("|")])
            found.append((folder, header, rows))
    return found


def numbers(cell: str) -> list[tuple[float, int]]:
    """Each number of a cell with its decimals: '**−117.11 ± 0.76**' -> [(-117.11, 2), (0.76, 2)]."""
    cell = cell.replace("**", "").replace("−", "-").replace(",", "")
    return [(float(n), len(n.split(".")[1]) if "." in n else 0) for n in re.findall(r"-?\d+(?:\.\d+)?", cell)]


def test_the_readme_results_tables_are_the_committed_summaries():
    import pandas as pd

    tables = readme_tables()
    assert [t[0] for t in tables] == ["results", "results/fashion-mnist"]
    for folder, header, rows in tables:
        summary = pd.read_csv(ROOT / folder / "summary.csv").set_index("model")
        for row in rows:
            model = "real-data" if row[0].startswith("real data") else row[0]
            for title, cell in zip(header[1:], row[1:]):
                if cell in ("–", "-"):
                    continue
                column = COLUMNS[title]
                found = numbers(cell)
                if isinstance(column, tuple):  # 'confident (any)': two means
                    expected = [summary.loc[model, f"{c}_mean"] for c in column]
                else:
                    expected = [summary.loc[model, f"{column}_mean"]]
                    if len(found) == 2:
                        expected.append(summary.loc[model, f"{column}_std"])
                assert len(found) == len(expected), (folder, model, title, cell)
                for (value, decimals), want in zip(found, expected):
                    assert abs(value - want) <= 0.5 * 10 ** -decimals + 1e-9, \
                        f"README {folder} {model} {title}: {cell}, the summary says {want}"


def test_each_time_breakdown_in_the_readme_adds_up_to_its_total():
    """'took 11 min 9 s (669 s): 53 s of tox set-up, 454 s of training …, 118 s of scoring, 38 s
    of lecture …': the parts sum to the total, to the rounding of each part."""
    text = " ".join(README.split())
    found = re.findall(r"(\d+) min (\d+) s \((\d+) s in all\): (.+?\.)(?= [A-Z]|$)", text)
    assert len(found) >= 2, "the README gives the bench's time breakdown for MNIST and for Fashion-MNIST"
    for minutes, seconds, total, parts in found:
        assert int(minutes) * 60 + int(seconds) == int(total), (minutes, seconds, total)
        values = [int(v) for v in re.findall(r"(\d+) s of ", parts)]
        assert abs(sum(values) - int(total)) <= len(values) // 2 + 1, f"{parts}: {sum(values)} s, not {total} s"
