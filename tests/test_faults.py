"""Bad input at every file the run store reads back: one line `error: …` naming the file, what is
wrong and the fix, exit status 2, and nothing else changed. One finished, scored and reported
store (vae-dense and gan-dense on a tiny budget; tests/conftest.py's fault_store) is built once per
test run; each test damages a copy."""

import json
import re
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest

from benchmarks import files, runs
from benchmarks.__main__ import main

pytestmark = pytest.mark.mnist

REPORT = ("figures", "summary.csv", "summary.md", "summary.tex", "papers.md", "README.md", "slides.pdf",
          "slides")  # what report writes


@pytest.fixture
def store(fault_store):
    """(suite file, the finished store that every fault test starts from; tests/conftest.py)."""
    return fault_store


@pytest.fixture
def copy(store, tmp_path):
    """A fresh copy of the store, and the CLI arguments that use it."""
    suite, out = store
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "out", suite


def snapshot(root, skip=()):
    """Every file's bytes below root, but the locks and the paths in `skip`."""
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != runs.LOCK and p.relative_to(root).parts[0] not in skip}


def one_line(capsys, code, pattern):
    """Exit status 2, exactly one `error:` line, matching `pattern`, and no traceback."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert re.search(pattern, lines[0]), lines[0]
    return lines[0]


def command(name, out, suite, mnist_dir):
    data = ["--data-dir", str(mnist_dir)]
    return {"run": ["run", "--suite", str(suite), "--out", str(out), *data],
            "score": ["score", str(out), *data], "report": ["report", str(out), *data]}[name]


def gan(out):
    return runs.run_dir(out, "gan-dense", 0)


def vae(out):
    return runs.run_dir(out, "vae-dense", 0)


def truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


# --- the six cases of the issue ---------------------------------------------------------------

def test_out_naming_a_file(tmp_path, store, mnist_dir, capsys):
    target = tmp_path / "results.txt"
    target.write_text("not a folder")
    code = main(command("run", target, store[0], mnist_dir))
    one_line(capsys, code, r".*results.txt is a file, not an output folder or a run folder; choose another --out")
    assert target.read_text() == "not a folder"


def test_truncated_samples_at_score_and_the_fix_it_names(store, copy, mnist_dir, capsys):
    out, suite = copy
    truncate(gan(out) / "samples.npz")
    before = snapshot(out)
    code = main(command("score", out, suite, mnist_dir))
    one_line(capsys, code, r"gan-dense/seed-0/samples.npz is damaged \(BadZipFile\); delete it and status.json, "
                           r"then re-run the same `run`")
    assert snapshot(out) == before
    for name in ("samples.npz", "status.json"):  # the fix: the run ends again from its checkpoint
        (gan(out) / name).unlink()
    assert main(command("run", out, suite, mnist_dir)) == 0
    assert np.array_equal(runs.read_samples(gan(out)), runs.read_samples(gan(store[1])))
    assert runs.read_history(gan(out))["epoch"].tolist() == [1, 2]


def test_samples_holding_an_object_array_at_score(copy, mnist_dir, capsys):
    out, suite = copy
    np.savez(gan(out) / "samples.npz", images=np.array([{"a": 1}], dtype=object))  # a pickle inside
    before = snapshot(out)
    code = main(command("score", out, suite, mnist_dir))
    one_line(capsys, code, r"samples.npz holds Python objects, which are never unpickled; delete it")
    assert snapshot(out) == before


def test_corrupt_config_at_run(copy, mnist_dir, capsys):
    out, suite = copy
    (gan(out) / "config.json").write_text('{"model": "gan-dense", "seed": ')
    before = snapshot(out)
    code = main(command("run", out, suite, mnist_dir))
    one_line(capsys, code, r"gan-dense/seed-0/config.json is not valid JSON \(JSONDecodeError\); "
                           "delete its run folder to retrain it")
    assert snapshot(out) == before  # and vae-dense was skipped as finished, untouched


def test_truncated_checkpoint_at_resume_is_not_a_silent_restart(copy, mnist_dir, capsys):
    out, suite = copy
    for name in ("status.json", "samples.npz", "metrics.json"):  # an unfinished run, to be resumed
        (gan(out) / name).unlink()
    truncate(gan(out) / "checkpoint" / "state.npz")
    before = snapshot(out)
    code = main(command("run", out, suite, mnist_dir))
    one_line(capsys, code, r"checkpoint/state.npz is damaged \(BadZipFile\); delete .*state.npz to retrain this "
                           "run from epoch 0")
    assert snapshot(out) == before  # history.csv still has both epochs: nothing restarted


def test_corrupt_metrics_at_report_shows_the_run_as_damaged(copy, mnist_dir, capsys):
    out, suite = copy
    (gan(out) / "metrics.json").write_bytes(b"\x00\x01garbage")
    before = snapshot(out, skip=REPORT)
    code = main(command("report", out, suite, mnist_dir))
    one_line(capsys, code, r"gan-dense/seed-0/metrics.json is not valid JSON .*; re-run `python -m benchmarks "
                           r"score --force .*gan-dense/seed-0`")
    assert snapshot(out, skip=REPORT) == before  # the run store is untouched
    summary = pd.read_csv(out / "summary.csv").set_index("model")
    assert summary.loc["gan-dense", "damaged"] == 1 and summary.loc["gan-dense", "seeds"] == 0
    assert summary.loc["vae-dense", "seeds"] == 1 and np.isfinite(summary.loc["vae-dense", "fid_mean"])
    assert "| gan-dense" in (out / "summary.md").read_text() and "0/1, 1 damaged" in (out / "summary.md").read_text()


# --- more: what a user or a half-finished copy of a results folder produces -------------------

def test_status_that_is_not_json_at_score(copy, mnist_dir, capsys):
    out, suite = copy
    (vae(out) / "status.json").write_text("finished")
    before = snapshot(out)
    code = main(command("score", out, suite, mnist_dir))
    one_line(capsys, code, r"vae-dense/seed-0/status.json is not valid JSON .*delete it and re-run the same `run` "
                           r"\(training resumes from the checkpoint\)")
    assert snapshot(out) == before


def test_status_with_an_unknown_value_at_run(copy, mnist_dir, capsys):
    out, suite = copy
    files.write_json(vae(out) / "status.json", {"status": "done"})
    before = snapshot(out)
    code = main(command("run", out, suite, mnist_dir))
    one_line(capsys, code, r"status.json has an unknown status 'done'")
    assert snapshot(out) == before


def test_config_copied_from_another_run_at_report(copy, mnist_dir, capsys):
    out, suite = copy
    shutil.copy(vae(out) / "config.json", gan(out) / "config.json")
    before = snapshot(out, skip=REPORT)
    code = main(command("report", out, suite, mnist_dir))
    one_line(capsys, code, r"gan-dense/seed-0/config.json belongs to vae-dense seed 0, not to this folder")
    assert snapshot(out, skip=REPORT) == before


def test_config_that_is_a_list_at_score(copy, mnist_dir, capsys):
    out, suite = copy
    (gan(out) / "config.json").write_text("[1, 2]")
    before = snapshot(out)
    code = main(command("score", out, suite, mnist_dir))
    one_line(capsys, code, r"config.json holds a JSON list, not an object; delete its run folder")
    assert snapshot(out) == before


def test_config_without_its_keys_at_run(copy, mnist_dir, capsys):
    out, suite = copy
    files.write_json(gan(out) / "config.json", {"model": "gan-dense", "seed": 0})
    before = snapshot(out)
    code = main(command("run", out, suite, mnist_dir))
    one_line(capsys, code, r"config.json lacks family, .*epochs, .* \(or they have the wrong type\)")
    assert snapshot(out) == before


def test_history_of_another_format_at_score(copy, mnist_dir, capsys):
    out, suite = copy
    (vae(out) / "history.csv").write_text("step,loss\n1,0.5\n")
    (vae(out) / "metrics.json").unlink()  # to be rescored
    before = snapshot(out)
    code = main(command("score", out, suite, mnist_dir))
    one_line(capsys, code, r"history.csv lacks the columns epoch, train_seconds")
    assert snapshot(out) == before


@pytest.mark.parametrize("name", ["curve.csv", "steps.csv"])
def test_garbled_curve_or_step_log_at_report(name, copy, mnist_dir, capsys):
    out, suite = copy
    (gan(out) / name).write_bytes(b"images,train_seconds\n\x00\xff\xfe,\"unclosed\n")
    before = snapshot(out, skip=REPORT)
    code = main(command("report", out, suite, mnist_dir))
    one_line(capsys, code, rf"{name} is damaged \(\w+\); delete its run folder")
    assert snapshot(out, skip=REPORT) == before
    assert pd.read_csv(out / "summary.csv").set_index("model").loc["gan-dense", "damaged"] == 1


def test_checkpoint_of_another_model_at_resume(copy, mnist_dir, capsys):
    out, suite = copy
    (gan(out) / "status.json").unlink()
    shutil.copy(vae(out) / "checkpoint" / "state.npz", gan(out) / "checkpoint" / "state.npz")
    before = snapshot(out)
    code = main(command("run", out, suite, mnist_dir))
    one_line(capsys, code, r"state.npz (holds|lacks) .*: not this model's; delete .*state.npz to retrain this run from "
                           "epoch 0")
    assert snapshot(out) == before


def test_a_positional_checkpoint_of_an_older_genbench_at_resume(copy, mnist_dir, capsys):
    out, suite = copy
    (gan(out) / "status.json").unlink()
    state = files.load_npz(gan(out) / "checkpoint" / "state.npz")
    old = {f"v{i:04d}": a for i, a in enumerate(a for k, a in sorted(state.items()) if k.startswith("state/"))}
    files.write_npz(gan(out) / "checkpoint" / "state.npz", epoch=state["epoch"], train_seconds=state["train_seconds"],
                    **old)  # as genbench wrote checkpoints before they were keyed by name
    before = snapshot(out)
    code = main(command("run", out, suite, mnist_dir))
    one_line(capsys, code, r"state.npz stores its variables by position .*; delete .*gan-dense/seed-0 to retrain "
                           "this run")
    assert snapshot(out) == before


def test_samples_without_images_at_score(copy, mnist_dir, capsys):
    out, suite = copy
    files.write_npz(gan(out) / "samples.npz", pictures=np.zeros((3, 28, 28, 1), np.float32))
    before = snapshot(out)
    code = main(command("score", out, suite, mnist_dir))
    one_line(capsys, code, r"samples.npz lacks the arrays images; delete it and status.json")
    assert snapshot(out) == before


def test_samples_of_the_wrong_shape_at_score(copy, mnist_dir, capsys):
    out, suite = copy
    files.write_npz(gan(out) / "samples.npz", images=np.zeros((3, 784), np.float32))
    before = snapshot(out)
    code = main(command("score", out, suite, mnist_dir))
    one_line(capsys, code, r"samples.npz holds float32 \(3, 784\), not float32 samples \(N, 28, 28, 1\)")
    assert snapshot(out) == before


def test_a_half_copied_run_without_samples_at_score(copy, mnist_dir, capsys):
    out, suite = copy
    (gan(out) / "samples.npz").unlink()
    before = snapshot(out)
    code = main(command("score", out, suite, mnist_dir))
    one_line(capsys, code, r"samples.npz is missing, though status.json says the run finished; delete it and "
                           "status.json")
    assert snapshot(out) == before


def test_a_half_copied_vae_without_its_checkpoint_at_score(copy, mnist_dir, capsys):
    out, suite = copy
    shutil.rmtree(vae(out) / "checkpoint")
    (vae(out) / "metrics.json").unlink()
    before = snapshot(out)
    code = main(command("score", out, suite, mnist_dir))
    one_line(capsys, code, r"vae-dense/seed-0/checkpoint/state.npz is missing; delete its run folder")
    assert snapshot(out) == before


def test_metrics_of_another_run_at_report(copy, mnist_dir, capsys):
    out, suite = copy
    shutil.copy(vae(out) / "metrics.json", gan(out) / "metrics.json")
    before = snapshot(out, skip=REPORT)
    code = main(command("report", out, suite, mnist_dir))
    one_line(capsys, code, r"gan-dense/seed-0/metrics.json belongs to vae-dense seed 0, not to this run")
    assert snapshot(out, skip=REPORT) == before


def test_a_damaged_real_data_row_at_report(copy, mnist_dir, capsys):
    out, suite = copy
    truncate(runs.reference_dir(out) / "metrics.json")
    before = snapshot(out, skip=REPORT)
    code = main(command("report", out, suite, mnist_dir))
    assert snapshot(out, skip=REPORT) == before
    one_line(capsys, code, r"reference/real-data/metrics.json is not valid JSON .*; re-run `python -m benchmarks score")
    assert "real-data" not in set(pd.read_csv(out / "summary.csv")["model"])


def test_score_rewrites_a_damaged_metrics_file_and_says_so(copy, mnist_dir, capsys):
    out, suite = copy
    good = json.loads((gan(out) / "metrics.json").read_text())
    (gan(out) / "metrics.json").write_text("{")
    assert main(command("score", out, suite, mnist_dir)) == 0
    assert "rescored (its metrics.json was damaged)" in capsys.readouterr().out
    again = json.loads((gan(out) / "metrics.json").read_text())
    assert again["fid"] == good["fid"] and again["fingerprint"] == good["fingerprint"]


def test_a_damaged_scorer_cache_entry_is_recomputed_with_one_note(copy, mnist_dir, capsys, scorer_cache):
    out, suite = copy
    good = json.loads((runs.reference_dir(out) / "metrics.json").read_text())
    entries = [p for p in scorer_cache.glob("real-data-row-*.json") if json.loads(p.read_text())["fid"] == good["fid"]]
    assert len(entries) == 1, entries  # the store's `score` kept its real-data row (Fashion-MNIST's is another)
    entries[0].write_text("[1, 2")
    (runs.reference_dir(out) / "metrics.json").unlink()
    assert main(command("score", out, suite, mnist_dir)) == 0
    printed = capsys.readouterr().out
    notes = [line for line in printed.splitlines() if line.startswith("note: the cache entry")]
    assert len(notes) == 1 and "real-data-row" in notes[0] and "recomputing it" in notes[0], printed
    again = json.loads((runs.reference_dir(out) / "metrics.json").read_text())
    timing = {k for k in good if k == "score_seconds" or k.startswith("scored_by_")}
    assert {k: v for k, v in again.items() if k not in timing} == {k: v for k, v in good.items() if k not in timing}
    assert json.loads(entries[0].read_text())["fid"] == good["fid"]  # the entry is whole again


def test_a_suite_that_is_not_text(tmp_path, mnist_dir, capsys):
    suite = tmp_path / "binary.toml"
    suite.write_bytes(zipfile.ZipFile.__doc__.encode("utf-16"))
    code = main(command("run", tmp_path / "out", suite, mnist_dir))
    one_line(capsys, code, r"binary.toml: not a text file \(not UTF-8\); give a suite .toml file")
    assert not (tmp_path / "out").exists()


def test_a_suite_that_is_a_folder(tmp_path, mnist_dir, capsys):
    (tmp_path / "folder.toml").mkdir()
    code = main(command("run", tmp_path / "out", tmp_path / "folder.toml", mnist_dir))
    one_line(capsys, code, r"suite '.*folder.toml' not found; use one of")


def test_score_given_a_file(tmp_path, mnist_dir, capsys):
    (tmp_path / "x.json").write_text("{}")
    code = main(["score", str(tmp_path / "x.json"), "--data-dir", str(mnist_dir)])
    one_line(capsys, code, r"x.json is a file, not an output folder or a run folder")
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"] and (tmp_path / "x.json").read_text() == "{}"


# --- one writer per run folder ----------------------------------------------------------------

def test_a_run_another_process_holds_is_skipped_with_one_line(copy, mnist_dir, capsys):
    out, suite = copy
    (gan(out) / "metrics.json").unlink()  # to be scored, but another process holds it
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(gan(out) / runs.LOCK)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert main(command("score", out, suite, mnist_dir)) == 0
    finally:
        holder.kill()
        holder.wait()
    printed = capsys.readouterr().out
    assert re.search(rf"gan-dense/seed-0: busy in process {holder.pid} on \S+, skipped", printed), printed
    assert not (gan(out) / "metrics.json").exists()  # not scored behind the holder's back
    assert main(command("score", out, suite, mnist_dir)) == 0  # the holder died: its lock is gone
    assert (gan(out) / "metrics.json").is_file()


HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.ftruncate(fd, 0); os.write(fd, f"process {os.getpid()} on testhost".encode())
print("locked", flush=True)
time.sleep(120)
"""


def test_a_damaged_sample_grid_at_report(copy, mnist_dir, capsys):
    out, suite = copy
    truncate(gan(out) / "samples" / "epoch-002.png", keep=0.3)
    before = snapshot(out, skip=REPORT)
    code = main(command("report", out, suite, mnist_dir))
    assert snapshot(out, skip=REPORT) == before
    one_line(capsys, code, r"gan-dense/seed-0/samples/epoch-002.png is damaged \(\w+\); delete it: the figure shows "
                           "the other frames")
    assert (out / "figures" / "evolution-gan-dense.png").is_file()
