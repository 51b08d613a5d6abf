import gzip
import subprocess
import sys

import numpy as np
import pytest

from benchmarks.data import mnist as data
from benchmarks.errors import UserError


def idx_bytes(array: np.ndarray) -> bytes:
    magic = 0x0803 if array.ndim == 3 else 0x0801
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_parse_idx_images_and_labels():
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    labels = np.array([7, 1, 0], np.uint8)
    np.testing.assert_array_equal(data.parse_idx(idx_bytes(images)), images)
    np.testing.assert_array_equal(data.parse_idx(idx_bytes(labels)), labels)


@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_file_gzip_and_raw(tmp_path, compress):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28)).astype(np.uint8)
    content = idx_bytes(images)
    path = tmp_path / ("x-idx3-ubyte.gz" if compress else "x-idx3-ubyte")
    path.write_bytes(gzip.compress(content) if compress else content)
    np.testing.assert_array_equal(data.read_idx_file(path), images)


def _write_fake_dir(folder, compress=True):
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (6, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 6),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (2, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 2),
    }
    for stem, array in arrays.items():
        content = idx_bytes(array)
        (folder / (stem + (".gz" if compress else ""))).write_bytes(
            gzip.compress(content) if compress else content)
    return folder


def test_missing_folder_names_the_two_ways(tmp_path):
    with pytest.raises(UserError, match=r"does not exist; pass --data-dir DIR \(or set MNIST_DIR\)"):
        data.load_mnist(tmp_path / "absent")


def test_missing_file_is_named(tmp_path):
    _write_fake_dir(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(UserError, match="t10k-labels-idx1-ubyte.*not found.*MNIST_DIR"):
        data.load_mnist(tmp_path)


def test_bad_magic_is_named(tmp_path):
    (tmp_path / "x-idx3-ubyte").write_bytes(b"\x00\x00\x09\x99" + b"\x00" * 20)
    with pytest.raises(UserError, match=r"x-idx3-ubyte: bad IDX magic number 0x00000999"):
        data.read_idx_file(tmp_path / "x-idx3-ubyte")


def test_truncated_file_is_named(tmp_path):
    content = idx_bytes(np.zeros((3, 28, 28), np.uint8))
    (tmp_path / "x-idx3-ubyte").write_bytes(content[:-10])
    with pytest.raises(UserError, match="x-idx3-ubyte: truncated IDX file"):
        data.read_idx_file(tmp_path / "x-idx3-ubyte")


def test_corrupt_gzip_is_named(tmp_path):
    blob = bytearray(gzip.compress(idx_bytes(np.zeros((3, 28, 28), np.uint8))))
    blob[12:20] = b"\xff" * 8
    (tmp_path / "x-idx3-ubyte.gz").write_bytes(bytes(blob))
    with pytest.raises(UserError, match=r"x-idx3-ubyte.gz: corrupt gzip"):
        data.read_idx_file(tmp_path / "x-idx3-ubyte.gz")


def test_md5_mismatch_names_both_sums(tmp_path):
    _write_fake_dir(tmp_path, compress=False)
    expected = data.CANONICAL_MD5["train-images-idx3-ubyte"]
    pattern = rf"train-images-idx3-ubyte: md5 mismatch \(expected {expected}, got [0-9a-f]{{32}}\)"
    with pytest.raises(UserError, match=pattern):
        data.load_mnist(tmp_path)


def test_cli_error_is_one_line_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "data", "--data-dir", str(tmp_path / "no")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: MNIST folder")


def test_environment_variable_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "env-dir"))
    assert data.resolve_source(None) == str(tmp_path / "env-dir")
    assert data.resolve_source(tmp_path) == str(tmp_path)  # the argument wins


@pytest.mark.mnist
def test_real_mnist_counts_and_mean(mnist_dir):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(mnist_dir)
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert round(x_train.mean() / 255.0, 4) == 0.1307
    (fit, _), (val, _) = data.split_validation(x_train, y_train)
    assert len(fit) == 50000 and len(val) == 10000


def test_pipelines_scale_shuffle_and_binarize():
    from benchmarks.data.pipeline import EpochData

    x = np.random.default_rng(0).integers(0, 256, (64, 28, 28)).astype(np.uint8)
    gan = next(iter(EpochData(x, "gan", 16, seed=1).epoch(0))).numpy()
    assert gan.shape == (16, 28, 28, 1) and gan.min() >= -1 and gan.max() <= 1
    vae = EpochData(x, "vae", 16, seed=1, binarize=True)
    b0 = np.concatenate([b.numpy() for b in vae.epoch(0)])
    assert set(np.unique(b0)) <= {0.0, 1.0}
    again = np.concatenate([b.numpy() for b in vae.epoch(0)])
    other = np.concatenate([b.numpy() for b in vae.epoch(1)])
    np.testing.assert_array_equal(b0, again)  # (seed, epoch) fixes order and draws
    assert not np.array_equal(b0, other)  # a fresh draw and order each epoch
    assert EpochData(x, "vae", 16, seed=1, max_steps=2).steps == 2


def test_fashion_mnist_counts_classes_and_its_debian_folder(fashion_dir, monkeypatch):
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)
    assert data.resolve_source(None, "fashion-mnist") == "/usr/share/datasets/fashion-mnist"
    (x_train, y_train), (x_test, y_test) = data.load_mnist(fashion_dir, "fashion-mnist")  # md5-checked
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [6000] * 10 and np.bincount(y_test).tolist() == [1000] * 10
    assert round(x_train.mean() / 255.0, 4) == 0.2860  # the published mean of Fashion-MNIST
    classes = data.DATASETS["fashion-mnist"].classes
    assert classes[0] == "T-shirt/top" and classes[9] == "Ankle boot" and len(classes) == 10


@pytest.mark.mnist
def test_one_dataset_given_for_the_other_names_both(mnist_dir, fashion_dir):
    with pytest.raises(UserError, match=r"train-images-idx3-ubyte.gz: this is MNIST's train-images-idx3-ubyte "
                                        r"\(md5 6bbc9ace\w+\), not Fashion-MNIST's; pass --data-dir DIR \(or set "
                                        r"FASHION_MNIST_DIR\)"):
        data.load_mnist(mnist_dir, "fashion-mnist")
    with pytest.raises(UserError, match=r"this is Fashion-MNIST's train-images-idx3-ubyte \(md5 f4a8712d\w+\), "
                                        r"not MNIST's; pass --data-dir DIR \(or set MNIST_DIR\)"):
        data.load_mnist(fashion_dir, "mnist")


def test_unknown_dataset_is_one_line():
    with pytest.raises(UserError, match="unknown dataset 'cifar'; valid: mnist, fashion-mnist"):
        data.load_mnist(None, "cifar")
