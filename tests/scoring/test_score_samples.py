"""`score-samples` and `benchmarks.score_samples`: anyone's images read in every accepted form,
and every bad input one line with exit status 2. (That a run's samples scored this way give its
metrics.json is in test_scorer, on the run it trains.)"""

import numpy as np
import pytest
from PIL import Image

from benchmarks.__main__ import main
from benchmarks.errors import UserError
from benchmarks.scoring.score_samples import as_unit_images, read_images

N = 1000  # KID's subset size: the fewest images it scores


@pytest.fixture
def digits():
    """N uint8 images with every pixel value from 0 to 255 somewhere."""
    return np.random.default_rng(0).integers(0, 256, (N, 28, 28), dtype=np.uint8)


def test_every_layout_and_range_reads_as_the_same_images(tmp_path, digits):
    want = digits[..., None].astype(np.float32) / 255
    unit = digits.astype(np.float32) / 255
    forms = {"(N, 28, 28) uint8 in [0, 255]": digits,
             "(N, 28, 28, 1) float32 in [0, 1]": unit[..., None],
             "(N, 1, 28, 28) float64 in [0, 1]": unit[:, None].astype(np.float64),  # PyTorch's layout
             "(N, 784) int64 in [0, 255]": digits.reshape(N, 784).astype(np.int64)}
    for stated, array in forms.items():
        images, read_as = as_unit_images(array)
        assert read_as.startswith(f"1,000 images, {stated}")
        np.testing.assert_allclose(images, want, atol=1e-7)
        assert images.shape == (N, 28, 28, 1) and images.dtype == np.float32
    folder = tmp_path / "pngs"
    folder.mkdir()
    for i, image in enumerate(digits):
        Image.fromarray(image, mode="L").save(folder / f"{i:04d}.png")
    np.save(tmp_path / "a.npy", digits)
    np.savez(tmp_path / "b.npz", labels=np.zeros(N), images=digits)  # several arrays: the one named images
    for path in (folder, tmp_path / "a.npy", tmp_path / "b.npz"):
        np.testing.assert_array_equal(read_images(path), digits)


def bad(tmp_path, name, array=None):
    path = tmp_path / name
    if array is not None:
        np.save(path, array)
    return path


@pytest.mark.parametrize("case, message", [
    ("shape", r"x.npy: shape \(1000, 32, 32\); give \(N, 28, 28\), .*\(N, 784\)"),
    ("0-255 floats", r"float32 in \[[\d.]+, 255\], not in \[0, 1\]; divide by 255, or pass uint8"),
    ("tanh floats", r"float32 in \[-1, 1\], not in \[0, 1\]; map \[-1, 1\] to \[0, 1\] with \(x \+ 1\) / 2"),
    ("nan", r"x.npy: 1 NaN or infinite values"),
    ("too few", r"x.npy: 999 images, too few for KID's subsets of 1,000; give at least 1,000"),
    ("empty folder", r"holds no \.png files"),
    ("rgb png", r"0001\.png is a RGB PNG, not grayscale"),
    ("grid png", r"0000\.png is 58×29, not 28×28; save one image per file"),
    ("several arrays", r"holds the arrays a, b; save one array, or name it images or samples or x"),
    ("missing", r"does not exist"),
    ("text file", r"is not an \.npz, an \.npy or a folder of PNGs"),
])
def test_each_bad_input_is_one_line_and_exit_2(tmp_path, capsys, case, message):
    unit = np.random.default_rng(1).random((N, 28, 28), dtype=np.float32)
    if case == "shape":
        path = bad(tmp_path, "x.npy", np.zeros((N, 32, 32), np.float32))
    elif case == "0-255 floats":
        path = bad(tmp_path, "x.npy", unit * 255)
    elif case == "tanh floats":
        path = bad(tmp_path, "x.npy", unit * 2 - 1)
    elif case == "nan":
        unit[5, 3, 3] = np.nan
        path = bad(tmp_path, "x.npy", unit)
    elif case == "too few":
        path = bad(tmp_path, "x.npy", unit[:999])
    elif case == "several arrays":
        path = tmp_path / "x.npz"
        np.savez(path, a=unit, b=unit)
    elif case == "missing":
        path = tmp_path / "nothing.npz"
    elif case == "text file":
        path = tmp_path / "x.csv"
        path.write_text("1,2\n")
    else:
        path = tmp_path / "pngs"
        path.mkdir()
        if case == "rgb png":
            Image.new("L", (28, 28)).save(path / "0000.png")
            Image.new("RGB", (28, 28)).save(path / "0001.png")
        elif case == "grid png":
            Image.new("L", (58, 29)).save(path / "0000.png")
    assert main(["score-samples", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert __import__("re").search(message, err[0]), err[0]


def test_bad_arrays_passed_to_the_function_name_the_cause():
    import benchmarks

    with pytest.raises(UserError, match="images: bool; give floats in \\[0, 1\\] or uint8 in \\[0, 255\\]"):
        benchmarks.score_samples(np.zeros((N, 28, 28), bool))
    with pytest.raises(UserError, match="int16 in \\[-3, -3\\]; integer pixels must be in \\[0, 255\\]"):
        benchmarks.score_samples(np.full((N, 784), -3, np.int16))
    with pytest.raises(UserError, match="unknown dataset 'cifar'"):
        benchmarks.score_samples(np.zeros((N, 28, 28), np.uint8), dataset="cifar")
