"""Model registry: `MODEL_NAMES` and `build(name, **overrides)` -> a compiled keras.Model.

Each entry is data: the family, the builders and their default keyword arguments. Any
default can be overridden by name; an unknown name raises ValueError listing the valid ones.
"""

from __future__ import annotations

import keras

from models import architectures as arch
from models.gan import GAN
from models.vae import VAE

TRAINING_DEFAULTS = {"learning_rate": 1e-3, "beta_1": 0.9, "batch_size": 128}
GAN_TRAINING = {**TRAINING_DEFAULTS, "beta_1": 0.5}

REGISTRY = {
    "vae-dense": {
        "family": "vae", "encoder": arch.dense_encoder, "decoder": arch.dense_decoder,
        "defaults": {"latent_dim": 20, "hidden": (512, 256), **TRAINING_DEFAULTS},
    },
    "vae-conv": {
        "family": "vae", "encoder": arch.conv_encoder, "decoder": arch.conv_decoder,
        "defaults": {"latent_dim": 20, "filters": (32, 64), "dense": 256, **TRAINING_DEFAULTS},
    },
    "gan-dense": {
        "family": "gan", "discriminator": arch.dense_discriminator,
        "generator": arch.dense_generator,
        "defaults": {"z_dim": 96, "d_hidden": (256, 256), "g_hidden": (1024, 1024),
                     "alpha": 0.01, "generator_loss": "non_saturating", **GAN_TRAINING},
    },
    "gan-dense-minimax": {
        "family": "gan", "discriminator": arch.dense_discriminator,
        "generator": arch.dense_generator,
        "defaults": {"z_dim": 96, "d_hidden": (256, 256), "g_hidden": (1024, 1024),
                     "alpha": 0.01, "generator_loss": "minimax", **GAN_TRAINING},
    },
    "gan-conv": {
        "family": "gan", "discriminator": arch.conv_discriminator,
        "generator": arch.conv_generator,
        "defaults": {"z_dim": 96, "alpha": 0.01, "generator_loss": "non_saturating",
                     **GAN_TRAINING},
    },
}
MODEL_NAMES = tuple(REGISTRY)
COMPILE_KEYS = ("jit_compile", "steps_per_execution")


def family(name: str) -> str:
    return _entry(name)["family"]


def defaults(name: str) -> dict:
    return dict(_entry(name)["defaults"])


def _entry(name):
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")
    return REGISTRY[name]


def build(name: str, seed: int = 0, jit_compile=False, steps_per_execution=1, **overrides):
    """The model `name`, built with its defaults updated by `overrides`, and compiled."""
    entry = _entry(name)
    unknown = sorted(set(overrides) - set(entry["defaults"]))
    if unknown:
        raise ValueError(
            f"unknown setting(s) {unknown} for {name}; valid: {sorted(entry['defaults'])}"
        )
    cfg = {**entry["defaults"], **overrides}
    adam = lambda: keras.optimizers.Adam(cfg["learning_rate"], beta_1=cfg["beta_1"])
    compile_kw = {"jit_compile": jit_compile, "steps_per_execution": steps_per_execution}
    if entry["family"] == "vae":
        arch_kw = {k: cfg[k] for k in cfg if k not in TRAINING_DEFAULTS}
        model = VAE(entry["encoder"](**arch_kw), entry["decoder"](**arch_kw),
                    cfg["latent_dim"], seed=seed, name=name)
        model.compile(optimizer=adam(), **compile_kw)
        return model
    if entry["generator"] is arch.dense_generator:
        d = entry["discriminator"](hidden=cfg["d_hidden"], alpha=cfg["alpha"])
        g = entry["generator"](z_dim=cfg["z_dim"], hidden=cfg["g_hidden"])
    else:
        d = entry["discriminator"](alpha=cfg["alpha"])
        g = entry["generator"](z_dim=cfg["z_dim"])
    model = GAN(d, g, cfg["z_dim"], cfg["generator_loss"], seed=seed, name=name)
    model.compile(d_optimizer=adam(), g_optimizer=adam(), **compile_kw)
    return model


def state_variables(model) -> list:
    """Every variable needed to resume: weights, BN statistics, RNG state, optimizer slots."""
    out = list(model.variables)
    for opt in model.optimizers():
        if not opt.built:
            opt.build(_optimized_variables(model, opt))
        out += list(opt.variables)
    return out


def _optimized_variables(model, opt):
    if isinstance(model, GAN):
        net = model.discriminator if opt is model.d_optimizer else model.generator
        return net.trainable_variables
    return model.trainable_variables


def parameter_count(model) -> int:
    """Number of trainable parameters (all sub-networks)."""
    return int(sum(int(v.numpy().size) for v in model.trainable_variables))
