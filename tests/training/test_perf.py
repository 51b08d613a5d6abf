"""perf and the bf16 parity check: the verdict by hand, the dtype policy choice, and the command."""

import re

import pandas as pd
import pytest

from benchmarks import precision
from benchmarks.reporting.text import parity, throughput


def test_parity_holds_within_the_seed_range_or_5_percent():
    # good: bf16 mean 10.5 inside the float32 range [10, 11]
    assert parity.holds([10.0, 11.0], [10.2, 10.8])
    # good: outside the range [10, 10.2] but within 5% of its mean 10.1 (|10.5 - 10.1| = 0.4 <= 0.505)
    assert parity.holds([10.0, 10.2], [10.5, 10.5])
    # bad: mean 12 is 1.9 from 10.1, more than 5% (0.505), and outside [10, 10.2]
    assert not parity.holds([10.0, 10.2], [11.0, 13.0])
    # negative values (ELBOs): -100 vs -104 is 4% of 100: holds; -100 vs -110 does not
    assert parity.holds([-100.0, -100.0], [-104.0]) and not parity.holds([-100.0, -100.0], [-110.0])
    # degenerate: one float32 seed, equal values
    assert parity.holds([5.0], [5.0])


def test_explicit_dtypes_resolve_to_themselves_and_the_policy_is_restored():
    import keras

    assert precision.resolve("float32") == "float32"
    assert precision.resolve("mixed_bfloat16") == "mixed_bfloat16"
    before = keras.config.dtype_policy().name
    with precision.policy("mixed_bfloat16"):
        assert keras.layers.Dense(2).compute_dtype == "bfloat16"
    assert keras.config.dtype_policy().name == before


def test_auto_picks_bf16_only_where_it_measured_faster(monkeypatch):
    fast = {"gpus": [], "cpu_flags": ["avx512_bf16"], "probe_gflops": {"float32": 200.0, "bfloat16": 400.0}}
    slow = {**fast, "probe_gflops": {"float32": 200.0, "bfloat16": 120.0}}
    none = {"gpus": [], "cpu_flags": [], "probe_gflops": {}}
    gpu = {**none, "gpus": ["/physical_device:GPU:0"]}
    for found, expected in ((fast, "mixed_bfloat16"), (slow, "float32"), (none, "float32"), (gpu, "mixed_bfloat16")):
        monkeypatch.setattr(precision, "probe", lambda found=found: found)
        assert precision.resolve("auto") == expected


@pytest.mark.mnist
def test_perf_command_writes_its_table(tmp_path, mnist_dir):
    from benchmarks.__main__ import main

    assert main(["perf", "--models", "gan-dense", "--steps", "3", "--reps", "1", "--out", str(tmp_path),
                 "--add", "paper:vae-burda", "--data-dir", str(mnist_dir)]) == 0
    text = (tmp_path / "perf.md").read_text()
    assert "fp32" in text and "bf16" in text and "--add paper:vae-burda" in text
    # the main table: 8 columns, a model of the added suite named SUITE:MODEL
    head = next(line for line in text.splitlines() if line.startswith("| model"))
    assert [c.strip() for c in head.strip("|").split("|")] == list(throughput.MAIN)
    assert re.search(r"\| gan-dense +\|", text) and re.search(r"\| paper:vae-burda +\|", text)
    # vae-burda as the paper suite trains it: batch 20, the compiled loop under XLA
    assert re.search(r"\| paper:vae-burda +\| +20 \| compiled, XLA +\|", text)
    full = pd.read_csv(tmp_path / "perf.csv")  # every column measured
    assert full["model"].tolist() == ["gan-dense", "vae-burda"] and full["steps per call"].tolist()[1] == 250
    for column in ("img/s fit", "img/s compiled", "img/s compiled, XLA", "compiled, XLA / fit", "overhead s/pass",
                   "img/s float32", "img/s mixed_bfloat16", "img/s float32, op determinism", "img/s bare step",
                   "harness / bare", "share of its peak", "gflop_per_step"):
        assert column in full, column


def test_perf_sentences_give_a_range_only_where_its_ends_differ():
    row = {"model": "gan-goodfellow", "batch": 100, "loop": "fit", "img/s fit": 3693.0, "img/s compiled, XLA": 5302.0,
           "gflop_per_step": 4.25, "compiled, XLA / fit": 1.4357, "op determinism cost": -0.16, "bf16 / float32": 1.18,
           "harness / bare": 1.06, "overhead s/pass": 0.2, "overhead s/pass, saving each": 0.2, "rep spread": 0.4}
    one = " ".join(throughput.sentences(pd.DataFrame([row])))
    assert "ran at 1.44x of `fit`'s images/s" in one and "by +16%; for scale" in one and "(median" not in one
    assert "0.20 s when every pass saves" in one and "harness / bare is 1.06;" in one
    two = " ".join(throughput.sentences(pd.DataFrame([row, {**row, "model": "gan-dense", "compiled, XLA / fit": 0.5,
                                                           "op determinism cost": 0.04, "harness / bare": 2.0}])))
    assert "ran at 0.50x to 1.44x" in two and "by -4% to +16% (median +6%)" in two and "is 1.06 to 2.00;" in two
    assert throughput.span(pd.Series([0.751, 0.749]), ".2f", "x") == "0.75x"  # alike as shown: one number


@pytest.mark.parametrize("spec", ["paper", "paper:vae-dense", "nosuch:vae-burda"])
def test_perf_add_names_a_model_of_a_suite(spec, tmp_path, capsys):
    from benchmarks.__main__ import main

    assert main(["perf", "--models", "gan-dense", "--add", spec, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and ("SUITE:MODEL" in err or "nosuch" in err), err


def test_the_parity_verdict_knows_which_way_is_better():
    # FID (lower is better): 20 against 10 +- 0 is worse, 5 is better; ELBO (higher): -90 vs -100 is better
    assert parity.verdict([10.0, 10.0], [20.0], higher_is_better=False) == "**worse**"
    assert parity.verdict([10.0, 10.0], [5.0], higher_is_better=False) == "better"
    assert parity.verdict([-100.0], [-90.0], higher_is_better=True) == "better"
    assert parity.verdict([10.0, 11.0], [10.5], higher_is_better=False) == "same"
