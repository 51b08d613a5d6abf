"""Diffusion and flow matching: thin keras.Models that train one U-Net to undo noise, keep an
exponential moving average (EMA) of its weights, and sample with a loop of S network
evaluations compiled into one graph.

Both see images in [-1, 1] (x_0) and Gaussian noise eps of the same shape; `generate(z)` maps
the starting noise z to images in [0, 1], with the EMA weights and the model's default S.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from models.architectures import IMAGE_SHAPE
from models.layers import batch_and_noise, compiled, sample_in_chunks
from models.losses import flow_matching_loss, simple_diffusion_loss
from models.schedules import noise_schedule


def x0_from_eps(x_t, eps, alpha_bar):
    """x_0 = (x_t - sqrt(1 - alpha_bar)·eps) / sqrt(alpha_bar), from x_t = sqrt(alpha_bar)·x_0 +
    sqrt(1 - alpha_bar)·eps (Ho et al. 2020, Eq. 4)."""
    return (x_t - tf.sqrt(1.0 - alpha_bar) * eps) / tf.sqrt(alpha_bar)


def eps_from_x0(x_t, x0, alpha_bar):
    """eps = (x_t - sqrt(alpha_bar)·x_0) / sqrt(1 - alpha_bar): the inverse of `x0_from_eps`."""
    return (x_t - tf.sqrt(alpha_bar) * x0) / tf.sqrt(1.0 - alpha_bar)


def score_from_eps(eps, alpha_bar):
    """grad_x log q(x_t | x_0) = -eps / sqrt(1 - alpha_bar) (Song et al. 2021, Eq. 5; Vincent 2011)."""
    return -eps / tf.sqrt(1.0 - alpha_bar)


def velocity_from_eps(x_t, eps, t):
    """On the straight path x_t = (1 - t)·x_0 + t·eps: v = dx_t/dt = eps - x_0, with
    x_0 = (x_t - t·eps) / (1 - t)."""
    return eps - (x_t - t * eps) / (1.0 - t)


def eps_from_velocity(x_t, v, t):
    """The inverse of `velocity_from_eps`: eps = x_t + (1 - t)·v."""
    return x_t + (1.0 - t) * v


class Denoising(keras.Model):
    """What both models share: the loss tracker, the EMA, and chunked, compiled sampling.
    A subclass defines `noisy` (x_0, noise -> network input, time, target) and `sampler`
    (steps -> a function (i, x, network) -> x after sampler step i of `steps`)."""

    def __init__(self, denoiser, ema_denoiser, sample_steps=32, quick_steps=8, ema_decay=0.999, seed=0, **kwargs):
        """`ema_denoiser`: a second network of the same architecture, which starts as a copy of
        `denoiser`'s weights and then holds their moving average."""
        super().__init__(**kwargs)
        self.denoiser, self.ema_denoiser = denoiser, ema_denoiser
        self.ema_denoiser.set_weights(denoiser.get_weights())
        self.ema_denoiser.trainable = False
        self.sample_steps, self.quick_steps, self.ema_decay = int(sample_steps), int(quick_steps), float(ema_decay)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def optimizers(self):
        return [self.optimizer]

    def call(self, inputs, training=False):
        return self.denoiser(inputs, training=training)

    def network(self, ema: bool = True):
        return self.ema_denoiser if ema else self.denoiser

    def train_step(self, data):
        """`data`: a batch x_0 in [-1, 1], or (x_0, (t, eps)) as the harness stages it."""
        x0, noise = batch_and_noise(self, data)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        x_t, t, target = self.noisy(x0, *noise)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(self.loss_fn(target, self.denoiser([x_t, t], training=True)))
            scaled_loss = loss / replicas
        grads = tape.gradient(scaled_loss, self.denoiser.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.denoiser.trainable_weights))
        self.update_ema()
        self.loss_tracker.update_state(loss)
        return {m.name: m.result() for m in self.metrics}

    def update_ema(self):
        """ema <- d·ema + (1 - d)·w, d = min(ema_decay, (1 + n) / (10 + n)) after n updates: the
        warm-up of tf.train.ExponentialMovingAverage's num_updates, so that at a budget of a few
        hundred steps the average is not dominated by the untrained weights."""
        n = tf.cast(self.optimizer.iterations, tf.float32)
        decay = tf.minimum(self.ema_decay, (1.0 + n) / (10.0 + n))
        for average, weight in zip(self.ema_denoiser.weights, self.denoiser.weights, strict=True):
            average.assign(decay * average + (1.0 - decay) * tf.cast(weight, average.dtype))

    def network_evaluations(self, steps: int | None = None) -> int:
        """U-Net evaluations per sample with `steps` sampler steps (default: the model's)."""
        return int(steps or self.sample_steps)

    def denoise(self, z, steps: int, net):
        """x_0 in [-1, 1] from x_T = z: the `steps` sampler steps in one tf.while_loop."""
        step = self.sampler(steps)
        return tf.while_loop(lambda i, x: i < steps, lambda i, x: (i + 1, step(i, x, net)), (tf.constant(0), z))[1]

    def trajectory(self, z, steps: int, ema: bool = True) -> list:
        """[x_T = z, x after step 1, ..., x_0], each in [0, 1]-scaled pixels (not clipped), for
        the denoising-trajectory figure: the same steps as `denoise`, one at a time."""
        step, x = self.sampler(int(steps)), tf.cast(z, tf.float32)
        out = [x]
        for i in range(int(steps)):
            x = step(tf.constant(i), x, self.network(ema))
            out.append(x)
        return [((x + 1.0) / 2.0).numpy() for x in out]

    def render(self, z, steps: int, ema: bool):
        """z -> images in [0, 1] after `steps` sampler steps with the EMA (or raw) weights."""
        x0 = self.denoise(tf.cast(z, tf.float32), int(steps), self.network(ema))
        return tf.clip_by_value((x0 + 1.0) / 2.0, 0.0, 1.0)

    def generate(self, z):
        """Images in [0, 1], (n, 28, 28, 1), from starting noise z of that shape: the default
        sampler with the EMA weights."""
        return self.render(z, self.sample_steps, True)

    def sample(self, n, seed=0, steps=None, ema=True):
        """n images in [0, 1]: the sampler at `steps` (default: the model's) from z ~ N(0, I),
        one compiled graph per (steps, ema) for every chunk."""
        render = compiled(self, "render")
        steps = int(steps or self.sample_steps)

        def chunk(i, size):
            z = tf.random.stateless_normal([size, *IMAGE_SHAPE], seed=[seed, i])
            return render(z, steps, bool(ema)).numpy()

        return sample_in_chunks(chunk, n)


class Diffusion(Denoising):
    """DDPM (Ho et al. 2020): eps-prediction on a T-step schedule, trained with L_simple, sampled
    with deterministic DDIM (Song, Meng & Ermon 2021, eta = 0) at S of the T steps."""

    loss_fn = staticmethod(simple_diffusion_loss)

    def __init__(self, denoiser, ema_denoiser, timesteps=1000, schedule="linear", **kwargs):
        super().__init__(denoiser, ema_denoiser, **kwargs)
        self.timesteps, self.schedule = int(timesteps), schedule
        _, alpha_bars = noise_schedule(schedule, self.timesteps)
        self.alpha_bars = alpha_bars  # float64; cast where used

    def training_noise(self, n, seed):
        """(t, eps): t uniform on 0..T-1 (the paper's 1..T), eps ~ N(0, I), from `seed`."""
        t_seed, e_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        t = tf.random.stateless_uniform([n], seed=t_seed, minval=0, maxval=self.timesteps, dtype=tf.int32)
        return t, tf.random.stateless_normal([n, *IMAGE_SHAPE], seed=e_seed)

    def time_input(self, t):
        """The U-Net's time input for step index t (0-based): (t + 1) / T in (0, 1]."""
        return (tf.cast(t, tf.float32) + 1.0) / self.timesteps

    def noisy(self, x0, t, eps):
        a = tf.gather(tf.constant(self.alpha_bars, tf.float32), t)[:, None, None, None]
        return tf.sqrt(a) * x0 + tf.sqrt(1.0 - a) * eps, self.time_input(t), eps

    def ddim_times(self, steps: int) -> np.ndarray:
        """The S step indices DDIM visits, evenly spaced and ending at T - 1 ("trailing"
        spacing, Lin et al. 2024, Table 2): T·(S - i)/S - 1 for i = 0..S-1."""
        if not 1 <= steps <= self.timesteps:
            raise ValueError(f"DDIM takes 1 to {self.timesteps} steps, got {steps}")
        return np.floor(self.timesteps * (steps - np.arange(steps)) / steps).astype(np.int64) - 1

    def sampler(self, steps):
        """DDIM's step i (eta = 0): predict eps at t_i, form x_0 (clipped to [-1, 1]) and the eps
        of that x_0, and move to t_{i+1} on the same line (Song et al. 2021, Eq. 12)."""
        times = self.ddim_times(steps)
        a_now = tf.constant(self.alpha_bars[times], tf.float32)
        a_next = tf.constant(np.append(self.alpha_bars[times[1:]], 1.0), tf.float32)  # 1 after the last
        t_in = tf.constant((times + 1.0) / self.timesteps, tf.float32)

        def step(i, x, net):
            eps = tf.cast(net([x, tf.fill([tf.shape(x)[0]], t_in[i])]), tf.float32)
            x0 = tf.clip_by_value(x0_from_eps(x, eps, a_now[i]), -1.0, 1.0)
            eps = eps_from_x0(x, x0, a_now[i])
            return tf.sqrt(a_next[i]) * x0 + tf.sqrt(1.0 - a_next[i]) * eps

        return step


class FlowMatching(Denoising):
    """Flow matching on the straight path x_t = (1 - t)·x_0 + t·eps (Lipman et al. 2023; Liu et
    al. 2022's rectified flow): the U-Net regresses the velocity eps - x_0 at t ~ U[0, 1], and
    samples by Euler steps of dx/dt = v(x, t) from t = 1 (noise) to t = 0."""

    loss_fn = staticmethod(flow_matching_loss)

    def training_noise(self, n, seed):
        """(t, eps): t uniform on [0, 1], eps ~ N(0, I), from `seed`."""
        t_seed, e_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        return tf.random.stateless_uniform([n], seed=t_seed), tf.random.stateless_normal([n, *IMAGE_SHAPE],
                                                                                         seed=e_seed)

    def noisy(self, x0, t, eps):
        s = t[:, None, None, None]
        return (1.0 - s) * x0 + s * eps, t, eps - x0

    def sampler(self, steps):
        """Euler's step i: x <- x - h·v(x, t_i), h = 1/S, t_i = 1 - i·h."""
        h = 1.0 / steps

        def step(i, x, net):
            t = 1.0 - tf.cast(i, tf.float32) * h
            return x - h * tf.cast(net([x, tf.fill([tf.shape(x)[0]], t)]), tf.float32)

        return step
