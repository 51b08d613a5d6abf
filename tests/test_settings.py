"""One declaration per setting: validation, the flags, config.json and the identity check of a
resumed run all follow `benchmarks.settings` (read by `benchmarks.suite_file`)."""

import argparse

import pytest

from benchmarks import config_file, files, settings, suite_file
from benchmarks.data.mnist import DATASETS
from benchmarks.errors import UserError


def test_every_setting_is_documented_and_its_default_is_valid():
    for spec in (settings.SUITE, settings.EVAL, settings.MANIFOLD):
        for name, s in spec.items():
            assert s.doc.strip(), name
            if s.default not in (None, settings.REQUIRED):
                assert s.error(s.default) is None, name


def test_a_loaded_suite_holds_every_setting_and_its_dataset_object():
    suite = suite_file.load_suite("smoke")
    assert set(settings.SUITE) <= set(suite) and suite["name"] == "smoke"
    assert suite["dataset"] is DATASETS["mnist"]
    assert set(suite["eval"]) == set(settings.EVAL)
    assert suite_file.changed(suite, dataset="fashion-mnist")["dataset"] is DATASETS["fashion-mnist"]


@pytest.mark.parametrize("name", ["smoke", "default", "long"])
def test_every_bench_suite_resolves_its_manifold_run(name):
    # the long suite's stop rule reads the quick FID, which the manifold run turns off: it trains a fixed budget
    suite = suite_file.load_suite(name)
    extra = suite_file.manifold_suite(suite, "vae-dense", 0)
    assert extra["models"] == ["vae-dense"] and extra["eval"]["quick_fid"] is False
    assert suite_file.run_settings(extra, "vae-dense")["stop_tolerance"] == 0
    assert suite_file.run_settings(extra, "vae-dense")["epochs"] == suite["manifold"]["epochs"]


def test_the_command_line_flags_come_from_the_declaration():
    from benchmarks.__main__ import build_parser

    args = build_parser().parse_args(["run", "--suite", "smoke", "--epochs", "4", "--dtype", "float32",
                                      "--models", "gan-dense", "--seeds", "1", "2"])
    suite = suite_file.apply_cli(suite_file.load_suite("default"), args)
    assert (suite["epochs"], suite["dtype"], suite["models"], suite["seeds"]) == (4, "float32", ["gan-dense"], [1, 2])
    assert all("epochs" not in t for t in suite["overrides"].values())  # the flag holds for every model
    flagged = {n for n, s in settings.SUITE.items() if s.flag is not None}
    assert flagged == {"dataset", "models", "seeds", "epochs", "strategy", "dtype", "loop"}
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--suite", "smoke", "--dtype", "fp16"])  # choices from the declaration


def test_config_json_holds_every_run_setting():
    from benchmarks.training.run_config import resolve_config

    config = resolve_config(suite_file.load_suite("smoke", dtype="float32"), "gan-conv", 0, "test")
    assert set(config_file.config_types()) <= set(config)
    assert {n for n, s in settings.SUITE.items() if s.run} <= set(config)
    assert config["dataset"] == "mnist" and config["hyperparameters"]["z_dim"] == 96


def test_a_resumed_run_may_change_its_speed_but_not_its_result(tmp_path):
    from benchmarks.training.harness import Run
    from benchmarks.training.run_config import resolve_config

    suite = suite_file.load_suite("smoke", dtype="float32")
    config = resolve_config(suite, "vae-dense", 0, "test")
    files.write_json(tmp_path / "config.json", {**config, "environment": {}})
    faster = suite_file.changed(suite, steps_per_execution=8, strategy="mirrored", save_every_seconds=60)
    faster = resolve_config(faster, "vae-dense", 0, "elsewhere")
    Run(faster, tmp_path).check_config()  # speed only: the same run
    other = resolve_config(suite_file.changed(suite, batch_size=32), "vae-dense", 0, "test")
    with pytest.raises(UserError, match=r"another configuration \(differs in \['batch_size'\]\)"):
        Run(other, tmp_path).check_config()


def test_bad_values_name_the_key_and_the_choices():
    with pytest.raises(UserError, match=r"suite \[eval\]: iwae_k = 0 must be positive"):
        suite_file.validate({"epochs": 1, "eval": {"iwae_k": 0}})
    with pytest.raises(UserError, match=r"dataset = 'cifar'; valid: mnist, fashion-mnist"):
        suite_file.validate({"epochs": 1, "dataset": "cifar"})
    with pytest.raises(UserError, match=r"binarize = 1 must be a bool"):
        suite_file.validate({"epochs": 1, "binarize": 1})
    with pytest.raises(UserError, match=r"epochs = True must be a positive int"):
        suite_file.validate({"epochs": True})
    args = argparse.Namespace(epochs=0)
    with pytest.raises(UserError, match="epochs = 0 must be positive"):
        suite_file.apply_cli(suite_file.load_suite("smoke"), args)
