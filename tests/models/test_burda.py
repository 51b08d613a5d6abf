"""vae-burda (Burda et al. 2015's one-stochastic-layer VAE): its architecture, optimizer,
learning-rate schedule and the IWAE bound it is evaluated with."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import models
from benchmarks.scoring.likelihood import vae_likelihood
from models.registry import BURDA_STAGES
from models.schedules import burda_learning_rate, learning_rate, stage_of


def test_the_paper_schedule_gives_its_rates_at_every_stage_boundary():
    # stage i lasts 3^i passes: it starts at pass (3^i - 1) / 2 (0, 1, 4, 13, 40, ...) and ends
    # before (3^(i+1) - 1) / 2; its rate is 1e-3 * 10^(-i/7): 1e-3 at i = 0, 1e-4 at i = 7.
    assert BURDA_STAGES == (1, 3, 9, 27, 81, 243, 729, 2187) and sum(BURDA_STAGES) == 3280
    for i in range(8):
        first, last = (3**i - 1) // 2, (3 ** (i + 1) - 1) // 2 - 1
        expected = 1e-3 * 10 ** (-i / 7)
        assert stage_of(BURDA_STAGES, first) == stage_of(BURDA_STAGES, last) == i
        assert burda_learning_rate(first, BURDA_STAGES) == pytest.approx(expected, rel=1e-12)
        assert burda_learning_rate(last, BURDA_STAGES) == pytest.approx(expected, rel=1e-12)
    assert burda_learning_rate(0, BURDA_STAGES) == pytest.approx(1e-3)
    assert burda_learning_rate(1, BURDA_STAGES) == pytest.approx(7.196856730011521e-4)  # 10^(-1/7) = 0.7197
    assert burda_learning_rate(3279, BURDA_STAGES) == pytest.approx(1e-4)  # the last pass
    assert burda_learning_rate(5000, BURDA_STAGES) == pytest.approx(1e-4)  # past the end: the last rate


def test_a_compressed_schedule_keeps_the_rates_and_models_without_stages_have_none():
    stages = (1, 1, 1, 3, 9, 27, 81, 243)  # the paper suite: 3^(i-2) passes, at least one
    rates = [learning_rate({"learning_rate": 1e-3, "stages": stages}, e) for e in range(sum(stages))]
    assert len(rates) == 366 and rates[:4] == pytest.approx([1e-3, 10**-3.142857, 10**-3.285714, 10**-3.428571])
    assert rates[5] == rates[3] and rates[6] == pytest.approx(1e-3 * 10 ** (-4 / 7))  # stage 3: passes 3..5
    assert rates[-243] == rates[-1] == pytest.approx(1e-4) and rates[-244] == pytest.approx(1e-3 * 10 ** (-6 / 7))
    assert learning_rate(models.defaults("vae-dense"), 3) is None
    with pytest.raises(ValueError, match="epoch must be >= 0"):
        stage_of(stages, -1)


def test_vae_burda_is_the_papers_architecture_and_optimizer():
    model = models.build("vae-burda", seed=0)
    model.sample(1)
    dense = lambda net: [(layer.units, layer.activation.__name__) for layer in net.layers
                         if isinstance(layer, keras.layers.Dense)]
    assert dense(model.encoder) == [(200, "tanh"), (200, "tanh"), (100, "linear")]  # 50 means, 50 log-variances
    assert dense(model.decoder) == [(200, "tanh"), (200, "tanh"), (784, "linear")]  # Bernoulli logits
    # encoder 784*200+200 + 200*200+200 + 200*100+100 = 217,300; decoder 50*200+200 + 40,200 + 200*784+784 = 207,984
    assert models.parameter_count(model) == 217_300 + 207_984
    assert model.optimizer.epsilon == 1e-4 and model.optimizer.beta_1 == 0.9 and model.optimizer.beta_2 == 0.999
    assert models.build("vae-dense").optimizer.epsilon == 1e-7  # the other models keep Keras's default


def _images(n, seed):
    rng = np.random.default_rng(seed)
    return (rng.random((n, 28, 28, 1)) < 0.15).astype(np.float32)


def test_the_iwae_bound_at_k_1_is_the_elbo_in_expectation():
    model = models.build("vae-burda", seed=3)
    x = tf.constant(_images(10, seed=5))
    draws = 200
    # IWAE_1 = log (1/1) sum_{i=1}^{1} w_i = log w_1: one log weight per draw, fresh z each seed
    iwae = np.stack([model.log_weights(x, 1, seed=s).numpy()[0] for s in range(draws)])
    elbo = np.stack([model.elbo(x, seed=s).numpy() for s in range(draws)])
    # the ELBO uses the analytic KL and IWAE_1 a sampled one: equal means, different noise
    diff = iwae.mean(0) - elbo.mean(0)
    se = np.sqrt(iwae.var(0, ddof=1) / draws + elbo.var(0, ddof=1) / draws)
    assert np.all(np.abs(diff) < 4 * se), (diff, se)
    assert np.abs(diff.mean()) < 4 * np.sqrt((se**2).sum()) / len(se)
    # the scorer's bound at k = 1 is that same log weight (first chunk: seed 0)
    scored = vae_likelihood(model, x.numpy(), k=1, iwae_images=10)
    assert scored["iwae_bound"] == pytest.approx(float(model.log_weights(x, 1, seed=tf.constant(0)).numpy().mean()),
                                                 rel=1e-5)
    # and more samples tighten it: IWAE_50 above the ELBO by far more than the noise
    tighter = vae_likelihood(model, x.numpy(), k=50, iwae_images=10)["iwae_bound"]
    assert tighter > elbo.mean() + 10 * np.sqrt((se**2).sum()) / len(se)
