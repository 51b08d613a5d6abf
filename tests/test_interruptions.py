"""Runs stopped or crowded part-way: two shards or two processes on one folder, kill -9 at a
checkpoint, in scoring and in the report, Ctrl-C, a full disk and a read-only folder. Each
ends as the uninterrupted run would, or as one line naming the cause and the fix. They start
from the fault tests' store (tests/conftest.py), and sit in a file of their own so that
pytest-xdist runs them beside tests/test_faults.py."""

import errno
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from benchmarks import runs
from benchmarks.__main__ import main
from tests.test_faults import one_line

pytestmark = pytest.mark.mnist


@pytest.fixture
def store(fault_store):
    """(suite file, the finished store the interrupted runs are compared against)."""
    return fault_store


# --- two writers on one folder ----------------------------------------------------------------

def test_two_shards_at_once_on_one_folder_equal_the_unsharded_run(store, tmp_path, mnist_dir):
    from tests.kill_anywhere import compare, environment

    suite, reference = store
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "benchmarks", "run", "--suite", str(suite), "--out", str(out),
           "--data-dir", str(mnist_dir)]
    shards = [subprocess.Popen([*cmd, "--shard", f"{i}/2"], env=environment(0), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True) for i in range(2)]
    logs = [p.communicate()[0] for p in shards]
    assert [p.returncode for p in shards] == [0, 0], logs
    assert "vae-dense seed 0: finished" in logs[0] and "gan-dense seed 0: finished" in logs[1]
    assert main(["score", str(out), "--data-dir", str(mnist_dir)]) == 0
    assert main(["report", str(out), "--data-dir", str(mnist_dir)]) == 0
    assert compare(reference, out) == []


def test_two_unsharded_processes_on_one_folder_train_each_run_once(store, tmp_path, mnist_dir):
    from tests.kill_anywhere import compare, environment

    suite, reference = store
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "benchmarks", "run", "--suite", str(suite), "--out", str(out),
           "--data-dir", str(mnist_dir)]
    both = [subprocess.Popen(cmd, env=environment(0), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(2)]
    logs = "".join(p.communicate()[0] for p in both)
    assert [p.returncode for p in both] == [0, 0], logs
    for model in ("vae-dense", "gan-dense"):  # trained by one, skipped (busy or finished) by the other
        assert logs.count(f"{model} seed 0: finished") == 1, logs
    assert main(["score", str(out), "--data-dir", str(mnist_dir)]) == 0
    assert main(["report", str(out), "--data-dir", str(mnist_dir)]) == 0
    assert compare(reference, out) == []


# --- kill -9, Ctrl-C, full disk -----------------------------------------------------------------

def test_killed_three_times_then_resumed_equals_the_uninterrupted_run(store, tmp_path, mnist_dir):
    from tests.kill_anywhere import kill_anywhere

    suite, reference = store
    py, data = [sys.executable, "-m", "benchmarks"], ["--data-dir", str(mnist_dir)]
    commands = [[*py, "run", "--suite", str(suite), "--out", "{out}", *data], [*py, "score", "{out}", *data],
                [*py, "report", "{out}", *data]]
    result = kill_anywhere(commands, ["checkpoint", "scoring", "report"], reference, tmp_path / "out",
                           lengths={"checkpoint": 0.05, "scoring": 3.0, "report": 3.0})
    assert [k["hit"] for k in result["kills"]] == ["checkpoint", "scoring", "report"], result
    assert result["problems"] == []


def test_ctrl_c_is_one_line_naming_what_is_saved_and_the_resume_command(store, tmp_path, mnist_dir):
    from tests.kill_anywhere import environment

    suite, _ = store
    slow = tmp_path / "slow.toml"
    slow.write_text(suite.read_text().replace("epochs = 2", "epochs = 200"))
    cmd = [sys.executable, "-m", "benchmarks", "run", "--suite", str(slow), "--out", str(tmp_path / "out"),
           "--data-dir", str(mnist_dir), "--models", "gan-dense"]
    # a shell without job control starts background jobs with SIGINT ignored, which children
    # inherit: give the command SIGINT's default disposition, as in a terminal
    # PYTHONFAULTHANDLER: should it crash instead (CI saw one segfault here), stderr shows where
    proc = subprocess.Popen(cmd, env={**environment(0), "PYTHONFAULTHANDLER": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in proc.stdout:
        if "epoch 3/200" in line:
            proc.send_signal(signal.SIGINT)
            break
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130 and "Traceback" not in err, err
    ours = [line for line in err.splitlines() if line.startswith(("interrupted", "error"))]
    assert len(ours) == 1, err
    assert re.match(r"interrupted \(last saved: .*gan-dense/seed-0 at epoch \d+; every finished run and each "
                    r"run's last epoch are kept\); resume with: python -m benchmarks run --suite .*slow.toml "
                    r"--out .* --models gan-dense$", ours[0]), ours[0]
    history = pd.read_csv(runs.run_dir(tmp_path / "out", "gan-dense", 0) / "history.csv")
    assert len(history) >= 3 and history["epoch"].tolist() == list(range(1, len(history) + 1))


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB file system (tmpfs) where this machine allows mounting one, else None."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode:
        yield None
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_line_and_keeps_what_was_written(small_disk, store, tmp_path, mnist_dir, capsys,
                                                            monkeypatch):
    suite, _ = store
    if small_disk is None:  # no tmpfs here: every write of a checkpoint fails as on a full disk
        small_disk = tmp_path / "disk"
        real_fsync = os.fsync

        def full(fd):
            if "state.npz" in os.readlink(f"/proc/self/fd/{fd}"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", full)
    out = small_disk / "out"
    code = main(["run", "--suite", str(suite), "--out", str(out), "--data-dir", str(mnist_dir), "--models",
                 "vae-dense"])  # its checkpoint (about 4 MB) does not fit
    one_line(capsys, code, r"cannot write .*out/runs/vae-dense/seed-0/checkpoint/state.npz \(No space left on "
                           r"device\); free some space or choose another --out")
    folder = runs.run_dir(out, "vae-dense", 0)
    assert runs.read_config(folder)["model"] == "vae-dense"  # written before, intact
    assert runs.read_history(folder)["epoch"].tolist() == [1]
    assert not list(out.rglob("*.tmp"))


def test_a_read_only_output_folder_is_one_line(store, tmp_path, mnist_dir, capsys):
    suite, _ = store
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("this machine does not allow mounting a read-only tmpfs")
    try:
        code = main(["run", "--suite", str(suite), "--out", str(mount / "out"), "--data-dir", str(mnist_dir)])
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
    one_line(capsys, code, r"cannot write .*ro/out/runs/vae-dense/seed-0/.lock \(Read-only file system\); the "
                           "folder is read-only: make it writable or choose another --out")


@pytest.mark.slow
def test_kill_anywhere_20_times_on_the_smoke_bench(tmp_path, mnist_dir):
    """The full script (about 10 minutes): `pytest -m slow tests/test_faults.py`."""
    script = Path(__file__).parent / "kill_anywhere.py"
    proc = subprocess.run([sys.executable, str(script), "--kills", "20", "--work", str(tmp_path / "work"),
                           "--data-dir", str(mnist_dir)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("20 kills; PASS"), proc.stdout + proc.stderr
