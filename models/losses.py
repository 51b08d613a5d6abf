"""Losses as pure functions: per example, in nats, stable from logits.

Shapes are asserted at the edges: GAN logits are (batch, 1) or (batch,); VAE tensors are
(batch, ...) with matching leading dimension.
"""

from __future__ import annotations

import tensorflow as tf


def _flat(x):
    return tf.reshape(x, [tf.shape(x)[0], -1])


def gaussian_kl(mean, log_var):
    """KL(N(mean, diag exp(log_var)) || N(0, I)) per example, summed over latent dims.

        KL = -1/2 * sum_j (1 + log_var_j - mean_j^2 - exp(log_var_j))

    Kingma & Welling 2014, "Auto-Encoding Variational Bayes", Appendix B.
    """
    tf.debugging.assert_equal(tf.shape(mean), tf.shape(log_var), message="mean/log_var shapes")
    return -0.5 * tf.reduce_sum(1.0 + log_var - tf.square(mean) - tf.exp(log_var), axis=-1)


def bernoulli_nll(x, logits):
    """-log p(x | logits) = sum_pixels [softplus(l) - x * l], per example.

    The stable form of -[x log sigmoid(l) + (1 - x) log(1 - sigmoid(l))]; x may be in [0, 1].
    """
    tf.debugging.assert_equal(tf.shape(x), tf.shape(logits), message="x/logits shapes")
    return tf.reduce_sum(
        _flat(tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits)), axis=-1
    )


def negative_elbo(x, logits, mean, log_var):
    """-ELBO(x) = -E_q log p(x|z) + KL(q(z|x) || p(z)), with one z and the analytic KL.

    Kingma & Welling 2014, Eq. 10. Returns (total, reconstruction, kl), each per example.
    """
    reconstruction = bernoulli_nll(x, logits)
    kl = gaussian_kl(mean, log_var)
    return reconstruction + kl, reconstruction, kl


def _gan_logits(logits, name):
    logits = tf.convert_to_tensor(logits)
    tf.debugging.assert_rank_in(logits, [1, 2], message=f"{name}: (batch,) or (batch, 1)")
    return tf.reshape(logits, [-1])


def discriminator_loss(real_logits, fake_logits):
    """-V(D, G) = -[mean log D(x) + mean log(1 - D(G(z)))], with D = sigmoid(logits).

    log D = -softplus(-l) and log(1 - D) = -softplus(l). Goodfellow et al. 2014, Eq. 1.
    """
    real = _gan_logits(real_logits, "real_logits")
    fake = _gan_logits(fake_logits, "fake_logits")
    return tf.reduce_mean(tf.nn.softplus(-real)) + tf.reduce_mean(tf.nn.softplus(fake))


def non_saturating_generator_loss(fake_logits):
    """-mean log D(G(z)) = mean softplus(-l), minimised by G.

    Goodfellow et al. 2014, "Generative Adversarial Nets", Sec. 3: the heuristic used in
    practice. Its gradient with respect to the logit is -(1 - D), strong while D rejects the
    samples (D(G(z)) -> 0), which is where training starts.
    """
    fake = _gan_logits(fake_logits, "fake_logits")
    return tf.reduce_mean(tf.nn.softplus(-fake))


def minimax_generator_loss(fake_logits):
    """mean log(1 - D(G(z))) = -mean softplus(l), minimised by G.

    Goodfellow et al. 2014, Eq. 1: the original minimax objective. Its gradient with respect
    to the logit is -D, which vanishes as D(G(z)) -> 0: the generator saturates early on.
    """
    fake = _gan_logits(fake_logits, "fake_logits")
    return -tf.reduce_mean(tf.nn.softplus(fake))


GENERATOR_LOSSES = {"non_saturating": non_saturating_generator_loss, "minimax": minimax_generator_loss}


def _squared_error(target, prediction, name):
    tf.debugging.assert_equal(tf.shape(target), tf.shape(prediction), message=f"{name}: target/prediction shapes")
    return tf.reduce_mean(_flat(tf.square(tf.cast(prediction, tf.float32) - target)), axis=-1)


def simple_diffusion_loss(eps, eps_prediction):
    """||eps - eps_theta(x_t, t)||² / D per example, D the number of pixels, with
    x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps and t uniform on 1..T.

    Ho, Jain & Abbeel 2020, "Denoising Diffusion Probabilistic Models", Eq. 14 (L_simple): the
    ELBO's terms with their weights beta_t² / (2 sigma_t² alpha_t (1 - alpha_bar_t)) dropped.
    """
    return _squared_error(eps, eps_prediction, "simple_diffusion_loss")


def flow_matching_loss(velocity, velocity_prediction):
    """||(eps - x_0) - v_theta(x_t, t)||² / D per example, with x_t = (1 - t) x_0 + t eps and
    t uniform on [0, 1]: the conditional flow-matching loss on the straight path, whose
    minimiser is the marginal velocity E[eps - x_0 | x_t].

    Lipman et al. 2023, "Flow Matching for Generative Modeling", Eq. 23 (sigma_min = 0);
    Liu, Gong & Liu 2022, "Flow Straight and Fast" (rectified flow), Eq. 1.
    """
    return _squared_error(velocity, velocity_prediction, "flow_matching_loss")
