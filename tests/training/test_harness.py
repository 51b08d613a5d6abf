"""The training harness on real MNIST subsets: smoke end to end, resume, atomicity,
divergence, Ctrl-C and SIGTERM, configuration errors, the mirrored strategy and determinism."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest

from benchmarks import files, runs
from benchmarks.commands.run import parse_shard
from benchmarks.errors import Interrupted, UserError
from benchmarks.scoring.evaluators import for_suite
from benchmarks.suite_file import changed, load_suite, validate
from benchmarks.training.grid import run_grid

pytestmark = pytest.mark.mnist


def tiny_suite(**changes):
    """The smoke suite for one dense VAE, 3 epochs of 3 batches of 64 images, changed and validated."""
    base = {"models": ["vae-dense"], "epochs": 3, "train_images": 3 * 64, "eval_every_images": None,
            "eval": {"quick_fid": False, "samples": 50}}
    return load_suite("smoke", **{**base, **changes})


def history(out, model="vae-dense", seed=0):
    return pd.read_csv(runs.run_dir(out, model, seed) / "history.csv")


class Crash(keras.callbacks.Callback):
    """Raises at the start of the n-th epoch (fit call): a crash between epochs."""

    def __init__(self, n):
        super().__init__()
        self.n, self.calls = n, 0

    def on_train_begin(self, logs=None):
        self.calls += 1
        if self.calls == self.n:
            raise KeyboardInterrupt


def test_smoke_suite_end_to_end(tmp_path, mnist_dir):
    suite = load_suite("smoke")
    statuses = run_grid(suite, tmp_path, mnist_dir, evaluators=for_suite(suite, mnist_dir))
    assert set(statuses.values()) == {"finished"} and len(statuses) == 7
    for model in suite["models"]:
        folder = runs.run_dir(tmp_path, model, 0)
        h = pd.read_csv(folder / "history.csv")
        assert h["epoch"].tolist() == [1, 2] and h["images"].tolist() == [256, 256]  # whole passes
        assert {"train_seconds", "epoch_seconds", "images_per_sec"} <= set(h.columns)
        curve = pd.read_csv(folder / "curve.csv")  # every 128 images, from the untrained model on
        assert curve["images"].tolist() == [0, 128, 256, 384, 512]
        assert curve["epoch"].tolist() == [0, 0.5, 1, 1.5, 2] and curve["fid_quick"].gt(0).all()
        assert h["warmup_seconds"].iloc[0] > 0 and h["warmup_seconds"].iloc[1] == 0
        images = files.load_npz(folder / "samples.npz")["images"]
        assert images.shape == (500, 28, 28, 1) and images.dtype == np.float32
        assert 0 <= images.min() and images.max() <= 1
        assert sorted(p.name for p in (folder / "samples").iterdir()) == ["epoch-001.png", "epoch-002.png"]
        frames = sorted(p.name for p in (folder / "frames").iterdir())  # one per evaluation point
        assert frames == [f"images-{i:09d}.png" for i in (0, 128, 256, 384, 512)]
        steps = pd.read_csv(folder / "steps.csv")  # the smoke suite's epoch: 4 steps, so 4 rows (log_points 24)
        assert steps["images"].tolist() == [64 * i for i in range(1, 9)]
        for epoch in (1, 2):  # the rows of an epoch average to its history row
            rows = steps[(steps["images"] > 256 * (epoch - 1)) & (steps["images"] <= 256 * epoch)]
            for name in set(steps.columns) - {"images", "epoch", "train_seconds"}:
                assert rows[name].mean() == pytest.approx(h.loc[epoch - 1, name], rel=1e-5), (model, name)
        config = files.read_json(folder / "config.json")
        assert config["environment"]["tensorflow"] and config["model"] == model
        assert len(config["environment"]["commit"]) == 7 and isinstance(config["environment"]["dirty"], bool)


def test_a_per_model_batch_size_is_honoured(tmp_path, mnist_dir):
    suite = tiny_suite(epochs=1, overrides={"vae-dense": {"batch_size": 32}})  # the suite's is 64
    run_grid(suite, tmp_path, mnist_dir)
    assert history(tmp_path)["images"].tolist() == [3 * 64]  # one pass: 6 steps of 32
    config = files.read_json(runs.run_dir(tmp_path, "vae-dense", 0) / "config.json")
    assert config["batch_size"] == 32 and "batch_size" not in config["hyperparameters"]


def test_resume_continues_exactly(tmp_path, mnist_dir, capsys):
    suite = tiny_suite()
    with pytest.raises(KeyboardInterrupt):
        run_grid(suite, tmp_path / "a", mnist_dir, keras_callbacks=[Crash(2)])
    assert history(tmp_path / "a")["epoch"].tolist() == [1]
    capsys.readouterr()
    run_grid(suite, tmp_path / "a", mnist_dir)
    assert re.search(r"vae-dense seed 0: resumed at epoch 1 of 3 \(\d+\.\d min trained\) from its checkpoint",
                     capsys.readouterr().out)  # the user sees where it picked up
    run_grid(suite, tmp_path / "b", mnist_dir)  # uninterrupted
    resumed, straight = history(tmp_path / "a"), history(tmp_path / "b")
    assert resumed["epoch"].tolist() == [1, 2, 3]
    cols = ["loss", "reconstruction", "kl"]
    np.testing.assert_allclose(resumed[cols], straight[cols], rtol=1e-6)
    steps = [pd.read_csv(runs.run_dir(out, "vae-dense", 0) / "steps.csv") for out in (tmp_path / "a", tmp_path / "b")]
    assert steps[0]["images"].tolist() == steps[1]["images"].tolist() == [64 * i for i in range(1, 10)]  # once each
    np.testing.assert_allclose(steps[0][cols], steps[1][cols], rtol=1e-6)
    # a finished run is skipped, not retrained
    assert run_grid(suite, tmp_path / "a", mnist_dir) == {("vae-dense", 0): "finished"}
    assert history(tmp_path / "a")["epoch"].tolist() == [1, 2, 3]


def fake_fid(model_name):
    """An evaluator that costs nothing: its 'FID' is the (fractional) epoch it was called at."""
    return lambda model, epoch: {"fid_quick": float(epoch)}


def curve(out, model="vae-dense", seed=0):
    return pd.read_csv(runs.run_dir(out, model, seed) / "curve.csv")


def test_per_model_epochs_and_evaluation_interval(tmp_path, mnist_dir):
    # an epoch is one whole pass over train_images (3 batches of 64 = 192 images), and the
    # curve has a point at 0, at every eval_every_images, and at the end of the budget
    suite = tiny_suite(models=["vae-dense", "gan-dense"], epochs=2, eval_every_images=128,
                       overrides={"gan-dense": {"epochs": 1, "eval_every_images": 64}})
    run_grid(suite, tmp_path, mnist_dir, evaluators=[fake_fid])
    assert history(tmp_path)["images"].tolist() == [192, 192]
    assert history(tmp_path, "gan-dense")["images"].tolist() == [192]
    vae = curve(tmp_path)
    assert vae["images"].tolist() == [0, 128, 192, 256, 384]  # every 128 images and each epoch's end (192)
    assert vae["fid_quick"].tolist() == pytest.approx([0, 128 / 192, 1, 256 / 192, 2])
    assert curve(tmp_path, "gan-dense")["images"].tolist() == [0, 64, 128, 192]
    for model in suite["models"]:
        c, h = curve(tmp_path, model), history(tmp_path, model)
        assert c["train_seconds"].is_monotonic_increasing and c["train_seconds"].iloc[0] == 0
        # the last point is the end of training, timed before the pass's bookkeeping ends
        assert 0 <= h["train_seconds"].iloc[-1] - c["train_seconds"].iloc[-1] < 1.0
    config = files.read_json(runs.run_dir(tmp_path, "gan-dense", 0) / "config.json")
    assert (config["epochs"], config["eval_every_images"]) == (1, 64)


def scripted_fid(values):
    """An evaluator whose 'FID' after epoch e is values[e - 1] (and values[0] before training)."""
    return lambda model_name: lambda model, epoch: {"fid_quick": values[max(0, int(np.ceil(epoch)) - 1)]}


def test_the_stop_rule_ends_a_run_once_its_curve_is_flat_and_not_before(tmp_path, mnist_dir):
    # FID 100, 50, 30, then flat at 30: with a window of 2 epochs, after epoch 4 the window
    # (30, 30) improves on the best before (30) by 0% < 2%, but min_epochs = 5 waits one more
    stop = {"stop_tolerance": 0.02, "stop_window": 0.2, "stop_min_epochs": 5,
            "eval": {"quick_fid": True, "samples": 50}}  # the scripted evaluator stands in for the quick FID
    run_grid(tiny_suite(epochs=8, **stop), tmp_path / "flat", mnist_dir,
             evaluators=[scripted_fid([100, 50, 30, 30, 30, 30, 30, 30])])
    assert history(tmp_path / "flat")["epoch"].tolist() == [1, 2, 3, 4, 5]
    status = files.read_json(runs.run_dir(tmp_path / "flat", "vae-dense", 0) / "status.json")
    assert (status["status"], status["epoch"], status["converged"]) == ("finished", 5, True)
    # still falling by more than 2% a window: the whole cap, and the status says it did not converge
    run_grid(tiny_suite(epochs=6, **stop), tmp_path / "falling", mnist_dir,
             evaluators=[scripted_fid([100, 80, 64, 51, 41, 33])])
    assert len(history(tmp_path / "falling")) == 6
    assert files.read_json(runs.run_dir(tmp_path / "falling", "vae-dense", 0) / "status.json")["converged"] is False
    # the rule off (the default): no `converged` in the status, the whole budget
    run_grid(tiny_suite(epochs=6), tmp_path / "off", mnist_dir, evaluators=[scripted_fid([30] * 6)])
    assert len(history(tmp_path / "off")) == 6
    assert "converged" not in files.read_json(runs.run_dir(tmp_path / "off", "vae-dense", 0) / "status.json")


def test_a_vae_s_stop_rule_reads_its_validation_elbo_too(tmp_path, mnist_dir):
    # a tolerance of 99%: converged once the rule can judge (min_epochs = 3), if the ELBO is measured
    suite = tiny_suite(epochs=6, stop_tolerance=0.99, stop_min_epochs=3,
                       eval={"quick_fid": True, "quick_fid_samples": 100, "samples": 50})
    run_grid(suite, tmp_path, mnist_dir, evaluators=for_suite(suite, mnist_dir))
    c = curve(tmp_path)
    assert len(history(tmp_path)) == 3
    assert np.isfinite(c["val_elbo"]).all() and (c["val_elbo"] < 0).all()  # nats, on the validation images
    assert c["val_elbo"].iloc[-1] > c["val_elbo"].iloc[0]  # training raised it


def test_the_default_suite_gives_every_model_whole_epochs_and_at_least_6_points(tmp_path):
    from benchmarks.training.evaluation_points import evaluation_points
    from benchmarks.training.run_config import resolve_config

    suite = load_suite("default")
    assert suite["train_images"] == 50_000  # an epoch: one pass over all the training images
    for model in suite["models"]:
        config = resolve_config(suite, model, 0, "test")
        epoch_images = 50_000 // config["batch_size"] * config["batch_size"]  # whole batches
        points = evaluation_points(config, epoch_images)
        assert len(points) >= 6 and points[0] == 0 and points[-1] == config["epochs"] * epoch_images, model
        assert points == sorted(set(points)), model


def test_an_interval_of_many_epochs_keeps_to_its_multiples():
    from benchmarks.training.evaluation_points import evaluation_points

    # the Burda run: 60,000 images a pass, a point every 30 passes (1,800,000 images), 3,280 passes
    config = {"epochs": 3280, "eval_every_images": 1_800_000}
    points = evaluation_points(config, 60_000)
    assert points[:3] == [0, 1_800_000, 3_600_000] and points[-1] == 3280 * 60_000
    assert len(points) == 1 + 109 + 1  # 0, the 109 multiples of 30 passes below 3,280, and the end
    # an interval shorter than an epoch still adds each epoch's end
    assert evaluation_points({"epochs": 2, "eval_every_images": 128}, 192) == [0, 128, 192, 256, 384]


def test_evaluation_time_is_not_training_time():
    from benchmarks.training.callbacks import StepClock

    clock = StepClock(max_steps=4)
    clock.on_train_begin()
    clock.on_train_batch_end(0)
    with clock.paused():
        time.sleep(0.3)  # an evaluation inside the pass
    clock.on_train_batch_end(3)
    clock.on_train_end()
    assert clock.paused_seconds >= 0.3 and clock.seconds < 0.1
    assert clock.images_per_second(10) > 30 / 0.1  # 3 steps of 10 images in well under 0.1 s


class CrashAfterBatch(keras.callbacks.Callback):
    """Raises after the n-th fit call's `batch`-th batch: a crash inside an epoch, after the
    evaluation point that batch reached was written."""

    def __init__(self, n, batch):
        super().__init__()
        self.n, self.batch, self.calls = n, batch, 0

    def on_train_begin(self, logs=None):
        self.calls += 1

    def on_train_batch_end(self, batch, logs=None):
        if self.calls == self.n and batch == self.batch:
            raise KeyboardInterrupt


def test_a_crash_inside_an_epoch_resumes_the_curve_without_duplicates(tmp_path, mnist_dir):
    suite = tiny_suite(eval_every_images=64, steps_per_execution=1)
    with pytest.raises(KeyboardInterrupt):
        run_grid(suite, tmp_path / "a", mnist_dir, evaluators=[fake_fid], keras_callbacks=[CrashAfterBatch(2, 1)])
    assert curve(tmp_path / "a")["images"].tolist() == [0, 64, 128, 192, 256, 320]  # 256, 320: epoch 2
    steps = lambda out: pd.read_csv(runs.run_dir(out, "vae-dense", 0) / "steps.csv")
    assert steps(tmp_path / "a")["images"].tolist() == [64, 128, 192]  # the cut epoch's rows are not written
    run_grid(suite, tmp_path / "a", mnist_dir, evaluators=[fake_fid])
    run_grid(suite, tmp_path / "b", mnist_dir, evaluators=[fake_fid])  # uninterrupted
    resumed, straight = curve(tmp_path / "a"), curve(tmp_path / "b")
    assert resumed["images"].tolist() == straight["images"].tolist() == list(range(0, 3 * 192 + 1, 64))
    assert resumed["fid_quick"].tolist() == straight["fid_quick"].tolist()
    assert history(tmp_path / "a")["epoch"].tolist() == [1, 2, 3]
    assert steps(tmp_path / "a")["images"].tolist() == steps(tmp_path / "b")["images"].tolist() == \
        list(range(64, 3 * 192 + 1, 64))  # each row once
    np.testing.assert_allclose(steps(tmp_path / "a")["loss"], steps(tmp_path / "b")["loss"], rtol=1e-6)


class BatchEnds(keras.callbacks.Callback):
    """Counts the batch ends that reach it (it comes after the signal sender) in the n-th fit call."""

    def __init__(self, n):
        super().__init__()
        self.n, self.calls, self.seen = n, 0, 0

    def on_train_begin(self, logs=None):
        self.calls += 1

    def on_train_batch_end(self, batch, logs=None):
        self.seen += self.calls == self.n


class SignalAfterBatch(CrashAfterBatch):
    """Sends this process `signum` (`times` times) after the n-th fit call's `batch`-th batch,
    and counts the batches trained after that one."""

    def __init__(self, n, batch, signum, times=1):
        super().__init__(n, batch)
        self.signum, self.times, self.later = signum, times, 0

    def on_train_batch_end(self, batch, logs=None):
        if self.calls == self.n and batch == self.batch:
            for _ in range(self.times):
                os.kill(os.getpid(), self.signum)
        elif self.calls == self.n and batch > self.batch:
            self.later += 1


@pytest.fixture
def as_in_a_terminal():
    """SIGINT and SIGTERM handled as the command line in a terminal handles them (both raise
    KeyboardInterrupt), whatever this process inherited (a background job ignores SIGINT);
    restored after."""
    from benchmarks.__main__ import _terminated

    handlers = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: _terminated}
    previous = {s: signal.signal(s, h) for s, h in handlers.items()}
    yield handlers
    for s, h in previous.items():
        signal.signal(s, h)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_inside_a_pass_stops_at_the_next_step(signum, as_in_a_terminal, tmp_path, mnist_dir):
    suite = tiny_suite(steps_per_execution=1)  # 3 steps a pass
    sender, after = SignalAfterBatch(2, 0, signum), BatchEnds(2)
    with pytest.raises(Interrupted) as raised:
        run_grid(suite, tmp_path, mnist_dir, keras_callbacks=[sender, after])
    assert after.seen == 1  # the step's callbacks all ran: nothing was cut inside it
    assert sender.later == 0  # fit stopped after the step the signal came in
    assert raised.value.saved == f"{runs.run_dir(tmp_path, 'vae-dense', 0)} at epoch 1"  # for the one-line message
    assert history(tmp_path)["epoch"].tolist() == [1]  # the pass cut short is not recorded
    assert {s: signal.getsignal(s) for s in as_in_a_terminal} == as_in_a_terminal  # the handlers are restored
    run_grid(suite, tmp_path, mnist_dir)
    assert history(tmp_path)["epoch"].tolist() == [1, 2, 3]


def test_a_second_ctrl_c_stops_at_once(as_in_a_terminal, tmp_path, mnist_dir):
    sender, after = SignalAfterBatch(2, 0, signal.SIGINT, times=2), BatchEnds(2)
    with pytest.raises(Interrupted) as raised:
        run_grid(tiny_suite(steps_per_execution=1), tmp_path, mnist_dir, keras_callbacks=[sender, after])
    assert after.seen == 0  # the second signal stopped the step's callbacks where they were
    assert raised.value.saved.endswith("at epoch 1")
    assert history(tmp_path)["epoch"].tolist() == [1]
    assert {s: signal.getsignal(s) for s in as_in_a_terminal} == as_in_a_terminal


def test_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "x.json"
    files.write_json(path, {"a": 1})

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(UserError, match=r"cannot write .*x.json \(disk full\); check the folder"):
        files.write_json(path, {"a": 2})
    assert files.read_json(path) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # the temporary file is gone


class Poison(keras.callbacks.Callback):
    """Sets every weight to NaN during the second epoch."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def on_train_begin(self, logs=None):
        self.calls += 1

    def on_train_batch_end(self, batch, logs=None):
        if self.calls == 2:
            for v in self.model.trainable_variables:
                v.assign(np.full(v.shape, np.nan, np.float32))


def test_divergence_marks_the_run_and_the_suite_goes_on(tmp_path, mnist_dir):
    suite = tiny_suite(seeds=[0, 1])
    poison = Poison()
    statuses = run_grid(suite, tmp_path, mnist_dir, keras_callbacks=[poison], shard=(0, 2))
    assert statuses == {("vae-dense", 0): "diverged"}
    status = files.read_json(runs.run_dir(tmp_path, "vae-dense", 0) / "status.json")
    assert status["status"] == "diverged" and status["epoch"] == 2
    assert run_grid(suite, tmp_path, mnist_dir, shard=(1, 2)) == {("vae-dense", 1): "finished"}


@pytest.mark.parametrize("raw, message", [
    ({"epochs": 1, "colour": "red"}, "unknown key 'colour'; valid keys: description, dataset, models"),
    ({"epochs": 1, "dataset": "cifar"}, "dataset = 'cifar'; valid: mnist, fashion-mnist"),
    ({"epochs": "ten"}, "epochs = 'ten' must be a positive int"),
    ({"epochs": 1, "models": ["vae"]}, "unknown model 'vae'; valid: vae-dense"),
    ({"epochs": 1, "minutes": 2}, "minutes is retired; budgets are whole epochs now"),
    ({"epochs": 1, "steps_per_epoch": 20}, "steps_per_epoch is retired; an epoch is one pass"),
    ({"models": ["vae-dense"]}, "set the budget, epochs = N"),
    ({"epochs": 1, "eval_every_images": 0}, "eval_every_images = 0 must be positive"),
    ({"epochs": 1, "overrides": {"gan-conv": {"epochs": 0}}}, r"\[overrides.gan-conv\]: epochs = 0 must be positive"),
    ({"epochs": 1, "strategy": "tpu"}, "strategy = 'tpu'; valid: default, mirrored"),
    ({"epochs": 1, "eval": {"fid": True}}, r"\[eval\]: unknown key 'fid'"),
    ({"epochs": 1, "overrides": {"gan-dense": {"depth": 2}}}, r"\[overrides.gan-dense\]: unknown key 'depth'"),
    ({"epochs": 1, "overrides": {"gan-dense": {"batch_size": 0}}}, r"batch_size = 0 must be positive"),
    ({"epochs": 1, "overrides": {"gan-dense": {"batch_size": "64"}}}, r"batch_size = '64' must be a positive int"),
    ({"epochs": 1, "dtype": "fp16"}, r"dtype = 'fp16'; valid: auto, float32, mixed_bfloat16"),
    ({"epochs": 1, "overrides": {"gan-conv": {"dtype": "half"}}}, r"\[overrides.gan-conv\]: dtype = 'half'"),
    ({"epochs": 1, "precision": "float32"}, "precision is retired; the training dtype policy is now `dtype`"),
    ({"epochs": 1, "models": []}, "models is empty"),
    ({"epochs": 1, "stop_tolerance": 1.5}, r"stop_tolerance = 1.5 must be in \[0, 1\)"),
    ({"epochs": 1, "stop_tolerance": 0.02, "eval": {"quick_fid": False}}, "stop rule .* reads the quick FID"),
    ({"epochs": 1, "stop_tolerance": 0.02, "eval_every_images": 100_000}, "needs an evaluation at every epoch"),
    ({"epochs": 1, "train_images": 60_001}, r"train_images = 60001 must be in 1..60000"),
    ({"epochs": 1, "train_images": 100, "batch_size": 128},
     r"vae-dense's batch_size = 128 exceeds its train_images = 100, so an epoch holds no whole batch; lower"),
    # a model's own settings are checked by value too, against their types and ranges
    ({"epochs": 1, "overrides": {"diffusion": {"clip_norm": -1}}},
     r"\[overrides.diffusion\]: clip_norm = -1 must be at least 0"),
    ({"epochs": 1, "overrides": {"gan-goodfellow": {"input_keep": 0}}}, r"input_keep = 0 must be in \(0, 1\]"),
    ({"epochs": 1, "overrides": {"flow-matching": {"ema_decay": 1.0}}}, r"ema_decay = 1.0 must be in \[0, 1\)"),
    ({"epochs": 1, "overrides": {"vae-dense": {"learning_rate": "fast"}}}, "learning_rate = 'fast' must be a number"),
    ({"epochs": 1, "overrides": {"diffusion": {"sample_steps": 2.5}}}, "sample_steps = 2.5 must be an int"),
    ({"epochs": 1, "overrides": {"flow-matching": {"widths": [32, 0]}}},
     r"widths = \[32, 0\] must be a non-empty list of positive ints"),
    ({"epochs": 1, "overrides": {"diffusion": {"schedule": "cos"}}}, "schedule = 'cos'; valid: linear, cosine"),
    # the loss is the model's identity (its registry entry), not a setting: gan-dense-minimax is the variant
    ({"epochs": 1, "overrides": {"gan-dense": {"generator_loss": "minimax"}}}, "unknown key 'generator_loss'"),
])
def test_configuration_errors_are_one_line(raw, message):
    with pytest.raises(UserError, match=message):
        validate(raw)


def test_model_settings_at_the_ends_of_their_ranges_are_accepted():
    # 0 turns clipping and EMA off; an int is a number; keep 1 is no dropout
    suite = validate({"epochs": 1, "models": ["diffusion", "gan-goodfellow"], "overrides": {
        "diffusion": {"clip_norm": 0, "ema_decay": 0, "learning_rate": 1, "widths": [16]},
        "gan-goodfellow": {"input_keep": 1, "decay": 1, "g_hidden": [8, 8]}}})
    assert suite["overrides"]["diffusion"]["clip_norm"] == 0


def test_cli_configuration_error_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('epochs = 1\nbatchsize = 64\n')
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "run", "--suite", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]  # one line, nothing else
    assert "unknown key 'batchsize'" in proc.stderr
    assert parse_shard("1/3") == (1, 3)
    with pytest.raises(UserError, match="i/n"):
        parse_shard("3")


TIMING = ("train_seconds", "epoch_seconds", "warmup_seconds", "images_per_sec", "ended_at")


def test_the_same_seed_gives_the_same_history_without_the_determinism_flag(tmp_path, mnist_dir):
    # the guard behind `deterministic = false`: TensorFlow on the CPU repeats itself bit for bit
    suite = tiny_suite(models=["gan-dense", "gan-conv", "vae-conv"], epochs=2, train_images=128)
    assert suite["deterministic"] is False
    run_grid(suite, tmp_path / "a", mnist_dir)
    run_grid(suite, tmp_path / "b", mnist_dir)
    for model in suite["models"]:
        a, b = history(tmp_path / "a", model), history(tmp_path / "b", model)
        assert a.drop(columns=list(TIMING)).to_csv() == b.drop(columns=list(TIMING)).to_csv(), model
        samples = [files.load_npz(runs.run_dir(out, model, 0) / "samples.npz")["images"] for out in (tmp_path / "a",
                                                                                                    tmp_path / "b")]
        np.testing.assert_array_equal(*samples)


def test_a_bf16_run_is_finite_keeps_float32_state_and_refuses_a_dtype_change(tmp_path, mnist_dir):
    suite = tiny_suite(models=["gan-conv", "vae-dense"], epochs=2, dtype="mixed_bfloat16")
    assert set(run_grid(suite, tmp_path, mnist_dir).values()) == {"finished"}
    for model in suite["models"]:
        folder = runs.run_dir(tmp_path, model, 0)
        assert files.read_json(folder / "config.json")["dtype"] == "mixed_bfloat16"
        h = history(tmp_path, model)
        assert np.isfinite(h.drop(columns=["images_per_sec"]).to_numpy(float)).all()
        samples = files.load_npz(folder / "samples.npz")["images"]
        assert samples.dtype == np.float32 and np.isfinite(samples).all()
        state = files.load_npz(folder / "checkpoint" / "state.npz")
        floats = {a.dtype for k, a in state.items() if k.startswith("state/") and a.dtype.kind == "f"}
        assert floats == {np.dtype(np.float32)}  # weights, BN statistics and Adam slots
        loaded = runs.load_model(folder)  # what `score` evaluates: float32 compute
        net = loaded.generator if hasattr(loaded, "generator") else loaded.decoder
        assert {layer.compute_dtype for layer in net.layers} == {"float32"}
    with pytest.raises(UserError, match=r"another configuration \(differs in \['dtype'\]\)"):
        run_grid(changed(suite, dtype="float32"), tmp_path, mnist_dir)


def test_an_auto_run_resumed_on_a_node_whose_probe_differs_goes_on_in_its_first_precision(
        tmp_path, mnist_dir, monkeypatch):
    from benchmarks import precision

    suite = tiny_suite(epochs=2, dtype="auto")
    monkeypatch.setattr(precision, "resolve", lambda setting: "float32" if setting == "auto" else setting)
    with pytest.raises(KeyboardInterrupt):
        run_grid(suite, tmp_path, mnist_dir, keras_callbacks=[Crash(2)])  # preempted after epoch 1
    # the other node's probe would choose bf16
    monkeypatch.setattr(precision, "resolve", lambda setting: "mixed_bfloat16" if setting == "auto" else setting)
    assert run_grid(suite, tmp_path, mnist_dir) == {("vae-dense", 0): "finished"}
    config = files.read_json(runs.run_dir(tmp_path, "vae-dense", 0) / "config.json")
    assert (config["dtype_setting"], config["dtype"]) == ("auto", "float32")  # the setting and what it resolved to
    assert history(tmp_path)["epoch"].tolist() == [1, 2]


def test_a_suite_that_names_no_dtype_trains_in_float32_wherever_auto_would_choose_bf16(
        tmp_path, mnist_dir, monkeypatch):
    # Under load the probe once answered "bfloat16 is faster" in one of two shard processes on a
    # CPU where it is 0.6x: a suite's result must not hang on the machine or its load.
    from benchmarks import precision

    fast = {"gpus": [], "cpu_flags": ["avx512_bf16"], "probe_gflops": {"float32": 100.0, "bfloat16": 400.0}}
    monkeypatch.setattr(precision, "probe", lambda: fast)
    assert precision.resolve("auto") == "mixed_bfloat16"  # what `auto` would choose here
    suite = tiny_suite(epochs=1)
    assert run_grid(suite, tmp_path, mnist_dir) == {("vae-dense", 0): "finished"}
    config = files.read_json(runs.run_dir(tmp_path, "vae-dense", 0) / "config.json")
    assert (config["dtype_setting"], config["dtype"]) == ("float32", "float32")


def test_a_run_resumed_at_another_commit_names_every_sitting_s_commit(tmp_path, mnist_dir, monkeypatch):
    from benchmarks import provenance
    from benchmarks.reporting.text.findings import made_by

    suite = tiny_suite(epochs=2)
    monkeypatch.setattr(provenance, "commit", lambda: {"commit": "aaaaaaa", "dirty": False})
    with pytest.raises(KeyboardInterrupt):
        run_grid(suite, tmp_path, mnist_dir, keras_callbacks=[Crash(2)])  # stopped after epoch 1
    monkeypatch.setattr(provenance, "commit", lambda: {"commit": "bbbbbbb", "dirty": True})
    assert run_grid(suite, tmp_path, mnist_dir) == {("vae-dense", 0): "finished"}
    config = files.read_json(runs.run_dir(tmp_path, "vae-dense", 0) / "config.json")
    assert [(s["sitting"], s["commit"], s["dirty"]) for s in config["sittings"]] == [
        (1, "aaaaaaa", False), (2, "bbbbbbb", True)]
    assert config["environment"]["commit"] == "bbbbbbb"  # the latest sitting's machine and code
    line = made_by([config])
    assert "commit aaaaaaa" in line and "commit bbbbbbb with uncommitted changes" in line and "several" in line



def test_each_epoch_line_gives_the_grids_time_left_counting_a_finished_run_as_done(tmp_path, mnist_dir, capsys):
    suite = tiny_suite(epochs=2, seeds=[0, 1, 2])
    run_grid(changed(suite, seeds=[1]), tmp_path, mnist_dir)  # seed 1 is finished before the grid starts
    capsys.readouterr()
    run_grid(suite, tmp_path, mnist_dir)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[")]
    assert [line.split(" epoch")[0] for line in lines] == ["[1/3] vae-dense seed 0", "[1/3] vae-dense seed 0",
                                                         "[3/3] vae-dense seed 2", "[3/3] vae-dense seed 2"]
    left = [re.search(r"grid about (\d\d):(\d\d):(\d\d) left", line) for line in lines]
    # after seed 0's first epoch: 3 epochs to go (seed 1 done); the grid's last epoch line has none
    assert all(left[:3]) and left[3] is None
    seconds = [int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in (g.groups() for g in left[:3])]
    assert seconds[0] >= seconds[1] >= seconds[2]


def test_time_left_counts_every_epoch_since_the_last_save_and_a_resumed_runs_earlier_epochs(monkeypatch, capsys):
    # Under save_every_seconds the harness reports at saves only, several epochs apart; a resumed
    # run's earlier epochs are done. The paper run once said "grid about 06:33:07 left" with 1.5 h
    # to go: it counted one epoch per save and none of the 2,348 trained in earlier sittings.
    import types

    from benchmarks.training.console import Progress

    now = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    config = {"model": "m", "seed": 0, "epochs": 10, "train_images": 100, "batch_size": 50}
    progress = Progress(2)
    progress.set_model(types.SimpleNamespace(metrics=[]))
    progress.plan([config, config])  # 2 runs x 10 epochs x 100 images

    def save(epoch, at):
        now[0] = at
        progress.on_epoch_end(epoch - 1, {"epoch": epoch, "images": 100, "epoch_seconds": 10.0, "images_per_sec": 10.0})
        return capsys.readouterr().out

    progress.start(config)
    progress.on_train_begin({"epoch": 4, "images": 400})  # resumed after 4 epochs
    # 3 epochs in 30 s, 10 s each: this run needs 3 more (30 s); the grid 3 + 10 (130 s)
    assert "run done in 00:00:30; grid about 00:02:10 left" in save(7, 30.0)
    assert "run done in 00:00:00; grid about 00:01:40 left" in save(10, 60.0)  # 10 epochs to go, 10 s each
    progress.done_runs += 1
    progress.run_ended(config)
    progress.start({**config, "seed": 1})
    progress.on_train_begin({"epoch": 0, "images": 0})
    # 1,100 images in 110 s: 10 images/s; 5 epochs of 100 images left, in this run and the grid
    assert "[2/2] m seed 1 epoch 5/10  10 img/s, run done in 00:00:50; grid about 00:00:50 left" in save(5, 110.0)


MIRRORED = """
import sys, numpy as np, tensorflow as tf, keras
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from benchmarks.training.run_config import make_strategy
import models
x = (np.random.default_rng(0).random((128, 28, 28, 1)) > 0.7).astype("float32")
deltas = {}
for name in ("default", "mirrored"):
    strategy = make_strategy(name)
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = models.build("vae-dense", seed=0)
        model.compile(optimizer=keras.optimizers.SGD(1e-3))
    before = [v.numpy().copy() for v in model.trainable_variables]
    model.fit(tf.data.Dataset.from_tensors(x), epochs=1, verbose=0, shuffle=False)
    deltas[name] = np.concatenate([(v.numpy() - b).ravel() for v, b in zip(model.trainable_variables, before)])
    print(name, strategy.num_replicas_in_sync)
d, m = deltas["default"], deltas["mirrored"]
print("relative", np.linalg.norm(d - m) / np.linalg.norm(d))
"""


def test_mirrored_strategy_on_two_logical_cpus():
    proc = subprocess.run([sys.executable, "-c", MIRRORED], capture_output=True, text=True,
                          cwd=Path(__file__).parents[2])
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in proc.stdout.strip().splitlines())
    assert lines["mirrored"] == "2"
    # the same SGD step up to each replica's own noise draws (measured: 0.22); a missing
    # 1/replicas loss scale doubles the step, which gives a relative difference of 1.0 or more
    assert float(lines["relative"]) < 0.5


def test_tensorboard_writes_events_or_names_the_missing_package(tmp_path, mnist_dir):
    suite = tiny_suite(epochs=1)
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        with pytest.raises(UserError, match="--tensorboard needs the tensorboard package"):
            run_grid(suite, tmp_path, mnist_dir, tensorboard=True)
        return
    run_grid(suite, tmp_path, mnist_dir, tensorboard=True)
    assert list((runs.run_dir(tmp_path, "vae-dense", 0) / "tensorboard").glob("events.out.tfevents.*"))
