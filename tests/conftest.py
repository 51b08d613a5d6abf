import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The real MNIST folder from MNIST_DIR (CI points it at ../shared/data/mnist)."""
    path = os.environ.get("MNIST_DIR")
    if not path:
        default = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
        path = str(default) if default.is_dir() else None
    if not path or not Path(path).is_dir():
        pytest.fail("real-MNIST tests need MNIST_DIR set to a folder with the four IDX files")
    return Path(path)


@pytest.fixture(scope="session")
def fashion_dir() -> Path:
    """The real Fashion-MNIST folder: FASHION_MNIST_DIR, else Debian's dataset-fashion-mnist."""
    path = Path(os.environ.get("FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist")
    if not path.is_dir():
        pytest.fail("Fashion-MNIST tests need its four IDX files: apt-get install dataset-fashion-mnist "
                    "(or set FASHION_MNIST_DIR)")
    return path


# The test files that take minutes, longest first (`tox -e py` prints the slowest tests). pytest-xdist
# (--dist loadfile --no-loadscope-reorder, tox.ini) hands files to its workers in collection order,
# so these start first and the quick files fill in around them, instead of one long file ending
# the run alone.
LONGEST_FIRST = ("test_slurm.py", "reporting/test_report.py", "test_faults.py", "test_interruptions.py",
                 "training/test_harness.py", "training/test_perf.py", "test_datasets.py", "test_notebook.py")


def pytest_collection_modifyitems(items) -> None:
    def rank(item) -> int:
        path = item.nodeid.split("::")[0].removeprefix("tests/")
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


def _common_temp(tmp_path_factory) -> Path:
    """The test run's temporary folder that every pytest-xdist worker shares."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


@pytest.fixture(scope="session", autouse=True)
def scorer_cache(tmp_path_factory) -> Path:
    """The scorer's cache (benchmarks.scoring.cache) in the test run's common temporary folder,
    never the user's: the workers and the commands they start share it."""
    from benchmarks.scoring import cache

    folder = _common_temp(tmp_path_factory) / "scorer-cache"
    os.environ[cache.ENV] = str(folder)
    return folder


def built_once(tmp_path_factory, name: str, build) -> Path:
    """`build(folder)` once per test run, into `<the run's common temporary folder>/name`. Under
    pytest-xdist the workers share it: the first to need it builds it, holding a lock, and the
    others wait and read it (the pattern of pytest-xdist's docs, with fcntl). Whoever uses it must
    not change it."""
    import fcntl

    root = _common_temp(tmp_path_factory)
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder.mkdir(parents=True, exist_ok=True)
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def smoke_bench(tmp_path_factory, mnist_dir) -> tuple[Path, str]:
    """`python -m benchmarks bench --suite smoke` once per test run, in a process of its own:
    (its output folder, what it printed). The report's end-to-end test reads it, and the SLURM
    test compares its job array against it."""

    def build(folder: Path) -> None:
        done = subprocess.run([sys.executable, "-m", "benchmarks", "bench", "--suite", "smoke", "--dtype",
                               "float32", "--out", str(folder / "out"), "--data-dir", str(mnist_dir)],
                              capture_output=True, text=True, cwd=Path(__file__).parents[1])
        assert done.returncode == 0, done.stderr[-3000:]
        (folder / "printed.txt").write_text(done.stdout)

    folder = built_once(tmp_path_factory, "smoke-bench", build)
    return folder / "out", (folder / "printed.txt").read_text()


FAULT_SUITE = """
description = "the fault tests' store"
models = ["vae-dense", "gan-dense"]
seeds = [0]
epochs = 2
train_images = 128
batch_size = 64
grid_samples = 4
figure_dpi = 72
slide_dpi = 72
[eval]
samples = 200
quick_fid = false
iwae_k = 2
likelihood_images = 50
"""


@pytest.fixture(scope="session")
def fault_store(tmp_path_factory, mnist_dir) -> tuple[Path, Path]:
    """(suite file, a finished store): vae-dense and gan-dense on a tiny budget, trained, scored and
    reported through the CLI, once per test run. tests/test_faults.py damages copies of it, and
    tests/test_interruptions.py compares interrupted and concurrent runs against it."""
    from benchmarks.__main__ import main

    def build(folder: Path) -> None:
        suite, out = folder / "faults.toml", folder / "out"
        suite.write_text(FAULT_SUITE)
        data = ["--data-dir", str(mnist_dir)]
        assert main(["run", "--suite", str(suite), "--out", str(out), *data]) == 0
        assert main(["score", str(out), *data]) == 0
        assert main(["report", str(out), *data]) == 0

    folder = built_once(tmp_path_factory, "fault-store", build)
    return folder / "faults.toml", folder / "out"
