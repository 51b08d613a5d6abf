"""Numerical checks of the diffusion part of the course, tied back to its ELBO and KL. Each
returns (rows, figure data), rows as in `checks`: {check, quantity, residual, tolerance, pass}."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from benchmarks.lecture.checks import _row
from models import diffusion
from models.schedules import noise_schedule

tfd = tfp.distributions
F64 = tf.float64
SCHEDULE = "linear"  # the diffusion model's (models/registry.py)
TIMESTEPS = 1000


def forward_process(n=50_000, x0s=(-1.0, 0.0, 0.5, 1.0), at=(1, 10, 50, 100, 250, 500, 1000), seed=0):
    """Composing t steps x_t = sqrt(1 - beta_t)·x_{t-1} + sqrt(beta_t)·eps_t gives
    q(x_t | x_0) = N(sqrt(alpha_bar_t)·x_0, 1 - alpha_bar_t) (Ho et al. 2020, Eq. 4): n chains per
    x_0, their mean and variance at each t in `at` against the closed form, in standard errors."""
    betas, alpha_bars = noise_schedule(SCHEDULE, TIMESTEPS)
    rng = np.random.default_rng(seed)
    x = np.repeat(np.asarray(x0s, np.float64)[:, None], n, axis=1)
    sampled = {"mean": [], "var": []}
    worst_mean = worst_var = 0.0
    for t in range(1, TIMESTEPS + 1):
        x = np.sqrt(1.0 - betas[t - 1]) * x + np.sqrt(betas[t - 1]) * rng.standard_normal(x.shape)
        if t in at:
            mean, var = x.mean(1), x.var(1, ddof=1)
            closed_mean, closed_var = np.sqrt(alpha_bars[t - 1]) * np.asarray(x0s), 1.0 - alpha_bars[t - 1]
            worst_mean = max(worst_mean, np.max(np.abs(mean - closed_mean) / np.sqrt(closed_var / n)))
            worst_var = max(worst_var, np.max(np.abs(var - closed_var) / (closed_var * np.sqrt(2.0 / (n - 1)))))
            sampled["mean"].append(mean)
            sampled["var"].append(var)
    what = f"{len(x0s)} x_0, {len(at)} t, {n:,} chains each"
    rows = [_row("forward process", f"max |mean - sqrt(a_bar_t) x_0| in s.e. ({what})", worst_mean, 5.0),
            _row("forward process", "max |variance - (1 - a_bar_t)| in s.e.", worst_var, 5.0)]
    return rows, {"t": np.asarray(at), "x0s": np.asarray(x0s), "alpha_bars": alpha_bars,
                  "mean": np.array(sampled["mean"]), "var": np.array(sampled["var"])}


def elbo_weights(betas):
    """lambda_t = beta_t² / (2·sigma_t²·alpha_t·(1 - alpha_bar_t)), sigma_t² = beta~_t the
    posterior variance, for t = 2..T: the weight of ||eps - eps_hat||² in the ELBO's t-th KL
    (Ho et al. 2020, Eq. 12); L_simple sets every weight to 1."""
    alphas = 1.0 - betas
    alpha_bars = np.cumprod(alphas)
    posterior_var = (1.0 - alpha_bars[:-1]) / (1.0 - alpha_bars[1:]) * betas[1:]
    return betas[1:] ** 2 / (2.0 * posterior_var * alphas[1:] * (1.0 - alpha_bars[1:]))


def step_kl(betas, t: int, x0, eps, eps_hat):
    """KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)) for 1-based t >= 2, x_t made from (x_0, eps),
    p's mean from eps_hat (Ho et al. 2020, Eq. 11) and p's variance the posterior's, by tfp."""
    alphas = 1.0 - betas
    alpha_bars = np.cumprod(alphas)
    a, a_bar, a_bar_prev, beta = alphas[t - 1], alpha_bars[t - 1], alpha_bars[t - 2], betas[t - 1]
    x_t = np.sqrt(a_bar) * x0 + np.sqrt(1.0 - a_bar) * eps
    posterior_mean = (np.sqrt(a_bar_prev) * beta / (1.0 - a_bar)) * x0 + (np.sqrt(a) * (1.0 - a_bar_prev)
                                                                         / (1.0 - a_bar)) * x_t
    posterior_std = np.sqrt((1.0 - a_bar_prev) / (1.0 - a_bar) * beta)
    model_mean = (x_t - beta / np.sqrt(1.0 - a_bar) * eps_hat) / np.sqrt(a)
    scale = tf.fill([x0.shape[-1]], tf.constant(posterior_std, F64))
    q = tfd.MultivariateNormalDiag(tf.constant(posterior_mean, F64), scale)
    p = tfd.MultivariateNormalDiag(tf.constant(model_mean, F64), scale)
    return tfd.kl_divergence(q, p).numpy()


def weighted_elbo(dims=16, batch=8, at=(2, 10, 100, 500, 1000), seed=0):
    """Each step's KL between the two Gaussians equals lambda_t·||eps - eps_hat||²: the DDPM loss
    is the ELBO with its weights lambda_t dropped. Relative residual, in float64."""
    betas, _ = noise_schedule(SCHEDULE, TIMESTEPS)
    rng = np.random.default_rng(seed)
    weights = elbo_weights(betas)
    worst = 0.0
    for t in at:
        x0, eps = rng.uniform(-1, 1, (batch, dims)), rng.standard_normal((batch, dims))
        eps_hat = eps + 0.3 * rng.standard_normal((batch, dims))
        kl = step_kl(betas, t, x0, eps, eps_hat)
        weighted = weights[t - 2] * np.sum((eps - eps_hat) ** 2, axis=-1)
        worst = max(worst, np.max(np.abs(kl - weighted) / weighted))
    rows = [_row("DDPM loss = weighted ELBO", f"max |KL_t - lambda_t ||eps - eps_hat||²| / KL_t, t in {list(at)}",
                 worst, 1e-9)]
    cosine = elbo_weights(noise_schedule("cosine", TIMESTEPS)[0])
    return rows, {"t": np.arange(2, TIMESTEPS + 1), "linear": weights, "cosine": cosine}


def parameterizations(seed=0, dims=784):
    """eps-, x_0-, score- and velocity-prediction are linear maps of one another: from true
    (x_0, eps) and x_t, each conversion of models.diffusion gives the others; the score against
    the gradient of log q(x_t | x_0) by autodiff of tfp's Normal. Max absolute error, float64."""
    rng = np.random.default_rng(seed)
    x0 = tf.constant(rng.uniform(-1, 1, (4, dims)), F64)
    eps = tf.constant(rng.standard_normal((4, dims)), F64)
    _, alpha_bars = noise_schedule(SCHEDULE, TIMESTEPS)
    worst = {"x0": 0.0, "score": 0.0, "velocity": 0.0}
    for t in (10, 250, 500, 900):
        a = tf.constant(alpha_bars[t - 1], F64)
        x_t = tf.sqrt(a) * x0 + tf.sqrt(1.0 - a) * eps
        worst["x0"] = max(worst["x0"], float(tf.reduce_max(tf.abs(diffusion.x0_from_eps(x_t, eps, a) - x0))),
                          float(tf.reduce_max(tf.abs(diffusion.eps_from_x0(x_t, x0, a) - eps))))
        with tf.GradientTape() as tape:
            tape.watch(x_t)
            log_q = tf.reduce_sum(tfd.Normal(tf.sqrt(a) * x0, tf.sqrt(1.0 - a)).log_prob(x_t))
        worst["score"] = max(worst["score"],
                             float(tf.reduce_max(tf.abs(diffusion.score_from_eps(eps, a) - tape.gradient(log_q, x_t)))))
    for s in (0.1, 0.5, 0.9):
        t = tf.constant(s, F64)
        x_t = (1.0 - t) * x0 + t * eps
        v = diffusion.velocity_from_eps(x_t, eps, t)
        worst["velocity"] = max(worst["velocity"], float(tf.reduce_max(tf.abs(v - (eps - x0)))),
                                float(tf.reduce_max(tf.abs(diffusion.eps_from_velocity(x_t, v, t) - eps))))
    rows = [_row("parameterizations", "max |x_0(eps) - x_0|, |eps(x_0) - eps| at 4 t", worst["x0"], 1e-12),
            _row("parameterizations", "max |score(eps) - grad log q(x_t|x_0)| (autodiff)", worst["score"], 1e-9),
            _row("parameterizations", "max |v(eps) - (eps - x_0)|, |eps(v) - eps| at 3 t", worst["velocity"], 1e-12)]
    picture = _ring()
    a = alpha_bars[249]
    e = rng.standard_normal(picture.shape)
    x_t = np.sqrt(a) * picture + np.sqrt(1 - a) * e
    shown = {"x₀": picture, "ε": e, "x_t = √ᾱ x₀ + √(1−ᾱ) ε, t = 250": x_t,
             "x₀ from (x_t, ε)": diffusion.x0_from_eps(tf.constant(x_t), tf.constant(e), tf.constant(a, F64)).numpy(),
             "score −ε/√(1−ᾱ)": diffusion.score_from_eps(tf.constant(e), tf.constant(a, F64)).numpy(),
             "velocity ε − x₀ (straight path)": diffusion.velocity_from_eps(
                 tf.constant(0.5 * picture + 0.5 * e), tf.constant(e), tf.constant(0.5, F64)).numpy()}
    return rows, {"images": shown}


def _ring(size=28):
    """A synthetic 'zero' in [-1, 1]: a ring of radius 8 pixels."""
    yy, xx = np.mgrid[:size, :size] - (size - 1) / 2
    return np.clip(2.0 * np.exp(-((np.hypot(xx, yy) - 8.0) ** 2) / 4.0) - 1.0, -1.0, 1.0)


MIXTURE = {"weights": (0.3, 0.7), "means": (-2.0, 1.5), "stds": (0.3, 0.5)}


def marginal_velocity(x, t, weights=MIXTURE["weights"], means=MIXTURE["means"], stds=MIXTURE["stds"]):
    """u(x, t) = E[eps - x_0 | x_t = x] on the straight path, x_0 from a 1-D Gaussian mixture and
    eps ~ N(0, 1): per component k, x_t ~ N((1 - t)·m_k, v_k), v_k = (1 - t)²·s_k² + t², and
    E[eps - x_0 | x_t, k] = t·r/v_k - (m_k + (1 - t)·s_k²·r/v_k), r = x - (1 - t)·m_k; the components
    weighted by their posterior responsibilities."""
    x = np.asarray(x, np.float64)[..., None]
    w, m, s = (np.asarray(v, np.float64) for v in (weights, means, stds))
    var = (1 - t) ** 2 * s**2 + t**2
    r = x - (1 - t) * m
    log_resp = np.log(w) - 0.5 * np.log(2 * np.pi * var) - 0.5 * r**2 / var
    resp = np.exp(log_resp - log_resp.max(-1, keepdims=True))
    resp /= resp.sum(-1, keepdims=True)
    conditional = t * r / var - (m + (1 - t) * s**2 * r / var)
    return np.sum(resp * conditional, -1)


def flow_matching_regression(n=400_000, ts=(0.2, 0.5, 0.8), bins=40, seed=0):
    """The least-squares regressor of the conditional velocity eps - x_0 on x_t (piecewise
    constant: the mean target in each of `bins` quantile bins of x_t) matches the closed-form
    marginal velocity u (averaged over the same bin's x_t): Lipman et al. 2023, Theorem 2,
    checked in standard errors."""
    rng = np.random.default_rng(seed)
    w, m, s = (np.asarray(MIXTURE[k]) for k in ("weights", "means", "stds"))
    worst, panels = 0.0, []
    for t in ts:
        k = rng.choice(len(w), size=n, p=w)
        x0 = m[k] + s[k] * rng.standard_normal(n)
        eps = rng.standard_normal(n)
        x_t, target = (1 - t) * x0 + t * eps, eps - x0
        u = marginal_velocity(x_t, t)
        edges = np.quantile(x_t, np.linspace(0.005, 0.995, bins + 1))
        which = np.digitize(x_t, edges[1:-1])
        inside = (x_t >= edges[0]) & (x_t <= edges[-1])
        centres, fitted, closed = [], [], []
        for b in range(bins):
            sel = inside & (which == b)
            gap = target[sel] - u[sel]
            worst = max(worst, abs(gap.mean()) / (gap.std(ddof=1) / np.sqrt(sel.sum())))
            centres.append(x_t[sel].mean())
            fitted.append(target[sel].mean())
            closed.append(u[sel].mean())
        grid = np.linspace(edges[0], edges[-1], 200)
        pick = rng.choice(n, 3000, replace=False)
        panels.append({"t": t, "x": x_t[pick], "target": target[pick], "centres": np.array(centres),
                       "fitted": np.array(fitted), "grid": grid, "u": marginal_velocity(grid, t)})
    rows = [_row("flow matching", f"max |binned regressor - marginal velocity| in s.e. ({len(ts)} t, {bins} bins, "
                 f"{n:,} pairs each)", worst, 5.0)]
    return rows, {"panels": panels}
