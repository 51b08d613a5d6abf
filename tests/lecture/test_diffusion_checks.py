"""The diffusion lecture checks: each passes on the truth and fails on a planted error, with the
hand arithmetic of the smallest case in comments."""

import numpy as np
import pytest

from benchmarks.lecture import diffusion_checks as dc


def test_forward_process_matches_the_closed_form_and_a_wrong_schedule_does_not(monkeypatch):
    rows, data = dc.forward_process(n=4_000, at=(1, 100, 1000))
    assert all(r["pass"] for r in rows)
    assert data["mean"].shape == (3, 4) and data["var"].shape == (3, 4)
    # compose with betas twice too large: at t = 100 the variance is far above 1 - alpha_bar_100
    real = dc.noise_schedule
    monkeypatch.setattr(dc, "noise_schedule", lambda name, steps: (2 * real(name, steps)[0], real(name, steps)[1]))
    rows, _ = dc.forward_process(n=4_000, at=(1, 100, 1000))
    assert not all(r["pass"] for r in rows)


def test_elbo_weight_by_hand_on_a_two_step_schedule():
    # beta = (0.1, 0.2): alpha = (0.9, 0.8), alpha_bar = (0.9, 0.72); posterior variance at t = 2:
    # (1 - 0.9)/(1 - 0.72)·0.2 = 0.0714286; lambda_2 = 0.2² / (2·0.0714286·0.8·0.28) = 0.04/0.032 = 1.25
    betas = np.array([0.1, 0.2])
    assert dc.elbo_weights(betas)[0] == pytest.approx(1.25, rel=1e-12)
    # one dimension, ||eps - eps_hat||² = 1: the step's KL is lambda_2 · 1 = 1.25
    kl = dc.step_kl(betas, 2, np.array([[0.4]]), np.array([[1.0]]), np.array([[0.0]]))
    assert kl[0] == pytest.approx(1.25, rel=1e-9)
    # a perfect eps_hat costs nothing (the degenerate case)
    assert dc.step_kl(betas, 2, np.array([[0.4]]), np.array([[1.0]]), np.array([[1.0]]))[0] == pytest.approx(0.0)


def test_weighted_elbo_check_passes_and_would_catch_a_wrong_weight(monkeypatch):
    rows, data = dc.weighted_elbo()
    assert rows[0]["pass"] and rows[0]["residual"] < 1e-9
    assert data["linear"].min() > 0 and len(data["t"]) == len(data["linear"]) == 999
    monkeypatch.setattr(dc, "elbo_weights", lambda betas: np.ones(len(betas) - 1))  # L_simple's weights
    rows, _ = dc.weighted_elbo()
    assert not rows[0]["pass"]


def test_parameterizations_convert_exactly():
    rows, data = dc.parameterizations(dims=64)
    assert all(r["pass"] for r in rows) and len(data["images"]) == 6


def test_marginal_velocity_of_one_point_mass_is_a_straight_line_back_to_it():
    # x_0 = m always (std 0): x_t = (1 - t) m + t eps, so eps = (x - (1 - t) m)/t and u = eps - m = (x - m)/t
    u = dc.marginal_velocity(np.array([0.0, 1.0, 3.0]), 0.5, weights=(1.0,), means=(1.0,), stds=(0.0,))
    np.testing.assert_allclose(u, [-2.0, 0.0, 4.0])


def test_flow_matching_regression_recovers_the_marginal_and_not_a_wrong_one(monkeypatch):
    rows, data = dc.flow_matching_regression(n=40_000, bins=20)
    assert rows[0]["pass"] and len(data["panels"]) == 3
    # against the velocity of the wrong mixture (both means shifted by 1), the fit lands many s.e. away
    real = dc.marginal_velocity
    monkeypatch.setattr(dc, "marginal_velocity", lambda x, t: real(x, t, means=(-1.0, 2.5)))
    rows, _ = dc.flow_matching_regression(n=40_000, bins=20)
    assert not rows[0]["pass"]
