"""compare: two summaries of one suite side by side, each metric's difference in pooled std."""

import math

import numpy as np
import pandas as pd
import pytest

from benchmarks.__main__ import main
from benchmarks.reporting.text.compare import compare, pooled_difference


def summary(rng, fid_shift=0.0, spread=1.0, seeds=3):
    """A summary.csv-shaped table from `seeds` draws per model around fixed means."""
    rows = []
    for model, fid, elbo in (("vae-dense", 25.0, -100.0), ("gan-dense", 100.0, np.nan)):
        f = fid + fid_shift + spread * rng.standard_normal(seeds)
        e = elbo + spread * rng.standard_normal(seeds)
        rows.append({"model": model, "seeds": seeds, "dtype": "float32", "fid_mean": f.mean(),
                     "fid_std": f.std(ddof=1), "test_elbo_mean": e.mean(), "test_elbo_std": e.std(ddof=1)})
    return pd.DataFrame(rows)


def test_pooled_difference_closed_forms():
    # means 10 and 13, stds 1 and 3: pooled sqrt((1 + 9) / 2) = sqrt(5), so 3 / sqrt(5) = 1.342
    assert pooled_difference(10, 1, 13, 3) == pytest.approx(3 / math.sqrt(5))
    assert pooled_difference(13, 3, 10, 1) == pytest.approx(-3 / math.sqrt(5))  # antisymmetric
    assert pooled_difference(5, 0, 5, 0) == 0.0  # degenerate: equal and no spread
    assert pooled_difference(5, 0, 6, 0) == math.inf
    assert math.isnan(pooled_difference(5, np.nan, 6, 1))  # one seed: no std, no difference


def test_same_distribution_is_within_the_spread_and_a_shift_is_not():
    rng_a, rng_b, rng_c = (np.random.default_rng(s) for s in (1, 2, 3))
    base = summary(rng_a, seeds=50)
    same = compare(base, summary(rng_b, seeds=50), ["fid"]).set_index("model")["difference"]
    assert (same.abs() < 0.7).all(), same  # the difference of two means of 50 draws: sd sqrt(2/50) = 0.2
    moved = compare(base, summary(rng_c, fid_shift=3.0, seeds=50), ["fid"]).set_index("model")["difference"]
    assert (moved > 2.3).all(), moved  # 3 std apart, give or take 0.2


def test_a_metric_neither_side_has_is_left_out_and_models_must_be_shared():
    rng = np.random.default_rng(4)
    table = compare(summary(rng), summary(rng), ["fid", "test_elbo", "kid"])
    assert set(zip(table["model"], table["metric"])) == {("vae-dense", "fid"), ("vae-dense", "test_elbo"),
                                                         ("gan-dense", "fid")}
    other = summary(rng).assign(model=["vae-conv", "gan-conv"])
    assert compare(summary(rng), other).empty


def test_the_command_writes_a_markdown_table_and_refuses_a_missing_summary(tmp_path, capsys):
    rng = np.random.default_rng(5)
    for name, shift in (("a", 0.0), ("b", 2.0)):
        (tmp_path / name).mkdir()
        summary(rng, fid_shift=shift).to_csv(tmp_path / name / "summary.csv", index=False)
    out = tmp_path / "precision.md"
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out)]) == 0
    text = out.read_text()
    assert "difference in pooled std" in text and "(float32)" in text and "Command: `python -m benchmarks" in text
    assert text.count("| vae-dense") == 2 and text.count("| gan-dense") == 1
    assert "no summary.md" in text  # where summary.md would name the commits and the machine
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "report" in err[0]
    (tmp_path / "b" / "summary.csv").write_bytes(b"\x00\xff garbage")
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
