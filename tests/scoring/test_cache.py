"""The scorer's cache: an entry is computed once per set of parts and read back bit for bit; a
damaged entry is recomputed, an unwritable folder only costs the time, and `off` keeps nothing."""

import numpy as np
import pytest

from benchmarks.scoring import cache


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


class Counted:
    """A compute function that counts its calls and returns awkward float32 and float64 arrays."""

    def __init__(self, seed: int = 0):
        self.calls, self.rng = 0, np.random.default_rng(seed)

    def __call__(self) -> dict:
        self.calls += 1
        return {"features": self.rng.standard_normal((5, 3)).astype(np.float32),
                "radius": np.array([0.1, 1e-300, np.nan, -0.0])}


def test_an_entry_is_computed_once_and_read_back_bit_for_bit(folder):
    compute = Counted()
    first = cache.arrays("test-features", ("mnist", "abc", 4), compute)
    again = cache.arrays("test-features", ("mnist", "abc", 4), compute)
    assert compute.calls == 1 and len(list(folder.glob("test-features-*.npz"))) == 1
    for name in first:
        assert again[name].dtype == first[name].dtype
        assert again[name].tobytes() == first[name].tobytes()  # nan and -0.0 included


def test_other_parts_make_another_entry(folder):
    compute = Counted()
    cache.arrays("test-features", ("mnist", "abc", 4), compute)
    cache.arrays("test-features", ("mnist", "abc", 5), compute)  # another scorer version
    cache.arrays("test-features", ("fashion-mnist", "def", 4), compute)  # another dataset and network
    assert compute.calls == 3 and len(list(folder.glob("*.npz"))) == 3


def test_the_key_names_the_machine_and_the_library_versions():
    parts = ("mnist", "abc", 4)
    assert cache.key("x", parts) == cache.key("x", parts)
    assert cache.key("x", parts) != cache.key("y", parts) != cache.key("y", ("mnist", "abc", 5))
    assert cache.machine()  # the CPU model, part of every key


def test_a_damaged_entry_is_recomputed_with_one_line(folder, capsys):
    compute = Counted()
    good = cache.arrays("test-features", ("mnist",), compute)
    entry = next(folder.glob("*.npz"))
    entry.write_bytes(entry.read_bytes()[:40])  # cut short, as by a full disk elsewhere
    again = cache.arrays("test-features", ("mnist",), Counted())  # the same seed: the same arrays
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and printed[0].startswith(f"note: the cache entry {entry} is damaged")
    assert again["features"].tobytes() == good["features"].tobytes()
    read = cache.arrays("test-features", ("mnist",), compute)  # rewritten whole
    assert compute.calls == 1 and read["features"].tobytes() == good["features"].tobytes()


def test_a_record_that_is_not_an_object_is_recomputed(folder, capsys):
    row = {"fid": 0.1234567890123, "modes_covered": 10, "mode_kl": float("nan")}
    assert cache.record("real-data-row", ("mnist",), lambda: row)["fid"] == row["fid"]
    next(folder.glob("*.json")).write_text("[1, 2]\n")
    again = cache.record("real-data-row", ("mnist",), lambda: row)
    assert "is damaged (ValueError); recomputing it" in capsys.readouterr().out
    assert again["fid"] == row["fid"] and np.isnan(again["mode_kl"])
    assert cache.record("real-data-row", ("mnist",), lambda: {"fid": -1.0})["fid"] == row["fid"]  # read back


def test_an_unwritable_folder_costs_only_the_time(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file stands where the cache folder would be")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    compute = Counted()
    first = cache.arrays("test-features", ("mnist",), compute)
    cache.arrays("test-features", ("mnist",), compute)
    printed = capsys.readouterr().out.splitlines()
    assert compute.calls == 2 and first["features"].shape == (5, 3)
    assert len(printed) == 1 and printed[0].startswith(f"note: cannot write {blocker / 'cache'}")
    assert printed[0].endswith(f"set {cache.ENV} to a writable folder, or to off)")


def test_off_computes_every_time_and_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, cache.OFF)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    compute = Counted()
    cache.arrays("test-features", ("mnist",), compute)
    cache.arrays("test-features", ("mnist",), compute)
    assert compute.calls == 2 and cache.folder() is None and not any(tmp_path.rglob("*.npz"))


def test_the_default_folder_is_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() == tmp_path / "xdg" / "genbench"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.folder() == tmp_path / ".cache" / "genbench"
