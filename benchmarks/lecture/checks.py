"""Numerical checks of the course's statements. Each returns (rows, figure data); a row is
{check, quantity, residual, tolerance}. Quadrature uses probabilists' Gauss-Hermite nodes."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from models.losses import GENERATOR_LOSSES, gaussian_kl

tfd = tfp.distributions
F64 = tf.float64


def gauss_hermite(f, mean, std, nodes: int = 80):
    """E_{z ~ N(mean, std^2)} f(z) by Gauss-Hermite quadrature (exact for degree < 2*nodes)."""
    t, w = np.polynomial.hermite_e.hermegauss(nodes)
    return np.sum(w * f(mean + std * t)) / np.sqrt(2 * np.pi)


def _row(check, quantity, residual, tolerance):
    return {"check": check, "quantity": quantity, "residual": float(residual),
            "tolerance": float(tolerance), "pass": bool(residual <= tolerance)}


def elbo_identities(a=1.5, b=0.3, s=0.8, mc_samples=200_000, seed=0):
    """(i) log p(x) - ELBO = KL(q || p(z|x)); (ii) ELBO = -KL(q || p(z)) + E_q log p(x|z),
    on p(z) = N(0, 1), p(x|z) = N(a z + b, s^2), where everything has a closed form."""
    rng = np.random.default_rng(seed)
    prior = tfd.Normal(tf.constant(0.0, F64), 1.0)
    rows, worst, pairs = [], {"i quad": 0.0, "ii quad": 0.0, "i mc": 0.0, "mc tol": 0.0}, 0
    for x in (-1.0, 0.4, 2.5):
        evidence = float(tfd.Normal(tf.constant(b, F64), np.sqrt(a * a + s * s)).log_prob(x))
        post_var = s * s / (s * s + a * a)
        post_mean = post_var * a * (x - b) / (s * s)
        for m, v in ((post_mean, post_var), (0.0, 1.0), (post_mean + 1.0, 0.5 * post_var), (-2.0, 2.0)):
            q, pairs = tfd.Normal(tf.constant(m, F64), np.sqrt(v)), pairs + 1
            def log_lik(z, x=x):
                return tfd.Normal(tf.constant(a, F64) * z + b, s).log_prob(x).numpy()

            def integrand(z, q=q, log_lik=log_lik):  # log p(x, z) - log q(z)
                return log_lik(z) + prior.log_prob(z).numpy() - q.log_prob(z).numpy()

            elbo = gauss_hermite(integrand, m, np.sqrt(v))
            kl_post = float(tfd.kl_divergence(q, tfd.Normal(tf.constant(post_mean, F64), np.sqrt(post_var))))
            kl_prior = float(tfd.kl_divergence(q, prior))
            expected_ll = gauss_hermite(log_lik, m, np.sqrt(v))
            worst["i quad"] = max(worst["i quad"], abs(evidence - elbo - kl_post))
            worst["ii quad"] = max(worst["ii quad"], abs(elbo - (-kl_prior + expected_ll)))
            z = m + np.sqrt(v) * rng.standard_normal(mc_samples)
            values = integrand(z)
            worst["i mc"] = max(worst["i mc"], abs(evidence - values.mean() - kl_post))
            worst["mc tol"] = max(worst["mc tol"], 5 * values.std() / np.sqrt(mc_samples) + 1e-12)
    rows.append(_row("ELBO (i)", f"log p(x) - ELBO - KL(q||p(z|x)), quadrature, {pairs} (x, q)", worst["i quad"], 1e-8))
    rows.append(_row("ELBO (ii)", "ELBO + KL(q||p(z)) - E_q log p(x|z), quadrature", worst["ii quad"], 1e-8))
    rows.append(_row("ELBO (i)", f"same, Monte Carlo ({mc_samples:,} z; tol. 5 s.e.)", worst["i mc"], worst["mc tol"]))
    # figure data: q = N(m, post_var) with m moving across the posterior, at x = 2.5
    x = 2.5
    post_var = s * s / (s * s + a * a)
    post_mean = post_var * a * (x - b) / (s * s)
    means = np.linspace(post_mean - 2.5, post_mean + 2.5, 101)
    post = tfd.Normal(tf.constant(post_mean, F64), np.sqrt(post_var))
    gap = np.array([float(tfd.kl_divergence(tfd.Normal(tf.constant(m, F64), np.sqrt(post_var)), post)) for m in means])
    evidence = float(tfd.Normal(tf.constant(b, F64), np.sqrt(a * a + s * s)).log_prob(x))
    return rows, {"means": means, "evidence": evidence, "elbo": evidence - gap, "post_mean": post_mean}


def kl_formula(mc_samples=100_000, seed=0):
    """-1/2 (1 + log s^2 - m^2 - s^2) against tfp and Monte Carlo, on a (m, s) grid."""
    mus, sigmas = np.linspace(-2, 2, 9), np.linspace(0.2, 2.0, 10)
    mu, sigma = np.meshgrid(mus, sigmas)
    analytic = gaussian_kl(tf.constant(mu.reshape(-1, 1)), tf.constant(np.log(sigma**2).reshape(-1, 1))).numpy()
    q = tfd.Normal(tf.constant(mu.ravel()), sigma.ravel())
    exact = tfd.kl_divergence(q, tfd.Normal(tf.constant(0.0, F64), 1.0)).numpy()
    rng = np.random.default_rng(seed)
    z = mu.ravel() + sigma.ravel() * rng.standard_normal((mc_samples, mu.size))
    log_ratio = q.log_prob(z).numpy() - tfd.Normal(tf.constant(0.0, F64), 1.0).log_prob(z).numpy()
    mc_err = np.abs(log_ratio.mean(0) - analytic) / (log_ratio.std(0) / np.sqrt(mc_samples) + 1e-12)
    rows = [_row("KL formula", "max |formula - tfp.kl_divergence| on a 9x10 (mu, sigma) grid",
                 np.abs(analytic - exact).max(), 1e-12),
            _row("KL formula", "max |formula - Monte Carlo| in standard errors", mc_err.max(), 5.0)]
    grid_mu, grid_sigma = np.meshgrid(np.linspace(-3, 3, 121), np.linspace(0.05, 3, 120))
    kl = -0.5 * (1 + np.log(grid_sigma**2) - grid_mu**2 - grid_sigma**2)
    return rows, {"mu": grid_mu, "sigma": grid_sigma, "kl": kl}


TEST_FUNCTIONS = {
    "x^2": (lambda x: x**2, lambda m, s: (2 * m, 2 * s)),
    "sin x": (tf.sin, lambda m, s: (np.cos(m) * np.exp(-s * s / 2), -s * np.sin(m) * np.exp(-s * s / 2))),
    "sigmoid(4x)": (lambda x: tf.sigmoid(4 * x), None),  # exact gradient by quadrature
}


def _exact_gradient(f, closed, m, s):
    if closed is not None:
        return np.array(closed(m, s))
    df = lambda x: (4 * tf.sigmoid(4 * x) * (1 - tf.sigmoid(4 * x))).numpy()
    t, w = np.polynomial.hermite_e.hermegauss(200)
    d_mu = np.sum(w * df(tf.constant(m + s * t))) / np.sqrt(2 * np.pi)
    d_sigma = np.sum(w * df(tf.constant(m + s * t)) * t) / np.sqrt(2 * np.pi)
    return np.array([d_mu, d_sigma])


def gradient_estimates(f, m, s, n, reps, seed, kind):
    """`reps` independent n-sample estimates of d/d(mu, sigma) E f(x), shape (reps, 2)."""
    mu = tf.Variable(tf.fill([reps, 1], tf.constant(m, F64)))
    sigma = tf.Variable(tf.fill([reps, 1], tf.constant(s, F64)))
    dist = tfd.Normal(mu, sigma)
    with tf.GradientTape() as tape:
        if kind == "reparameterization":  # x = mu + sigma * eps: differentiate through the sample
            x = dist.sample(n, seed=tf.constant([seed, 0]))
            total = tf.reduce_sum(tf.reduce_mean(f(x), 0))
        else:  # score function: f(x) * grad log p(x), x held fixed
            x = tf.stop_gradient(dist.sample(n, seed=tf.constant([seed, 0])))
            total = tf.reduce_sum(tf.reduce_mean(tf.stop_gradient(f(x)) * dist.log_prob(x), 0))
    g_mu, g_sigma = tape.gradient(total, [mu, sigma])
    return np.stack([g_mu.numpy()[:, 0], g_sigma.numpy()[:, 0]], 1)


def reparameterization(m=0.5, s=1.2, n_mean=400_000, sizes=(10, 100, 1_000, 10_000), reps=200, seed=0):
    rows, variances = [], {}
    for name, (f, closed) in TEST_FUNCTIONS.items():
        exact = _exact_gradient(f, closed, m, s)
        for kind in ("reparameterization", "score function"):
            est = gradient_estimates(f, m, s, n_mean, 1, seed, kind)[0]
            spread = gradient_estimates(f, m, s, 1_000, 100, seed + 1, kind).std(0) / np.sqrt(n_mean / 1_000)
            rows.append(_row(f"grad {kind}", f"E {name}: max |estimate - exact| in s.e. (N = {n_mean:,})",
                             np.max(np.abs(est - exact) / spread), 5.0))
            variances[(name, kind)] = [gradient_estimates(f, m, s, n, reps, seed + 7 + n, kind).var(0).sum()
                                       for n in sizes]
    rows += inverse_cdf()
    return rows, {"sizes": np.array(sizes), "variances": variances}


def inverse_cdf(rate=1.7, n=400_000, seed=0):
    """Exponential by inverse-CDF sampling: x = g(u) = -log(1 - u) / rate with u ~ U(0, 1).
    d/d rate E[x^2] = d/d rate (2 / rate^2) = -4 / rate^3; p(x) = q(g^-1(x)) |d g^-1 / dx|."""
    lam = tf.Variable(tf.constant(rate, F64))
    u = tf.random.stateless_uniform([n], seed=[seed, 3], dtype=F64)
    with tf.GradientTape() as tape:
        x = -tf.math.log1p(-u) / lam
        objective = tf.reduce_mean(x**2)
    grad = float(tape.gradient(objective, lam))
    per_sample_se = float(tf.math.reduce_std(-2 * x**2 / lam)) / np.sqrt(n)
    xs = tf.constant(np.linspace(0.01, 4.0, 50))
    with tf.GradientTape() as tape:
        tape.watch(xs)
        g_inv = 1 - tf.exp(-rate * xs)  # g^-1(x) = F(x)
    density = tape.gradient(g_inv, xs).numpy() * 1.0  # q = U(0, 1) has density 1 on (0, 1)
    exact_density = tfd.Exponential(tf.constant(rate, F64)).prob(xs).numpy()
    return [_row("inverse CDF", "d/d rate E[x^2] vs -4/rate^3, in s.e.", abs(grad + 4 / rate**3) / per_sample_se, 5.0),
            _row("change of variables", "max |q(g^-1(x)) |dg^-1/dx| - p(x)|",
                 np.abs(density - exact_density).max(), 1e-12)]


def conv_adjoint(seed=0):
    """<Conv2D_K(x), y> = <x, Conv2DTranspose_K(y)>: the Keras layers, given the very same
    kernel array (Conv2D stores (h, w, in, out), Conv2DTranspose (h, w, out, in)), at the conv
    generator's shapes (7->14->28, stride 2, 'same'), in float64."""
    import keras

    rng = np.random.default_rng(seed)
    rows = []
    for (hw, c_small), (big, c_big) in (((7, 128), (14, 64)), ((14, 64), (28, 1))):
        kernel = rng.normal(size=(4, 4, c_big, c_small))  # conv: c_big -> c_small
        conv = keras.layers.Conv2D(c_small, 4, strides=2, padding="same", use_bias=False, dtype="float64")
        convt = keras.layers.Conv2DTranspose(c_big, 4, strides=2, padding="same", use_bias=False, dtype="float64")
        conv.build((None, big, big, c_big))
        convt.build((None, hw, hw, c_small))
        conv.set_weights([kernel])
        convt.set_weights([kernel])
        x = tf.constant(rng.normal(size=(2, big, big, c_big)))
        y = tf.constant(rng.normal(size=(2, hw, hw, c_small)))
        lhs = tf.reduce_sum(conv(x) * y)
        rhs = tf.reduce_sum(x * convt(y))
        shapes = f"{hw}x{hw}x{c_small} -> {big}x{big}x{c_big}"
        rows.append(_row("Conv2DTranspose adjoint", f"|<Kx, y> - <x, K^T y>| / |<Kx, y>|, {shapes}",
                         abs(float(lhs - rhs)) / abs(float(lhs)), 1e-12))
    k = tf.constant(np.arange(1, 10, dtype=np.float64).reshape(3, 3, 1, 1))
    one_hot = np.zeros((1, 9, 9, 1))
    one_hot[0, 4, 4, 0] = 1
    small = np.zeros((1, 5, 5, 1))
    small[0, 2, 2, 0] = 1
    data = {"kernel": k.numpy()[:, :, 0, 0],
            "conv": tf.nn.conv2d(one_hot, k, 1, "SAME").numpy()[0, :, :, 0],
            "transpose": tf.nn.conv2d_transpose(small, k, (1, 10, 10, 1), 2, "SAME").numpy()[0, :, :, 0],
            "overlap": tf.nn.conv2d_transpose(np.ones((1, 5, 5, 1)), tf.ones_like(k), (1, 10, 10, 1), 2,
                                              "SAME").numpy()[0, :, :, 0]}
    return rows, data


def generator_gradients():
    """d loss / d logit: minimax log(1 - D) gives -D (vanishes as D -> 0); non-saturating
    -log D gives -(1 - D) (about -1 there). Checked by autodiff of models.losses."""
    d = np.logspace(-4, np.log10(0.9999), 200)
    logits = tf.constant(np.log(d / (1 - d)).reshape(-1, 1))
    grads = {}
    for kind in ("minimax", "non_saturating"):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            loss = GENERATOR_LOSSES[kind](logits) * len(d)  # undo the mean: per-example gradients
        grads[kind] = np.abs(tape.gradient(loss, logits).numpy()[:, 0])
    residual = max(np.abs(grads["minimax"] - d).max(), np.abs(grads["non_saturating"] - (1 - d)).max())
    return [_row("GAN generator loss", "|dL/dlogit| vs D (minimax), 1 - D (non-saturating)", residual, 1e-9)], {
        "d": d, **grads}
