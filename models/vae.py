"""The VAE: a thin keras.Model whose train_step minimises the mean negative ELBO."""

from __future__ import annotations

import keras
import tensorflow as tf
import tensorflow_probability as tfp

from models.layers import batch_and_noise, compiled, reparameterize, sample_in_chunks
from models.losses import negative_elbo

tfd = tfp.distributions


class VAE(keras.Model):
    def __init__(self, encoder, decoder, latent_dim, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder, self.latent_dim = encoder, decoder, int(latent_dim)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def optimizers(self):
        return [self.optimizer]

    def encode(self, x, training=False):
        """(mean, log_var) of q(z|x), in float32 whatever the layers compute in."""
        z_params = tf.cast(self.encoder(x, training=training), tf.float32)
        return z_params[:, : self.latent_dim], z_params[:, self.latent_dim :]

    def decode(self, z, training=False):
        """Bernoulli logits of p(x|z), shape (n, 28, 28, 1), in float32 (the losses' input)."""
        return tf.cast(self.decoder(z, training=training), tf.float32)

    def generate(self, z):
        """The Bernoulli means sigmoid(decoder(z)) in [0, 1], (n, 28, 28, 1)."""
        return tf.sigmoid(self.decode(z))

    def call(self, x, training=False):
        z_mean, z_log_var = self.encode(x, training)
        return self.decode(reparameterize(z_mean, z_log_var, self.seed_generator), training)

    def training_noise(self, n, seed):
        """The noise of one training step of n images: (eps,), eps ~ N(0, I) of shape
        (n, latent_dim), drawn statelessly from `seed` (2 integers)."""
        return (tf.random.stateless_normal([n, self.latent_dim], seed=seed),)

    def train_step(self, data):
        """`data`: a batch x, or (x, (eps,)) as the harness stages it (`batch_and_noise`)."""
        x, (eps,) = batch_and_noise(self, data)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        with tf.GradientTape() as tape:
            # Encode, sample z = mean + sigma * eps, decode.
            z_mean, z_log_var = self.encode(x, training=True)
            z = reparameterize(z_mean, z_log_var, eps=eps)
            x_logits = self.decode(z, training=True)
            # Minimise the mean negative ELBO (the optimizer sums gradients over replicas).
            total, reconstruction, kl = negative_elbo(x, x_logits, z_mean, z_log_var)
            loss = tf.reduce_mean(total)
            scaled_loss = loss / replicas
        grads = tape.gradient(scaled_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        # Track each term.
        self.loss_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(tf.reduce_mean(reconstruction))
        self.kl_tracker.update_state(tf.reduce_mean(kl))
        return {m.name: m.result() for m in self.metrics}

    def elbo(self, x, seed=0):
        """Per-example ELBO(x) in nats, one z per example drawn with `seed`."""
        z_mean, z_log_var = self.encode(x)
        z = reparameterize(z_mean, z_log_var, seed=(seed, 1))
        total, _, _ = negative_elbo(x, self.decode(z), z_mean, z_log_var)
        return -total

    def log_weights(self, x, k, seed=0):
        """log p(x, z_i) - log q(z_i | x) for k draws z_i ~ q(z|x): shape (k, batch)."""
        z_mean, z_log_var = self.encode(x)
        q = tfd.Normal(z_mean, tf.exp(0.5 * z_log_var))
        z = q.sample(k, seed=tf.stack([tf.cast(seed, tf.int32), 2]))  # (k, batch, latent)
        flat = tf.reshape(z, [-1, self.latent_dim])
        pixels = tf.reshape(x, [1, tf.shape(x)[0], -1])  # flat: about 20% faster than (k, batch, 28, 28, 1)
        logits = tf.reshape(self.decode(flat), [k, tf.shape(x)[0], -1])
        log_px_z = tf.reduce_sum(tfd.Bernoulli(logits=logits).log_prob(pixels), axis=-1)
        log_pz = tf.reduce_sum(tfd.Normal(0.0, 1.0).log_prob(z), axis=-1)
        return log_px_z + log_pz - tf.reduce_sum(q.log_prob(z), axis=-1)

    def network_evaluations(self) -> int:
        """Network evaluations per sample: one pass of the decoder."""
        return 1

    def sample(self, n, seed=0):
        """n images in [0, 1], (n, 28, 28, 1): `generate(z)` with z ~ N(0, I)."""
        generate = compiled(self, "generate")

        def chunk(i, size):
            z = tf.random.stateless_normal([size, self.latent_dim], seed=[seed, i])
            return generate(z).numpy()

        return sample_in_chunks(chunk, n)
