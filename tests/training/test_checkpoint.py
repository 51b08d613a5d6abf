"""Checkpoints keyed by name: each variable is stored under its place in the model
(`models.state`), loaded by that name with its shape checked, never by position."""

import numpy as np
import pytest

import models
from benchmarks import files, runs
from benchmarks.errors import Damaged

CONFIG = {"model": "gan-conv", "seed": 0, "dtype": "float32", "jit_compile": False, "steps_per_execution": 1,
          "hyperparameters": models.defaults("gan-conv")}


def randomized(state: dict, seed: int) -> dict:
    """Give every variable its own random values (Adam slots and BN statistics included); returns them."""
    rng = np.random.default_rng(seed)
    values = {}
    for name, v in state.items():
        values[name] = rng.integers(0, 1000, v.shape).astype(v.dtype.name if hasattr(v.dtype, "name") else v.dtype)
        v.assign(values[name])
    return values


def test_a_checkpoint_is_written_by_name_and_loaded_by_name(tmp_path):
    _, state = runs.build_model(CONFIG)
    values = randomized(state, seed=1)
    runs.save_checkpoint(tmp_path, state, epoch=3, train_seconds=12.5)
    saved = files.load_npz(tmp_path / runs.CHECKPOINT)
    assert "state/generator/00-dense/kernel" in saved and "state/g_optimizer/iteration" in saved
    assert "state/d_optimizer/discriminator/00-conv2d/kernel/momentum" in saved
    assert "state/generator/01-batch_normalization/moving_mean" in saved
    models.build("vae-dense")  # Keras numbers layers per process: the next build's layers get other numbers
    model, fresh = runs.build_model(CONFIG)
    assert list(fresh) == list(state)  # the same names, whatever Keras called the layers this time
    assert runs.load_checkpoint(tmp_path, fresh) == (3, 12.5)
    for name, v in fresh.items():
        np.testing.assert_array_equal(v.numpy(), values[name], err_msg=name)


def test_a_reordered_variable_list_loads_each_variable_by_its_name(tmp_path):
    # by position, two same-shaped variables in swapped order (Adam's momentum and velocity,
    # a BN layer's gamma and beta) took each other's values without a sound; by name they cannot
    _, state = runs.build_model(CONFIG)
    values = randomized(state, seed=2)
    runs.save_checkpoint(tmp_path, state, epoch=1, train_seconds=1.0)
    _, fresh = runs.build_model(CONFIG)
    reordered = dict(reversed(list(fresh.items())))
    runs.load_checkpoint(tmp_path, reordered)
    for name in ("g_optimizer/generator/00-dense/kernel/momentum", "g_optimizer/generator/00-dense/kernel/velocity",
                 "generator/01-batch_normalization/gamma", "generator/01-batch_normalization/beta"):
        np.testing.assert_array_equal(fresh[name].numpy(), values[name], err_msg=name)


def test_a_checkpoint_whose_names_differ_from_the_model_is_refused(tmp_path):
    _, state = runs.build_model(CONFIG)
    runs.save_checkpoint(tmp_path, state, epoch=1, train_seconds=1.0)
    arrays = files.load_npz(tmp_path / runs.CHECKPOINT)
    arrays["state/generator/99-dense/kernel"] = arrays.pop("state/generator/00-dense/kernel")  # a renamed variable
    files.write_npz(tmp_path / runs.CHECKPOINT, **arrays)
    with pytest.raises(Damaged, match=r"lacks generator/00-dense/kernel \(1 missing, 1 foreign\): not this model's; "
                                      r"delete .*state.npz to retrain this run from epoch 0"):
        runs.load_checkpoint(tmp_path, runs.build_model(CONFIG)[1])
    arrays["state/generator/00-dense/kernel"] = arrays.pop("state/generator/99-dense/kernel")[:, :5]  # wrong shape
    files.write_npz(tmp_path / runs.CHECKPOINT, **arrays)
    with pytest.raises(Damaged, match=r"holds generator/00-dense/kernel of shape \(96, 5\), the model \(96, 1024\)"):
        runs.load_checkpoint(tmp_path, runs.build_model(CONFIG)[1])


def test_an_old_positional_checkpoint_is_refused_in_one_line_saying_how_to_retrain(tmp_path):
    _, state = runs.build_model(CONFIG)
    old = {f"v{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(state.values())}  # genbench before format 2
    files.write_npz(tmp_path / runs.CHECKPOINT, epoch=np.int64(1), train_seconds=np.float64(1.0), **old)
    with pytest.raises(Damaged) as raised:
        runs.load_checkpoint(tmp_path, state)
    message = str(raised.value)
    assert "\n" not in message and "stores its variables by position" in message
    assert message.endswith(f"delete {tmp_path} to retrain this run")
