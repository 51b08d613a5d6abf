"""What a user sees: a quiet console by default, TensorFlow's own lines with --verbose, the
`genbench` script's --version."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.mnist


def command(*args, env=None):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"} | (env or {})
    return subprocess.run([sys.executable, "-m", "benchmarks", *args], capture_output=True, text=True, env=env)


def test_a_command_prints_no_tensorflow_log_lines_unless_verbose(mnist_dir):
    quiet = command("data", "--data-dir", str(mnist_dir))
    assert quiet.returncode == 0 and "MNIST loaded from" in quiet.stdout
    assert quiet.stderr == "", quiet.stderr  # no oneDNN, CUDA or absl lines on a CPU machine
    loud = command("--verbose", "data", "--data-dir", str(mnist_dir))
    assert loud.returncode == 0 and "I0000" in loud.stderr or "oneDNN" in loud.stderr


def test_version():
    done = command("--version")
    assert done.returncode == 0 and done.stdout.startswith("genbench ")


@pytest.mark.parametrize("name", ["run", "bench", "reproduce"])
def test_a_dry_run_prints_the_grid_and_its_budgets_and_trains_nothing(name, tmp_path, capsys):
    from benchmarks.__main__ import main

    out = tmp_path / "out"
    assert main([name, "--suite", "smoke", "--out", str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "7 runs, nothing trained" in text and not out.exists()
    # the smoke suite: 2 epochs of 256 images (4 batches of 64) per run
    assert "vae-dense seed 0: 2 epoch(s) x 256 images = 512 images, batch 64" in text
    assert "in all 3,584 training images" in text


def test_a_dry_run_of_the_long_suite_gives_each_run_its_cap(tmp_path, capsys):
    from benchmarks.__main__ import main

    assert main(["run", "--suite", "long", "--out", str(tmp_path / "out"), "--dry-run"]) == 0
    text = capsys.readouterr().out
    # 50,000 images in batches of 128: 390 batches, 49,920 images an epoch; vae-dense's cap is 100 epochs
    assert "vae-dense seed 0: at most 100 epoch(s) (the stop rule may end it from epoch 10) x 49,920 images" in text
    assert "21 runs, nothing trained" in text and "; at most about" in text


@pytest.mark.parametrize("name", ["data", "run", "perf", "feature-net", "score", "report", "sample", "status",
                                  "lecture", "bench", "reproduce", "compare"])
def test_every_command_help_shows_an_example(name, capsys):
    from benchmarks.__main__ import main

    with pytest.raises(SystemExit):
        main([name, "--help"])
    assert "example: python -m benchmarks " + name in capsys.readouterr().out.replace("\n", " ")


def test_counting_a_step_s_flops_prints_no_tensorflow_warning():
    # perf counts FLOPs with TensorFlow's TF1 graph profiler, which warned about a deprecated
    # function it calls, once per process: a fresh process shows whether it still does
    code = ("import numpy as np, models\n"
            "from benchmarks.data.pipeline import EpochData\n"
            "from benchmarks.training.perf import step_flops\n"
            "model = models.build('vae-dense')\n"
            "data = EpochData(np.zeros((8, 28, 28), 'uint8'), 'vae', 4, 0, binarize=True)\n"
            "print(step_flops(model, next(iter(data.epoch(0, noise=model.training_noise)))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"} | {
                              "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0 and int(done.stdout.split()[-1]) > 0, done.stderr
    assert "deprecated" not in done.stderr and "WARNING:tensorflow" not in done.stderr, done.stderr
