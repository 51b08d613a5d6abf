"""`status`: every state a run of a grid can be in, the images done and the time left, read
without writing anything or taking a lock."""

import fcntl
import os
import re
import socket

import pytest

from benchmarks import runs
from benchmarks.__main__ import main

SUITE = ('models = ["vae-dense", "gan-dense"]\nseeds = [0, 1, 2]\nepochs = 2\ntrain_images = 128\nbatch_size = 64\n'
         'grid_samples = 4\ndtype = "float32"\n[eval]\nquick_fid = false\nsamples = 50\n')


def snapshot(folder):
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*")}


@pytest.mark.mnist
def test_status_shows_each_state_the_images_done_and_the_time_left(tmp_path, mnist_dir, capsys):
    suite, out = tmp_path / "grid.toml", tmp_path / "out"
    suite.write_text(SUITE)
    # vae-dense seed 0 finished; gan-dense seed 0 finished; the rest not started
    assert main(["run", "--suite", str(suite), "--out", str(out), "--seeds", "0", "--data-dir", str(mnist_dir)]) == 0
    # vae-dense seed 1: unfinished after epoch 1 (a copy of seed 0's folder cut back to its first epoch)
    one = runs.run_dir(out, "vae-dense", 1)
    one.mkdir(parents=True)
    config = (runs.run_dir(out, "vae-dense", 0) / "config.json").read_text().replace('"seed": 0', '"seed": 1')
    (one / "config.json").write_text(config)
    history = (runs.run_dir(out, "vae-dense", 0) / "history.csv").read_text().splitlines()
    (one / "history.csv").write_text("\n".join(history[:2]) + "\n")
    # gan-dense seed 1: damaged; gan-dense seed 2: running (this process holds its lock)
    bad = runs.run_dir(out, "gan-dense", 1)
    bad.mkdir(parents=True)
    (bad / "config.json").write_text("{not json")
    busy = runs.run_dir(out, "gan-dense", 2)
    busy.mkdir(parents=True)
    fd = os.open(busy / runs.LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, f"process {os.getpid()} on {socket.gethostname()}\n".encode())
    before = snapshot(out)
    capsys.readouterr()
    try:
        assert main(["status", str(out), "--suite", str(suite)]) == 0
    finally:
        os.close(fd)
    text = capsys.readouterr().out
    assert snapshot(out) == before  # it wrote nothing, not even a lock file
    lines = {tuple(line.split()[:2]): line for line in text.splitlines()[2:] if line.split()[:1] != ["images"]}
    assert "finished" in lines[("vae-dense", "0")] and "finished" in lines[("gan-dense", "0")]
    assert "unfinished at epoch 1 of 2" in lines[("vae-dense", "1")]
    assert "not started" in lines[("vae-dense", "2")]
    assert re.search(r"damaged: .*config\.json.*; delete", lines[("gan-dense", "1")])
    assert f"running (process {os.getpid()} on {socket.gethostname()})" in lines[("gan-dense", "2")]
    # images: 2 finished runs x 2 epochs x 128, and 1 epoch of the unfinished one, of 6 runs x 256
    assert re.search(r"images trained: 640 of 1,536 \(42%\); time left: about 0 h 00 min", text), text


def test_status_without_suite_lists_the_grid_of_the_suite_its_runs_record(tmp_path, capsys):
    def folder_of(suite, runs_):
        out = tmp_path / suite
        for model, seed in runs_:
            folder = runs.run_dir(out, model, seed)
            folder.mkdir(parents=True)
            (folder / "config.json").write_text(f'{{"suite": "{suite}", "model": "{model}", "seed": {seed}}}')
        return out

    def listed(out):
        assert main(["status", str(out)]) == 0
        lines = capsys.readouterr().out.splitlines()
        return lines[0], [tuple(line.split()[:2]) for line in lines[2:]
                          if not line.startswith(("images trained", "no runs planned"))]

    # results/paper: the paper suite's grid (vae-burda, gan-conv and gan-goodfellow, seed 0), not the default's 21 runs
    head, rows = listed(folder_of("paper", [("vae-burda", 0)]))
    assert "(suite paper, as its runs record)" in head
    assert rows == [("vae-burda", "0"), ("gan-conv", "0"), ("gan-goodfellow", "0")]
    # a suite file not at hand: the runs found, and how to list the rest
    head, rows = listed(folder_of("mine", [("vae-dense", 3)]))
    assert "(suite mine, as its runs record; its file is not at hand (give --suite PATH" in head
    assert rows == [("vae-dense", "3")]
    # no runs yet: the default suite's grid, 5 models x 3 seeds
    head, rows = listed(tmp_path / "empty")
    assert "(suite default)" in head and len(rows) == 21
    # --suite still decides
    assert main(["status", str(tmp_path / "paper"), "--suite", "smoke"]) == 0
    assert "(suite smoke)" in capsys.readouterr().out.splitlines()[0]
