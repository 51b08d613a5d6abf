"""Goodfellow et al. 2014's MNIST GAN as their mnist.yaml defines it: the parameter count, the
maxout layer against hand arithmetic, the momentum schedule, the decayed learning rate and the
simultaneous step."""

import numpy as np
import pytest
import tensorflow as tf

import models
from models import optimizers
from models.layers import Maxout


def test_the_parameter_count_is_the_released_configuration_s():
    model = models.build("gan-goodfellow", seed=0)
    model.sample(1)
    # G: 100*1200 + 1200 = 121,200; 1200*1200 + 1200 = 1,441,200; 1200*784 + 784 = 941,584
    g = sum(int(np.prod(v.shape)) for v in model.generator.trainable_variables)
    assert g == 121_200 + 1_441_200 + 941_584 == 2_503_984
    # D: maxout 784 -> 240 x 5: 784*1200 + 1200 = 942,000; 240 -> 240 x 5: 240*1200 + 1200 = 289,200;
    # the sigmoid unit 240 + 1 = 241
    d = sum(int(np.prod(v.shape)) for v in model.discriminator.trainable_variables)
    assert d == 942_000 + 289_200 + 241 == 1_231_441
    assert models.parameter_count(model) == 3_735_425
    dropouts = [layer.rate for layer in model.discriminator.layers if "dropout" in type(layer).__name__.lower()]
    assert dropouts == pytest.approx([0.2, 0.5, 0.5])  # keep 0.8 of the inputs, 0.5 of each hidden layer's units
    assert models.pixels("gan-goodfellow") == "unit" and models.pixels("gan-dense") == "gan"


def test_maxout_takes_the_max_of_consecutive_pieces():
    # 2 units x 3 pieces on 2 inputs: z = x W + b, unit 0 = max(z0, z1, z2), unit 1 = max(z3, z4, z5)
    layer = Maxout(2, 3)
    layer.build((None, 2))
    layer.kernel.assign([[1.0, -1.0, 0.0, 2.0, 0.0, -2.0],
                         [0.0, 1.0, 3.0, 1.0, -1.0, 0.0]])
    layer.bias.assign([0.0, 0.0, -1.0, 0.0, 1.0, 0.5])
    x = np.array([[1.0, 2.0], [-1.0, 0.0]], np.float32)
    # row 1: z = (1, 1, 5, 4, -1, -1.5): max(1, 1, 5) = 5, max(4, -1, -1.5) = 4
    # row 2: z = (-1, 1, -1, -2, 1, 2.5): max = 1, max = 2.5
    np.testing.assert_allclose(layer(x).numpy(), [[5.0, 4.0], [1.0, 2.5]])
    assert layer.compute_output_shape((None, 2)) == (None, 2)


def test_the_momentum_rises_from_0_5_to_0_7_by_epoch_250():
    # pylearn2's MomentumAdjustor(start=1, saturate=250): after e finished epochs 0.5 + 0.2 * e / 249
    at = lambda e: optimizers.momentum_at(e, 0.5, 0.7, 250)
    assert at(0) == 0.5 and at(249) == pytest.approx(0.7) and at(1000) == pytest.approx(0.7)
    assert at(124) == pytest.approx(0.5 + 0.2 * 124 / 249)


def test_the_learning_rate_is_divided_by_1_000004_per_update():
    rate = optimizers.decayed_rate(0.1, 1.000004)
    # after 500 updates (one epoch of 50,000 images in batches of 100): 0.1 / 1.000004^500 = 0.0998002
    assert float(rate(500)) == pytest.approx(0.1 / 1.000004**500, rel=1e-6)
    # after 250 epochs, 125,000 updates: 0.1 / 1.000004^125000 = 0.0606532, to float32's precision
    assert float(rate(125_000)) == pytest.approx(0.1 / 1.000004**125_000, rel=1e-5)
    assert float(rate(10**7)) == pytest.approx(1e-6)  # mnist.yaml's min_lr: never lower


def test_momentum_sgd_is_keras_sgd_with_a_momentum_that_can_change():
    # w = 1, gradient 2 (of w^2 at 1), rate 0.1, momentum 0.5: v = -0.2, w = 0.8; then momentum 0.9
    # and gradient 1.6: v = 0.9 * -0.2 - 0.16 = -0.34, w = 0.46
    w = tf.Variable(1.0)
    opt = optimizers.MomentumSGD(0.1, momentum=0.5)
    opt.apply_gradients([(tf.constant(2.0), w)])
    assert float(w.numpy()) == pytest.approx(0.8)
    opt.set_momentum(0.9)
    opt.apply_gradients([(tf.constant(1.6), w)])
    assert float(w.numpy()) == pytest.approx(0.46)


def test_the_simultaneous_step_moves_both_networks_and_begin_epoch_sets_the_momentum():
    model = models.build("gan-goodfellow", seed=0)
    images = np.random.default_rng(0).random((8, 28, 28, 1)).astype(np.float32)  # [0, 1]: G ends in a sigmoid
    samples = model.sample(4, seed=1)
    assert samples.min() >= 0 and samples.max() <= 1
    assert abs(float(samples.mean()) - 0.5) < 0.05  # biases 0 and small weights: sigmoid(~0)
    d_before = [v.numpy().copy() for v in model.discriminator.trainable_variables]
    g_before = [v.numpy().copy() for v in model.generator.trainable_variables]
    logs = model.train_step(tf.constant(images))
    assert np.isfinite([float(v) for v in logs.values()]).all()
    assert any(not np.allclose(a, v.numpy()) for a, v in zip(d_before, model.discriminator.trainable_variables))
    assert any(not np.allclose(a, v.numpy()) for a, v in zip(g_before, model.generator.trainable_variables))
    model.begin_epoch(249)
    assert float(model.d_optimizer.momentum_value.numpy()) == pytest.approx(0.7)
    assert float(model.g_optimizer.momentum_value.numpy()) == pytest.approx(0.7)
    z = model.draw_z(20_000, [0, 1])
    assert abs(float(tf.math.reduce_std(z)) - 1.0) < 0.01  # Gaussian z, not uniform on [-1, 1] (std 0.577)


def test_its_checkpoint_holds_the_momentum_and_the_dropout_s_random_state(tmp_path):
    from benchmarks import runs

    config = {"model": "gan-goodfellow", "seed": 0, "dtype": "float32", "jit_compile": False,
              "steps_per_execution": 1, "hyperparameters": models.defaults("gan-goodfellow")}
    model, state = runs.build_model(config)
    model.train_step(tf.constant(np.full((4, 28, 28, 1), 0.5, np.float32)))
    model.begin_epoch(100)
    runs.save_checkpoint(tmp_path, state, epoch=101, train_seconds=1.0)
    names = set(state)
    assert {"d_optimizer/momentum_value", "g_optimizer/momentum_value"} <= names
    assert any(n.startswith("discriminator/") and "dropout" in n for n in names)  # its seed generator's state
    assert "d_optimizer/discriminator/02-maxout/kernel/momentum" in names
    fresh_model, fresh = runs.build_model(config)
    runs.load_checkpoint(tmp_path, fresh)
    for name, v in fresh.items():
        np.testing.assert_array_equal(v.numpy(), state[name].numpy(), err_msg=name)
    assert float(fresh_model.g_optimizer.momentum_value.numpy()) == pytest.approx(0.5 + 0.2 * 100 / 249)
