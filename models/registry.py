"""The model registry as plain data (no TensorFlow import): names, families, builders by
name, and default settings. `models.build` turns an entry into a compiled keras.Model."""

from __future__ import annotations

TRAINING_DEFAULTS = {"learning_rate": 1e-3, "beta_1": 0.9, "batch_size": 128}
GAN_TRAINING = {**TRAINING_DEFAULTS, "beta_1": 0.5}
DENSE_GAN = {"z_dim": 96, "d_hidden": (256, 256), "g_hidden": (1024, 1024), "alpha": 0.01}

REGISTRY = {
    "vae-dense": {"family": "vae", "nets": ("dense_encoder", "dense_decoder"),
                  "defaults": {"latent_dim": 20, "hidden": (512, 256), **TRAINING_DEFAULTS}},
    "vae-conv": {"family": "vae", "nets": ("conv_encoder", "conv_decoder"),
                 "defaults": {"latent_dim": 20, "filters": (32, 64), "dense": 256, **TRAINING_DEFAULTS}},
    "gan-dense": {"family": "gan", "nets": ("dense_discriminator", "dense_generator"),
                  "defaults": {**DENSE_GAN, "generator_loss": "non_saturating", **GAN_TRAINING}},
    "gan-dense-minimax": {"family": "gan", "nets": ("dense_discriminator", "dense_generator"),
                          "defaults": {**DENSE_GAN, "generator_loss": "minimax", **GAN_TRAINING}},
    "gan-conv": {"family": "gan", "nets": ("conv_discriminator", "conv_generator"),
                 "defaults": {"z_dim": 96, "alpha": 0.01, "generator_loss": "non_saturating",
                              **GAN_TRAINING}},
}
MODEL_NAMES = tuple(REGISTRY)
COMPILE_KEYS = ("jit_compile", "steps_per_execution")


def entry(name: str) -> dict:
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")
    return REGISTRY[name]


def family(name: str) -> str:
    return entry(name)["family"]


def defaults(name: str) -> dict:
    return dict(entry(name)["defaults"])
