"""The diffusion family: noise schedules against their formulas, the samplers against oracle
networks (where one step must land exactly on the data), the EMA's arithmetic, and training."""

import numpy as np
import pytest
import tensorflow as tf

import models
from models.diffusion import Diffusion
from models.schedules import noise_schedule


def test_linear_schedule_has_ho_et_al_s_ends_and_cosine_follows_its_formula():
    betas, alpha_bars = noise_schedule("linear", 1000)
    assert betas[0] == pytest.approx(1e-4) and betas[-1] == pytest.approx(0.02)
    assert np.all(np.diff(alpha_bars) < 0) and alpha_bars[-1] < 1e-4  # x_T is nearly pure noise
    # cosine, T = 4, s = 0.008: f(t) = cos²((t/4 + 0.008)/1.008 · π/2); alpha_bar_2 = f(2)/f(0)
    f = lambda t: np.cos((t / 4 + 0.008) / 1.008 * np.pi / 2) ** 2
    assert noise_schedule("cosine", 4)[1][1] == pytest.approx(f(2) / f(0), rel=1e-12)
    with pytest.raises(ValueError, match="unknown noise schedule"):
        noise_schedule("quadratic")


def test_ddim_visits_evenly_spaced_steps_ending_at_t():
    model = models.build("diffusion")
    assert list(model.ddim_times(1)) == [999]
    assert list(model.ddim_times(4)) == [999, 749, 499, 249]
    with pytest.raises(ValueError, match="1 to 1000"):
        model.ddim_times(0)


C = 0.3  # every data image is the constant C: the exact eps and velocity are known in closed form


def _oracle_eps(model):
    """The exact eps-prediction for data x_0 = C everywhere: eps = (x_t - sqrt(a) C) / sqrt(1 - a)."""
    alpha_bars = tf.constant(model.alpha_bars, tf.float32)

    def net(inputs):
        x, t_in = inputs
        t = tf.cast(tf.round(t_in * model.timesteps), tf.int32) - 1
        a = tf.gather(alpha_bars, t)[:, None, None, None]
        return (x - tf.sqrt(a) * C) / tf.sqrt(1.0 - a)

    return net


def _oracle_velocity(inputs):
    """The exact velocity for data x_0 = C: on x_t = (1 - t) C + t eps, v = eps - C = (x_t - C) / t."""
    x, t = inputs
    return (x - C) / t[:, None, None, None]


@pytest.mark.parametrize("steps", [1, 3, 8])
def test_samplers_with_an_oracle_network_land_on_the_data(steps):
    z = tf.random.stateless_normal([5, 28, 28, 1], seed=[1, 2])
    ddpm = models.build("diffusion")
    np.testing.assert_allclose(ddpm.denoise(z, steps, _oracle_eps(ddpm)), C, atol=2e-5)
    flow = models.build("flow-matching")
    np.testing.assert_allclose(flow.denoise(z, steps, _oracle_velocity), C, atol=2e-5)
    # a wrong network does not: predicting zero velocity leaves the noise where it was
    assert np.abs(flow.denoise(z, steps, lambda inputs: tf.zeros_like(inputs[0])) - C).mean() > 0.5


def test_trajectory_runs_the_sampler_s_steps_and_ends_at_its_samples():
    model = models.build("flow-matching")
    z = tf.random.stateless_normal([2, 28, 28, 1], seed=[3, 4])
    states = model.trajectory(z, 4)
    assert len(states) == 5
    np.testing.assert_allclose(states[0], (z.numpy() + 1) / 2, atol=1e-6)
    np.testing.assert_allclose(np.clip(states[-1], 0, 1), model.render(z, 4, True).numpy(), atol=1e-5)


def _batch(n=16):
    return tf.constant(np.random.default_rng(0).uniform(-1, 1, (n, 28, 28, 1)).astype(np.float32))


def test_ema_warms_up_then_averages():
    model = models.build("flow-matching", ema_decay=0.999)
    start = [w.numpy().copy() for w in model.denoiser.weights]
    np.testing.assert_array_equal(model.ema_denoiser.weights[0].numpy(), start[0])  # starts as a copy
    model.train_step(_batch())
    # after 1 update (n = 1 at the EMA): d = min(0.999, 2/11) = 0.1818...; ema = d·start + (1 - d)·w
    d = 2.0 / 11.0
    for average, first, weight in zip(model.ema_denoiser.weights, start, model.denoiser.weights):
        np.testing.assert_allclose(average.numpy(), d * first + (1 - d) * weight.numpy(), atol=1e-6)
    off = models.build("flow-matching", ema_decay=0.0)
    off.train_step(_batch())
    for average, weight in zip(off.ema_denoiser.weights, off.denoiser.weights):
        np.testing.assert_array_equal(average.numpy(), weight.numpy())


def _two_updates(optimizer, second: float) -> np.ndarray:
    """A fresh copy of `optimizer` (from its config) moving w = 0 by the gradient (1, 0, 0) and then
    by `second` times it."""
    import keras

    copy = keras.optimizers.Adam.from_config(optimizer.get_config())
    w = keras.Variable(np.zeros(3, np.float32))
    for scale in (1.0, second):
        copy.apply_gradients([(tf.constant([scale, 0.0, 0.0]), w)])
    return w.numpy()


@pytest.mark.parametrize("name", ["diffusion", "flow-matching"])
def test_denoisers_clip_the_gradients_global_norm_at_one(name):
    # Adam's first step moves w[0] by -lr = -1e-3 whatever the gradient's size. The second step's
    # gradient 100 is clipped to norm 1, so the two steps equal two of gradient 1: w[0] = -2e-3.
    # Unclipped, m = 0.9·0.1 + 0.1·100 = 10.09 and v = 0.999·0.001 + 0.001·1e4 = 10.000999; with
    # the bias corrections (1 - 0.9²) = 0.19 and (1 - 0.999²) = 0.001999 the step is
    # 1e-3·(10.09/0.19)/sqrt(10.000999/0.001999) = 1e-3·53.105/70.732 = 0.751e-3: w[0] = -1.751e-3.
    clipped = models.build(name).optimizer
    np.testing.assert_allclose(_two_updates(clipped, 100.0), _two_updates(clipped, 1.0), rtol=1e-6)
    np.testing.assert_allclose(_two_updates(clipped, 1.0)[0], -2e-3, rtol=1e-4)
    unclipped = models.build(name, clip_norm=0).optimizer
    np.testing.assert_allclose(_two_updates(unclipped, 100.0)[0], -1.751e-3, rtol=1e-3)


def test_one_compiled_graph_serves_every_chunk_of_a_sampler():
    model = models.build("diffusion")
    model.sample(1500, seed=0, steps=2)  # two chunks: 1,000 and 500
    model.sample(3, seed=1, steps=2)
    assert [key for key in model.__dict__["_compiled"] if key[0] == "render"] == [("render", (None, 2, True))]


def test_network_evaluations_count_the_sampler_s_steps():
    assert models.build("diffusion", sample_steps=16).network_evaluations() == 16
    assert models.build("flow-matching").network_evaluations(4) == 4
    assert models.build("gan-dense").network_evaluations() == 1
    assert models.build("vae-dense").network_evaluations() == 1


def test_diffusion_training_noise_is_a_step_index_and_gaussian_noise():
    model = models.build("diffusion")
    t, eps = model.training_noise(4096, tf.constant([1, 2]))
    assert t.dtype == tf.int32 and int(tf.reduce_min(t)) >= 0 and int(tf.reduce_max(t)) <= 999
    assert abs(float(tf.math.reduce_std(eps)) - 1.0) < 0.01
    assert isinstance(model, Diffusion)
