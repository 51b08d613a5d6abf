"""The GAN: a thin keras.Model whose train_step is one D ascent step on V, then one G step."""

from __future__ import annotations

import keras
import tensorflow as tf

from models.layers import batch_and_noise, compiled, sample_in_chunks
from models.losses import discriminator_loss, non_saturating_generator_loss


class GAN(keras.Model):
    """D ascends V(D, G) = E log D(x) + E log(1 - D(G(z))); G minimises `generator_loss`
    (a function of D's logits on G(z), from `models.losses`)."""

    def __init__(self, discriminator, generator, z_dim, generator_loss=non_saturating_generator_loss,
                 seed=0, **kwargs):
        super().__init__(**kwargs)
        self.discriminator, self.generator = discriminator, generator
        self.z_dim, self.generator_loss = int(z_dim), generator_loss
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")  # mean D(x)
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")  # mean D(G(z))

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    def optimizers(self):
        return [self.d_optimizer, self.g_optimizer]

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def _logits(self, images, training=True):
        """D's logits in float32, whatever the layers compute in (the losses' input)."""
        return tf.cast(self.discriminator(images, training=training), tf.float32)

    def training_noise(self, n, seed):
        """The noise of one training step of n images: (z for D's step, fresh z for G's), each
        uniform on [-1, 1] of shape (n, z_dim), drawn statelessly from `seed` (2 integers)."""
        d_seed, g_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        return tuple(tf.random.stateless_uniform([n, self.z_dim], seed=s, minval=-1.0, maxval=1.0)
                     for s in (d_seed, g_seed))

    def train_step(self, data):
        """`data`: a batch of real images, or (real, (z_d, z_g)) as the harness stages it
        (`batch_and_noise`)."""
        real, (z, z_g) = batch_and_noise(self, data)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        # Discriminator: one ascent step on V(D, G), i.e. descent on -V.
        fake = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            d_real_logits = self._logits(real)
            d_fake_logits = self._logits(fake)
            d_loss = discriminator_loss(d_real_logits, d_fake_logits)
            d_scaled = d_loss / replicas
        d_grads = tape.gradient(d_scaled, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(d_grads, self.discriminator.trainable_weights))
        # Generator: one step on its loss, through the updated D, with fresh z.
        with tf.GradientTape() as tape:
            g_fake_logits = self._logits(self.generator(z_g, training=True))
            g_loss = self.generator_loss(g_fake_logits)
            g_scaled = g_loss / replicas
        g_grads = tape.gradient(g_scaled, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(g_grads, self.generator.trainable_weights))
        # Track the losses and what D says of real and fake images.
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(tf.reduce_mean(tf.sigmoid(d_real_logits)))
        self.d_fake_tracker.update_state(tf.reduce_mean(tf.sigmoid(d_fake_logits)))
        return {m.name: m.result() for m in self.metrics}

    def generate(self, z):
        """Images in [0, 1], (n, 28, 28, 1), in float32: (G(z) + 1) / 2."""
        return (tf.cast(self.generator(z, training=False), tf.float32) + 1.0) / 2.0

    def network_evaluations(self) -> int:
        """Network evaluations per sample: one pass of the generator."""
        return 1

    def sample(self, n, seed=0):
        """n images in [0, 1], (n, 28, 28, 1): `generate(z)` with z uniform on [-1, 1]."""
        generate = compiled(self, "generate")

        def chunk(i, size):
            z = tf.random.stateless_uniform([size, self.z_dim], seed=[seed, i], minval=-1.0, maxval=1.0)
            return generate(z).numpy()

        return sample_in_chunks(chunk, n)
