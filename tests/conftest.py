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


@pytest.fixture(scope="session")
def smoke_bench(tmp_path_factory, mnist_dir) -> tuple[Path, str]:
    """`python -m benchmarks bench --suite smoke` once per test run, in a process of its own:
    (its output folder, what it printed). The report's end-to-end test reads it, and the SLURM
    test compares its job array against it; neither changes it. Under pytest-xdist the workers
    share it: the first to need it makes it, holding a lock in the run's common temporary folder,
    and the others wait and read it (the pattern of pytest-xdist's docs, with fcntl)."""
    import fcntl

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder every worker's basetemp lies in
    out, printed = root / "smoke-bench" / "out", root / "smoke-bench" / "printed.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(root / "smoke-bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not printed.exists():
            done = subprocess.run([sys.executable, "-m", "benchmarks", "bench", "--suite", "smoke", "--dtype",
                                   "float32", "--out", str(out), "--data-dir", str(mnist_dir)], capture_output=True,
                                  text=True, cwd=Path(__file__).parents[1])
            assert done.returncode == 0, done.stderr[-3000:]
            printed.write_text(done.stdout)
    return out, printed.read_text()
