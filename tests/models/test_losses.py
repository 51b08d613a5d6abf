"""Closed-form checks of every loss, with the arithmetic in comments."""

import math

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp

from models import losses

tfd = tfp.distributions
LOG2 = math.log(2.0)


def test_gaussian_kl_matches_tfp_on_random_parameters():
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(8, 5)).astype(np.float32)
    log_var = rng.normal(scale=0.7, size=(8, 5)).astype(np.float32)
    q = tfd.Independent(tfd.Normal(mean, np.exp(0.5 * log_var)), 1)
    p = tfd.Independent(tfd.Normal(tf.zeros(5), tf.ones(5)), 1)
    np.testing.assert_allclose(losses.gaussian_kl(mean, log_var), tfd.kl_divergence(q, p), rtol=1e-5)


def test_gaussian_kl_is_zero_at_the_prior():
    # mean 0, log_var 0: -1/2 (1 + 0 - 0 - e^0) = 0 in every dim
    assert float(losses.gaussian_kl(tf.zeros([1, 3]), tf.zeros([1, 3]))[0]) == 0.0


def test_gaussian_kl_by_hand():
    # mu = 1, sigma^2 = 0.25: -1/2 (1 + ln 0.25 - 1 - 0.25) = -1/2 (-1.3862944 - 0.25) = 0.8181472
    kl = losses.gaussian_kl(tf.constant([[1.0]]), tf.math.log(tf.constant([[0.25]])))
    assert float(kl[0]) == pytest.approx(0.8181472, abs=1e-6)


def test_bernoulli_nll_matches_tfd_bernoulli():
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=3, size=(4, 28, 28, 1)).astype(np.float32)
    x = (rng.random((4, 28, 28, 1)) < 0.3).astype(np.float32)
    expected = -tf.reduce_sum(tfd.Bernoulli(logits=logits).log_prob(x), axis=[1, 2, 3])
    np.testing.assert_allclose(losses.bernoulli_nll(x, logits), expected, rtol=1e-5)


def test_negative_elbo_is_the_sum_of_its_terms():
    x = tf.ones([2, 28, 28, 1])
    logits = tf.zeros([2, 28, 28, 1])  # each pixel: -log sigmoid(0) = log 2
    total, rec, kl = losses.negative_elbo(x, logits, tf.constant([[1.0], [0.0]]),
                                          tf.math.log(tf.constant([[0.25], [1.0]])))
    np.testing.assert_allclose(rec, [784 * LOG2] * 2, rtol=1e-6)  # 784 * 0.6931472 = 543.4274
    np.testing.assert_allclose(kl, [0.8181472, 0.0], atol=1e-6)
    np.testing.assert_allclose(total, rec + kl, rtol=1e-6)


def test_gan_losses_at_zero_logits_are_log2_per_term():
    zeros = tf.zeros([4, 1])
    # D = 1/2: -[log 1/2 + log 1/2] = 2 log 2
    assert float(losses.discriminator_loss(zeros, zeros)) == pytest.approx(2 * LOG2)
    # non-saturating: -log 1/2 = log 2; minimax: log(1 - 1/2) = -log 2
    assert float(losses.non_saturating_generator_loss(zeros)) == pytest.approx(LOG2)
    assert float(losses.minimax_generator_loss(zeros)) == pytest.approx(-LOG2)


def test_gan_losses_on_hand_picked_logits():
    real, fake = tf.constant([[2.0]]), tf.constant([[-1.0]])
    # D(x) = sigmoid(2) = 0.8807971 -> -log D(x) = 0.1269280
    # D(G(z)) = sigmoid(-1) = 0.2689414 -> -log(1 - D) = 0.3132617, -log D = 1.3132617
    assert float(losses.discriminator_loss(real, fake)) == pytest.approx(0.1269280 + 0.3132617, abs=1e-6)
    assert float(losses.non_saturating_generator_loss(fake)) == pytest.approx(1.3132617, abs=1e-6)
    assert float(losses.minimax_generator_loss(fake)) == pytest.approx(-0.3132617, abs=1e-6)


@pytest.mark.parametrize("loss", [losses.discriminator_loss, *losses.GENERATOR_LOSSES.values()])
def test_gan_losses_reject_bad_shapes(loss):
    args = [tf.zeros([2, 2, 2])] + ([tf.zeros([2, 1])] if loss is losses.discriminator_loss else [])
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        loss(*args)


def test_the_registry_maps_each_gan_to_its_named_loss():
    import models

    gans = [name for name in models.MODEL_NAMES if models.family(name) == "gan"]
    assert {name: models.generator_loss(name) for name in gans} == {
        "gan-dense": "non_saturating", "gan-dense-minimax": "minimax", "gan-conv": "non_saturating",
        "gan-goodfellow": "non_saturating"}  # their g_obj: cross-entropy of D(G(z)) against 1
    assert models.loss_variants() == [("gan-dense", "gan-dense-minimax")]
    for name in gans:  # the built model trains with exactly that function
        assert models.build(name).generator_loss is losses.GENERATOR_LOSSES[models.generator_loss(name)]


@pytest.mark.parametrize("loss", [losses.simple_diffusion_loss, losses.flow_matching_loss])
def test_denoising_losses_are_the_per_pixel_mean_square_by_hand(loss):
    # two 2x2 images: target 1 everywhere; predictions 0 everywhere (mean of 1² = 1), and
    # (0, 1, 2, 3) (squared errors 1, 0, 1, 4: mean 6/4 = 1.5)
    target = tf.ones([2, 2, 2, 1])
    prediction = tf.constant([[[[0.0], [0.0]], [[0.0], [0.0]]], [[[0.0], [1.0]], [[2.0], [3.0]]]])
    np.testing.assert_allclose(loss(target, prediction), [1.0, 1.5], rtol=1e-6)
    np.testing.assert_array_equal(loss(target, target), [0.0, 0.0])  # a perfect prediction costs nothing
    with pytest.raises(tf.errors.InvalidArgumentError):
        loss(target, tf.ones([2, 3, 2, 1]))
