"""The GAN: a thin keras.Model whose train_step is one D ascent step on V, then one G step
(or, as in Goodfellow et al. 2014's code, both from the same samples at once)."""

from __future__ import annotations

import keras
import tensorflow as tf

from models.layers import batch_and_noise, compiled, sample_in_chunks
from models.losses import discriminator_loss, non_saturating_generator_loss


class GAN(keras.Model):
    """D ascends V(D, G) = E log D(x) + E log(1 - D(G(z))); G minimises `generator_loss`
    (a function of D's logits on G(z), from `models.losses`).

    `noise`: z uniform on [-1, 1] or standard Gaussian. `pixels`: G's output in [-1, 1] (tanh,
    the data scaled to match) or in [0, 1] (sigmoid). `simultaneous`: one G(z) per step, D's
    and G's gradients both from D's one (dropout) pass over it, applied together, D's loss
    halved: pylearn2's AdversaryCost2 in Goodfellow et al.'s code; else D's step, then G's
    step through the updated D with fresh z (the cs231n recipe)."""

    def __init__(self, discriminator, generator, z_dim, generator_loss=non_saturating_generator_loss,
                 seed=0, noise="uniform", pixels="signed", simultaneous=False, **kwargs):
        super().__init__(**kwargs)
        self.discriminator, self.generator = discriminator, generator
        self.z_dim, self.generator_loss = int(z_dim), generator_loss
        self.noise, self.pixels, self.simultaneous = noise, pixels, bool(simultaneous)
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

    def draw_z(self, n, seed):
        """z of shape (n, z_dim) from the model's prior, drawn statelessly from `seed` (2 integers)."""
        if self.noise == "gaussian":
            return tf.random.stateless_normal([n, self.z_dim], seed=seed)
        return tf.random.stateless_uniform([n, self.z_dim], seed=seed, minval=-1.0, maxval=1.0)

    def training_noise(self, n, seed):
        """The noise of one training step of n images: (z for D's step, fresh z for G's), drawn
        statelessly from `seed` (2 integers); a simultaneous step uses the first."""
        d_seed, g_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        return tuple(self.draw_z(n, s) for s in (d_seed, g_seed))

    def begin_epoch(self, epoch: int) -> None:
        """Called by the harness before each pass: an optimizer with a momentum schedule
        (`models.optimizers.MomentumSGD`) gets the epoch's momentum."""
        for opt in self.optimizers():
            if getattr(opt, "momentum_schedule", None):
                opt.set_momentum(opt.momentum_schedule(epoch))

    def train_step(self, data):
        """`data`: a batch of real images, or (real, (z_d, z_g)) as the harness stages it
        (`batch_and_noise`)."""
        real, (z, z_g) = batch_and_noise(self, data)
        if self.simultaneous:
            return self._simultaneous_step(real, z)
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
        return self._track(d_loss, g_loss, d_real_logits, d_fake_logits)

    def _simultaneous_step(self, real, z):
        """Goodfellow et al.'s step: S = G(z); D's objective 0.5 * -V and G's objective, both
        from D's one pass over S (one dropout mask), differentiated in D's and G's weights at
        the same point and applied together. The tracked d_loss is -V, as for every GAN."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        with tf.GradientTape(persistent=True) as tape:
            d_real_logits = self._logits(real)
            d_fake_logits = self._logits(self.generator(z, training=True))
            d_loss = discriminator_loss(d_real_logits, d_fake_logits)
            g_loss = self.generator_loss(d_fake_logits)
            d_scaled, g_scaled = 0.5 * d_loss / replicas, g_loss / replicas
        d_grads = tape.gradient(d_scaled, self.discriminator.trainable_weights)
        g_grads = tape.gradient(g_scaled, self.generator.trainable_weights)
        del tape
        self.d_optimizer.apply_gradients(zip(d_grads, self.discriminator.trainable_weights))
        self.g_optimizer.apply_gradients(zip(g_grads, self.generator.trainable_weights))
        return self._track(d_loss, g_loss, d_real_logits, d_fake_logits)

    def _track(self, d_loss, g_loss, d_real_logits, d_fake_logits) -> dict:
        """Track the losses and what D says of real and fake images; the step's logs."""
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(tf.reduce_mean(tf.sigmoid(d_real_logits)))
        self.d_fake_tracker.update_state(tf.reduce_mean(tf.sigmoid(d_fake_logits)))
        return {m.name: m.result() for m in self.metrics}

    def generate(self, z):
        """Images in [0, 1], (n, 28, 28, 1), in float32: (G(z) + 1) / 2, or G(z) itself where G
        ends in a sigmoid."""
        images = tf.cast(self.generator(z, training=False), tf.float32)
        return images if self.pixels == "unit" else (images + 1.0) / 2.0

    def network_evaluations(self) -> int:
        """Network evaluations per sample: one pass of the generator."""
        return 1

    def sample(self, n, seed=0):
        """n images in [0, 1], (n, 28, 28, 1): `generate(z)` with z from the prior."""
        generate = compiled(self, "generate")

        def chunk(i, size):
            return generate(self.draw_z(size, [seed, i])).numpy()

        return sample_in_chunks(chunk, n)
