"""The README's SLURM job array on a real one-node cluster (Debian's slurm-wlm and munge), as
CI brings it up: the array, then the afterok job that scores and reports, equal to an
unsharded run; then a task cancelled in the middle of training and resubmitted as the README
says, after which every epoch of every history is there exactly once.

What this proves: the README's scripts, the sharding under them and the resume work under a
real scheduler on one node. What it does not: several nodes, or a shared file system (NFS).
Skipped where SLURM is not installed or we are not root, unless CI=true, where it must run.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import models
from benchmarks import files, runs
from benchmarks.suite_file import load_suite

ROOT = Path(__file__).parents[1]
DAEMONS = ("munged", "slurmctld", "slurmd")
pytestmark = pytest.mark.mnist


def readme_scripts() -> tuple[str, str]:
    """The README's train.sbatch and its submission lines, as written."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### A grid on a SLURM cluster"):]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    return blocks[0], blocks[1]


def substituted(script: str, out: Path) -> str:
    """The README's script with only the suite (smoke) and the output folder substituted."""
    assert "--suite default" in script and "/shared/genbench" in script
    return script.replace("--suite default", "--suite smoke").replace("/shared/genbench", str(out))


def _missing() -> str | None:
    tools = [t for t in (*DAEMONS, "sbatch", "squeue", "scancel", "scontrol") if shutil.which(t) is None
             and not Path(f"/usr/sbin/{t}").exists()]
    if tools:
        return f"SLURM is not installed ({', '.join(tools)} missing): apt-get install slurm-wlm munge"
    if os.geteuid() != 0:
        return "the one-node SLURM cluster runs its daemons as root"
    return None


class Cluster:
    """slurmctld and slurmd for this host, with munged, each started in the foreground and
    stopped by its pid."""

    def __init__(self, folder: Path):
        self.folder, self.procs = folder, {}
        host = socket.gethostname().split(".")[0]
        memory = int(int(Path("/proc/meminfo").read_text().split()[1]) / 1024 * 0.9)
        self.conf = folder / "slurm.conf"
        self.conf.write_text("\n".join([
            "ClusterName=genbench", f"SlurmctldHost={host}", "SlurmUser=root", "AuthType=auth/munge",
            "ProctrackType=proctrack/pgid", "TaskPlugin=task/none", "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory", "SchedulerType=sched/backfill", "MpiDefault=none",
            "ReturnToService=2", "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none", "JobCompType=jobcomp/none",
            "SlurmctldPort=16817", "SlurmdPort=16818", "MinJobAge=3600",
            f"StateSaveLocation={folder}/state", f"SlurmdSpoolDir={folder}/spool",
            f"SlurmctldPidFile={folder}/slurmctld.pid", f"SlurmdPidFile={folder}/slurmd.pid",
            f"SlurmctldLogFile={folder}/slurmctld.log", f"SlurmdLogFile={folder}/slurmd.log",
            f"NodeName={host} CPUs={os.cpu_count()} RealMemory={memory} State=UNKNOWN",
            "PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP", ""]))
        (folder / "state").mkdir()
        (folder / "spool").mkdir()
        # the jobs' `python` is this environment's (as a user's activated venv would be)
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf), "PATH": path}

    def start(self) -> None:
        """munged (as the munge user, with the key the package made) first, then the two slurm daemons."""
        run_dir = Path("/run/munge")
        run_dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(run_dir, "munge", "munge")
        if not Path("/etc/munge/munge.key").exists():
            subprocess.run(["runuser", "-u", "munge", "--", "mungekey", "--create"], check=True)
        self._spawn("munged", ["runuser", "-u", "munge", "--", _tool("munged"), "-F"])
        _wait(lambda: Path("/run/munge/munge.socket.2").exists(), 20, "munged did not start")
        self._spawn("slurmctld", [_tool("slurmctld"), "-D", "-f", str(self.conf)])
        self._spawn("slurmd", [_tool("slurmd"), "-D", "-f", str(self.conf)])
        _wait(lambda: "idle" in self.run("sinfo", "-h", "-o", "%T"), 60, "the node did not become idle")

    def _spawn(self, name: str, argv: list) -> None:
        log = (self.folder / f"{name}.out").open("w")
        self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        print(f"started {name}, pid {self.procs[name].pid}")

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            proc = self.procs[name]
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            print(f"stopped {name}, pid {proc.pid}")

    def run(self, *argv: str, cwd: Path | None = None) -> str:
        done = subprocess.run([_tool(argv[0]), *argv[1:]], capture_output=True, text=True, env=self.env,
                              cwd=cwd, check=True)
        return done.stdout

    def bash(self, script: str, cwd: Path) -> str:
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=self.env, cwd=cwd,
                              check=True)
        return done.stdout

    def wait_done(self, where: Path, timeout: float = 1200) -> None:
        """Until the queue is empty; a job whose dependency can never be met fails the test at once."""
        def settled() -> bool:
            queue = self.run("squeue", "-h", "-o", "%i %T %r")
            if "DependencyNeverSatisfied" in queue:
                outputs = "\n".join(f"{p.name}: {p.read_text()[-300:]}" for p in sorted(where.glob("slurm-*")))
                raise AssertionError(f"a dependency failed: {queue.strip()}\n{outputs}")
            return not queue.strip()

        _wait(settled, timeout, lambda: "jobs still queued: " + self.run("squeue"))

    def states(self, job: str) -> dict:
        """job id (array tasks as <job>_<task>) -> state, from the controller (no accounting here;
        MinJobAge keeps finished jobs for an hour)."""
        out = self.run("scontrol", "-o", "show", "job", job)
        found = {}
        for line in out.splitlines():
            fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
            task = fields.get("ArrayTaskId")
            key = f"{fields['ArrayJobId']}_{task}" if task and "ArrayJobId" in fields else fields["JobId"]
            found[key] = fields["JobState"]
        return found


def _tool(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


def _wait(ready, timeout: float, message: str) -> None:
    end = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > end:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(0.5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, mnist_dir):
    why = _missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so the SLURM test must run: {why}")
        pytest.skip(why)
    cluster = Cluster(tmp_path_factory.mktemp("slurm"))
    cluster.env["MNIST_DIR"] = str(mnist_dir)  # where a user's jobs find the data: the README's way
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _histories_once(out: Path, models_=None) -> None:
    suite = load_suite("smoke")
    for model in models_ or suite["models"]:
        h = pd.read_csv(runs.run_dir(out, model, 0) / "history.csv")
        assert h["epoch"].tolist() == list(range(1, suite["epochs"] + 1)), (model, h["epoch"].tolist())


def test_the_readme_job_array_then_afterok_equals_an_unsharded_run(cluster, tmp_path, request):
    train, submit = readme_scripts()
    out = tmp_path / "grid"
    (tmp_path / "train.sbatch").write_text(substituted(train, out))
    printed = cluster.bash(substituted(submit, out) + '\necho "array $jobid"', cwd=tmp_path)
    array = re.search(r"array (\d+)", printed).group(1)
    print(f"submitted the array as job {array}, then the afterok job")
    cluster.wait_done(tmp_path)
    states = cluster.states(array)
    print("array:", states)
    assert sorted(states) == [f"{array}_{i}" for i in range(5)] and set(states.values()) == {"COMPLETED"}, states
    after = cluster.states(str(int(array) + 1))  # the afterok job, submitted next
    print("afterok job:", after)
    assert set(after.values()) == {"COMPLETED"}, after
    _histories_once(out)
    # the unsharded bench of the same suite, asked for only now: while the array trains, another
    # worker may be making it
    straight, _ = request.getfixturevalue("smoke_bench")
    from tests.kill_anywhere import ROUNDING, same

    timing = ("seconds", "per_sec", "gflops", "_at_t", "equal_time")
    for model in load_suite("smoke")["models"]:
        a = files.read_json(runs.run_dir(out, model, 0) / "metrics.json")
        b = files.read_json(runs.run_dir(straight, model, 0) / "metrics.json")
        keys = [k for k in a if not any(t in k for t in timing) and isinstance(a[k], (int, float))]
        rtol = ROUNDING.get(models.family(model), 0.0)  # the diffusion family: within float rounding
        assert keys and same({k: a[k] for k in keys}, {k: b[k] for k in keys}, rtol), model
    summary = [pd.read_csv(o / "summary.csv").set_index("model") for o in (out, straight)]
    columns = [c for c in summary[0].columns if not any(t in c for t in timing) and c in summary[1].columns]
    rounded = [m for m in summary[0].index if m in models.MODEL_NAMES and models.family(m) in ROUNDING]
    pd.testing.assert_frame_equal(summary[0].drop(rounded)[columns], summary[1].drop(rounded)[columns])
    pd.testing.assert_frame_equal(summary[0].loc[rounded, columns], summary[1].loc[rounded, columns],
                                  check_exact=False, rtol=ROUNDING["diffusion"])
    print(f"equal: metrics.json of {len(load_suite('smoke')['models'])} runs and summary.csv "
          f"({len(columns)} columns), timing aside")


def test_a_task_cancelled_mid_training_and_resubmitted_finishes_each_epoch_once(cluster, tmp_path):
    train, _ = readme_scripts()
    out = tmp_path / "grid"
    (tmp_path / "train.sbatch").write_text(substituted(train, out))
    # task 4 of the README's 5: the conv GAN, the slowest of the smoke grid (the other tasks are the
    # first test's), submitted alone as the README resubmits one
    array = cluster.run("sbatch", "--parsable", "--array=4", "train.sbatch", cwd=tmp_path).strip()
    target = runs.run_dir(out, "gan-conv", 0)
    _wait(lambda: (target / "history.csv").exists(), 600, "gan-conv never finished an epoch")
    cluster.run("scancel", f"{array}_4")
    saved = pd.read_csv(target / "history.csv")["epoch"].tolist()
    print(f"cancelled task {array}_4 in training; its history then held epochs {saved}")
    cluster.wait_done(tmp_path)
    assert cluster.states(array).get(f"{array}_4") == "CANCELLED"
    assert runs.read_status(target) == "unfinished"
    again = cluster.run("sbatch", "--parsable", "--array=4", "train.sbatch", cwd=tmp_path).strip()
    print(f"resubmitted it as job {again}")
    cluster.wait_done(tmp_path)
    assert set(cluster.states(again).values()) == {"COMPLETED"}
    _histories_once(out, [runs.read_config(target)["model"]])
