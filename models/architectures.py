"""Builder functions for the networks. Defaults follow the cs231n 2018 assignment 3 GANs."""

from __future__ import annotations

import keras
from keras import layers

from models.layers import LeakyReLU, Maxout

IMAGE_SHAPE = (28, 28, 1)


def dense_discriminator(hidden=(256, 256), alpha=0.01):
    """D: 784 -> 256 -> 256 -> 1 logit, leaky_relu(alpha) between."""
    net = [keras.Input(IMAGE_SHAPE), layers.Flatten()]
    for width in hidden:
        net += [layers.Dense(width), LeakyReLU(alpha)]
    return keras.Sequential(net + [layers.Dense(1)], name="discriminator")


def dense_generator(z_dim=96, hidden=(1024, 1024)):
    """G: z (uniform on [-1, 1]) -> 1024 ReLU -> 1024 ReLU -> 784 tanh."""
    net = [keras.Input((z_dim,))]
    net += [layers.Dense(width, activation="relu") for width in hidden]
    net += [layers.Dense(784, activation="tanh"), layers.Reshape(IMAGE_SHAPE)]
    return keras.Sequential(net, name="generator")


def conv_discriminator(alpha=0.01, filters=(32, 64), kernel=5):
    """D: Conv(32,5)+leaky, pool, Conv(64,5)+leaky, pool, Dense(4*4*64)+leaky, Dense(1)."""
    net = [keras.Input(IMAGE_SHAPE)]
    for f in filters:
        net += [layers.Conv2D(f, kernel), LeakyReLU(alpha), layers.MaxPooling2D(2)]
    net += [layers.Flatten(), layers.Dense(4 * 4 * filters[-1]), LeakyReLU(alpha), layers.Dense(1)]
    return keras.Sequential(net, name="discriminator")


def conv_generator(z_dim=96, dense=1024, channels=128):
    """G: Dense(1024) ReLU BN, Dense(7*7*128) ReLU BN, ConvT(64,4,s2) ReLU BN, ConvT(1,4,s2) tanh."""
    net = [
        keras.Input((z_dim,)),
        layers.Dense(dense, activation="relu"), layers.BatchNormalization(),
        layers.Dense(7 * 7 * channels, activation="relu"), layers.BatchNormalization(),
        layers.Reshape((7, 7, channels)),
        layers.Conv2DTranspose(channels // 2, 4, strides=2, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
    ]
    return keras.Sequential(net, name="generator")


def maxout_discriminator(units=240, pieces=5, init=0.005, input_keep=0.8, hidden_keep=0.5):
    """Goodfellow et al. 2014's MNIST D (their mnist.yaml): dropout keeping `input_keep` of the
    784 inputs, Maxout(240 x 5), dropout keeping `hidden_keep`, Maxout(240 x 5), dropout, Dense(1)
    logit; every weight uniform on [-init, init], biases 0. Keras's dropout scales what it keeps
    by 1 / keep, as pylearn2's input_scales (1.25, 2) do."""
    uniform = keras.initializers.RandomUniform(-init, init)
    net = [keras.Input(IMAGE_SHAPE), layers.Flatten(), layers.Dropout(1 - input_keep)]
    for _ in range(2):
        net += [Maxout(units, pieces, uniform), layers.Dropout(1 - hidden_keep)]
    return keras.Sequential(net + [layers.Dense(1, kernel_initializer=uniform)], name="discriminator")


def sigmoid_generator(z_dim=100, hidden=(1200, 1200), init=0.05):
    """Goodfellow et al. 2014's MNIST G: z (Gaussian) -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid
    (pixels in [0, 1]), every weight uniform on [-init, init], biases 0."""
    uniform = keras.initializers.RandomUniform(-init, init)
    net = [keras.Input((z_dim,))]
    net += [layers.Dense(width, activation="relu", kernel_initializer=uniform) for width in hidden]
    net += [layers.Dense(784, activation="sigmoid", kernel_initializer=uniform), layers.Reshape(IMAGE_SHAPE)]
    return keras.Sequential(net, name="generator")


def dense_encoder(latent_dim=20, hidden=(512, 256), activation="relu"):
    """q(z|x): 784 -> 512 -> 256 -> (mean, log_var), concatenated on the last axis."""
    net = [keras.Input(IMAGE_SHAPE), layers.Flatten()]
    net += [layers.Dense(width, activation=activation) for width in hidden]
    return keras.Sequential(net + [layers.Dense(2 * latent_dim)], name="encoder")


def dense_decoder(latent_dim=20, hidden=(512, 256), activation="relu"):
    """p(x|z): the encoder mirrored, ending in 784 Bernoulli logits."""
    net = [keras.Input((latent_dim,))]
    net += [layers.Dense(width, activation=activation) for width in reversed(hidden)]
    net += [layers.Dense(784), layers.Reshape(IMAGE_SHAPE)]
    return keras.Sequential(net, name="decoder")


def conv_encoder(latent_dim=20, filters=(32, 64), dense=256):
    """q(z|x): Conv(32,3,s2), Conv(64,3,s2), Dense(256), -> (mean, log_var)."""
    net = [keras.Input(IMAGE_SHAPE)]
    net += [layers.Conv2D(f, 3, strides=2, padding="same", activation="relu") for f in filters]
    net += [layers.Flatten(), layers.Dense(dense, activation="relu"), layers.Dense(2 * latent_dim)]
    return keras.Sequential(net, name="encoder")


def conv_decoder(latent_dim=20, filters=(32, 64), dense=256):
    """p(x|z): Dense(256), Dense(7*7*64), ConvT(64,3,s2), ConvT(32,3,s2), ConvT(1,3) logits."""
    net = [
        keras.Input((latent_dim,)),
        layers.Dense(dense, activation="relu"),
        layers.Dense(7 * 7 * filters[-1], activation="relu"),
        layers.Reshape((7, 7, filters[-1])),
    ]
    net += [
        layers.Conv2DTranspose(f, 3, strides=2, padding="same", activation="relu")
        for f in reversed(filters)
    ]
    return keras.Sequential(net + [layers.Conv2DTranspose(1, 3, padding="same")], name="decoder")


def unet(widths=(32, 64)):
    """The diffusion family's U-Net (models/unet.py): (x_t, t) -> a 28x28x1 image."""
    from models import unet as unets

    return unets.unet(widths)
