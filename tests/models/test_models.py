import numpy as np
import pytest
import tensorflow as tf
from keras import layers as klayers
from keras import ops

import models
from models import architectures
from models.layers import leaky_relu, reparameterize


def test_leaky_relu_is_piecewise_and_matches_keras():
    x = tf.constant([-3.0, -0.5, 0.0, 0.5, 3.0])
    expected = np.where(x.numpy() >= 0, x.numpy(), 0.2 * x.numpy())
    np.testing.assert_allclose(leaky_relu(x, 0.2), expected)
    np.testing.assert_allclose(leaky_relu(x, 0.2), ops.leaky_relu(x, negative_slope=0.2))


def test_leaky_relu_gradient_is_one_and_alpha():
    x = tf.constant([-2.0, -0.1, 0.1, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(leaky_relu(x, 0.01))
    np.testing.assert_allclose(tape.gradient(y, x), [0.01, 0.01, 1.0, 1.0])


@pytest.mark.parametrize("alpha", [-0.1, 1.5])
def test_leaky_relu_rejects_alpha_outside_0_1(alpha):
    with pytest.raises(ValueError, match="0 <= alpha <= 1"):
        leaky_relu(tf.constant([1.0]), alpha)


def test_reparameterized_gradient_matches_analytic():
    # E[z^2] = mu^2 + sigma^2 with sigma^2 = exp(v): d/dmu = 2 mu, d/dv = exp(v)
    import keras

    mean, log_var = tf.Variable([0.7]), tf.Variable([np.log(0.5)], dtype=tf.float32)
    n = 200_000
    with tf.GradientTape() as tape:
        z = reparameterize(tf.repeat(mean, n), tf.repeat(log_var, n), keras.random.SeedGenerator(3))
        objective = tf.reduce_mean(z**2)
    g_mean, g_log_var = tape.gradient(objective, [mean, log_var])
    # per-sample gradients 2z and z*(z-mu): their MC standard error at n = 2e5 is < 0.005
    assert float(g_mean[0]) == pytest.approx(1.4, abs=0.02)
    assert float(g_log_var[0]) == pytest.approx(0.5, abs=0.02)


def _batch(name, n=32):
    x = np.random.default_rng(0).random((n, 28, 28, 1)).astype(np.float32)
    return (x > 0.5).astype(np.float32) if models.family(name) == "vae" else x * 2 - 1


@pytest.mark.parametrize("name", models.MODEL_NAMES)
def test_every_model_samples_in_range_and_trains(name):
    model = models.build(name, seed=0)
    samples = model.sample(7, seed=1)
    assert samples.shape == (7, 28, 28, 1) and samples.dtype == np.float32
    assert samples.min() >= 0.0 and samples.max() <= 1.0
    before = [v.numpy().copy() for v in model.trainable_variables]
    model.train_step(tf.constant(_batch(name)))  # the U-Net's output layer starts at zero: a second step moves the rest
    logs = model.train_step(tf.constant(_batch(name)))
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert set(logs) == {m.name for m in model.metrics}
    changed = [not np.array_equal(b, v.numpy()) for b, v in zip(before, model.trainable_variables)]
    assert all(changed)


def test_vae_exposes_encode_decode_elbo_and_2d_latent():
    model = models.build("vae-dense", latent_dim=2)
    x = tf.constant(_batch("vae-dense", 5))
    mean, log_var = model.encode(x)
    assert mean.shape == (5, 2) and log_var.shape == (5, 2)
    assert model.decode(mean).shape == (5, 28, 28, 1)
    assert model.elbo(x).shape == (5,)


def test_registry_rejects_unknown_names():
    with pytest.raises(ValueError, match="choose from vae-dense"):
        models.build("score-sde")
    with pytest.raises(ValueError, match="unknown setting"):
        models.build("gan-dense", depth=3)


def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    # <conv(x), y> = <x, conv_transpose(y)> for the Keras layers given the same kernel array,
    # stride 2, 'same' padding, at the conv generator's shapes: the lecture check, in float64
    from benchmarks.lecture.checks import conv_adjoint

    rows, _ = conv_adjoint(seed=0)
    assert len(rows) == 2
    for row in rows:
        assert row["residual"] <= row["tolerance"] == 1e-12, row


def test_vae_generate_is_the_bernoulli_mean_and_elbo_is_repeatable():
    model = models.build("vae-dense", latent_dim=3)
    z = tf.constant(np.random.default_rng(4).normal(size=(5, 3)).astype(np.float32))
    np.testing.assert_allclose(model.generate(z), tf.sigmoid(model.decode(z)), rtol=1e-6)
    x = tf.constant(_batch("vae-dense", 4))
    np.testing.assert_array_equal(model.elbo(x, seed=3), model.elbo(x, seed=3))  # a stateless draw
    assert not np.array_equal(model.elbo(x, seed=3), model.elbo(x, seed=4))
    # reparameterize with a stateless seed: mean + sigma * eps, eps the stateless normal draw
    mean, log_var = tf.fill([2, 3], 0.5), tf.fill([2, 3], np.log(4.0).astype(np.float32))
    eps = tf.random.stateless_normal([2, 3], seed=(3, 1))
    np.testing.assert_allclose(reparameterize(mean, log_var, (3, 1)), 0.5 + 2.0 * eps, rtol=1e-6)


def test_registry_entries_name_their_builders_and_arguments():
    from models.registry import REGISTRY

    for name, spec in REGISTRY.items():
        model = models.build(name)
        roles = {"vae": ("encoder", "decoder"), "gan": ("discriminator", "generator"),
                 "diffusion": ("denoiser",)}[spec["family"]]
        assert tuple(spec["nets"]) == roles
        for role, (builder, args) in spec["nets"].items():
            assert callable(getattr(architectures, builder)), (name, builder)
            assert set(args.values()) <= set(spec["defaults"]), (name, role)  # every argument is a setting
            assert getattr(model, role).name == role
    # the diffusion family's EMA network is a second build of its denoiser's builder
    flow = models.build("flow-matching", widths=(8, 16))
    assert flow.ema_denoiser.name == "ema_denoiser" and flow.ema_denoiser.count_params() == flow.denoiser.count_params()
    # a setting reaches the builder it names: d_hidden is the dense discriminator's widths
    d = models.build("gan-dense", d_hidden=(32, 16)).discriminator
    assert [layer.units for layer in d.layers if isinstance(layer, klayers.Dense)] == [32, 16, 1]


def test_tfp_is_consistent_with_the_iwae_weights():
    model = models.build("vae-dense", latent_dim=3)
    x = tf.constant(_batch("vae-dense", 4))
    log_w = model.log_weights(x, 6)
    assert log_w.shape == (6, 4) and np.isfinite(log_w.numpy()).all()
    # E_q[log w] is the ELBO: compare the k-sample average with many single-sample ELBOs
    many = np.mean([model.elbo(x, seed=s).numpy() for s in range(200)], axis=0)
    mc = model.log_weights(x, 2000).numpy().mean(0)
    np.testing.assert_allclose(mc, many, rtol=0.02)


def test_models_import_nothing_of_the_benchmark():
    import ast
    from pathlib import Path

    for path in Path(models.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "benchmarks" for n in names), (path.name, names)


def test_scoring_many_runs_traces_each_method_once_per_model_and_tensorflow_warns_of_no_retracing(caplog):
    """Scoring loads a model object per run, samples in chunks (the last one smaller) and takes
    the IWAE weights on chunks of two sizes: each method is traced once per model, the graph's
    output is the model's own, and TensorFlow's retracing warning never comes."""
    from models.layers import compiled

    rng = np.random.default_rng(0)
    x = tf.constant((rng.random((13, 28, 28, 1)) > 0.5).astype("float32"))
    z = tf.constant(rng.standard_normal((7, 20)).astype("float32"))
    with caplog.at_level("WARNING", logger="tensorflow"):
        for seed in range(6):
            model = models.build("vae-dense", seed=seed)
            assert model.sample(1500, seed=1).shape == (1500, 28, 28, 1)  # chunks of 1,000 and 500
            np.testing.assert_allclose(compiled(model, "generate")(z), model.generate(z), atol=1e-6)
            for rows in (x[:10], x[10:]):
                np.testing.assert_allclose(compiled(model, "log_weights")(rows, 5, tf.constant(3)),
                                           model.log_weights(rows, 5, tf.constant(3)), rtol=1e-5, atol=1e-3)
    assert "retracing" not in caplog.text
