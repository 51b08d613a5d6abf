"""Models: `MODEL_NAMES` and `build(name, **overrides)` -> a compiled keras.Model.

Importing this package does not import TensorFlow; `build` does.
"""

from __future__ import annotations

import re

from models.registry import (
    COMPILE_KEYS,
    FAMILIES,
    MODEL_NAMES,
    defaults,
    entry,
    family,
    generator_loss,
    loss_variants,
    pixels,
    setting_error,
)
from models.schedules import learning_rate

__all__ = ["COMPILE_KEYS", "FAMILIES", "MODEL_NAMES", "build", "defaults", "family", "generator_loss",
           "learning_rate", "loss_variants", "parameter_count", "pixels", "setting_error", "state", "state_variables"]


def build(name: str, seed: int = 0, jit_compile=False, steps_per_execution=1, **overrides):
    """The model `name`, built with its defaults updated by `overrides`, and compiled."""
    import keras

    from models import architectures, losses
    from models.diffusion import Diffusion, FlowMatching
    from models.gan import GAN
    from models.vae import VAE

    spec = entry(name)
    unknown = sorted(set(overrides) - set(spec["defaults"]))
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown} for {name}; valid: {sorted(spec['defaults'])}")
    cfg = {**spec["defaults"], **overrides}
    make = lambda builder, args: getattr(architectures, builder)(**{arg: cfg[key] for arg, key in args.items()})
    nets = {role: make(builder, args) for role, (builder, args) in spec["nets"].items()}
    adam = lambda: keras.optimizers.Adam(cfg["learning_rate"], beta_1=cfg["beta_1"], beta_2=cfg.get("beta_2", 0.999),
                                         epsilon=cfg.get("epsilon", 1e-7),  # Keras's defaults
                                         global_clipnorm=cfg.get("clip_norm") or None)  # 0: no clipping
    compile_kw = {"jit_compile": jit_compile, "steps_per_execution": steps_per_execution}
    if spec["family"] == "vae":
        model = VAE(nets["encoder"], nets["decoder"], cfg["latent_dim"], seed=seed, name=name)
        model.compile(optimizer=adam(), **compile_kw)
    elif spec["family"] == "diffusion":
        common = {k: cfg[k] for k in ("sample_steps", "quick_steps", "ema_decay")}
        builder, args = spec["nets"]["denoiser"]
        nets["ema_denoiser"] = make(builder, args)  # the same architecture, for the weights' average
        nets["ema_denoiser"].name = "ema_denoiser"
        if name == "diffusion":
            model = Diffusion(nets["denoiser"], nets["ema_denoiser"], cfg["timesteps"], cfg["schedule"],
                              seed=seed, name=name, **common)
        else:
            model = FlowMatching(nets["denoiser"], nets["ema_denoiser"], seed=seed, name=name, **common)
        model.compile(optimizer=adam(), **compile_kw)
    else:
        model = GAN(nets["discriminator"], nets["generator"], cfg["z_dim"],
                    losses.GENERATOR_LOSSES[spec["generator_loss"]], seed=seed, name=name,
                    noise=spec.get("noise", "uniform"), pixels=spec.get("pixels", "signed"),
                    simultaneous=spec.get("update") == "simultaneous")
        optimizer = _momentum_sgd(cfg) if "momentum" in cfg else adam
        model.compile(d_optimizer=optimizer(), g_optimizer=optimizer(), **compile_kw)
    return model


def _momentum_sgd(cfg: dict):
    """A factory of the SGD of Goodfellow et al.'s GAN: the decayed rate and the momentum schedule
    (`models.optimizers`), the model's `begin_epoch` setting each epoch's momentum."""
    import functools

    from models import optimizers

    def make():
        opt = optimizers.MomentumSGD(optimizers.decayed_rate(cfg["learning_rate"], cfg["decay"]),
                                     momentum=float(cfg["momentum"]))
        opt.momentum_schedule = functools.partial(optimizers.momentum_at, start=cfg["momentum"],
                                                  final=cfg["final_momentum"], saturate=cfg["momentum_saturate"])
        return opt

    return make


NETWORKS = ("encoder", "decoder", "discriminator", "generator", "denoiser", "ema_denoiser")
OPTIMIZERS = ("optimizer", "d_optimizer", "g_optimizer")


def state(model) -> dict:
    """Every variable needed to resume (weights, BN statistics, RNG state, optimizer slots),
    each under a name that depends only on the model's structure, never on Keras's
    process-wide layer counters: `generator/01-batch_normalization/moving_mean`,
    `seed_generator/state`, `g_optimizer/iteration`,
    `g_optimizer/generator/00-dense/kernel/momentum`."""
    names = {id(model.seed_generator.state): "seed_generator/state"}
    for role in NETWORKS:
        net = getattr(model, role, None)
        for i, layer in enumerate(net.layers if net is not None else ()):
            kind = re.sub(r"(?<!^)(?=[A-Z])", "_", type(layer).__name__).lower().replace("2_d", "2d")
            names.update({id(v): f"{role}/{i:02d}-{kind}/{v.name}" for v in layer.variables})
    out = {}
    for v in model.variables:
        if id(v) not in names:
            raise ValueError(f"{model.name}: variable {v.path} belongs to no network of {NETWORKS}")
        out[names[id(v)]] = v
    for opt in model.optimizers():
        role = next(r for r in OPTIMIZERS if getattr(model, r, None) is opt)
        if not opt.built:
            opt.build(_optimized_variables(model, opt))
        targets = {t.path.replace("/", "_"): names[id(t)] for t in _optimized_variables(model, opt)}
        for v in opt.variables:  # a slot's path is <optimizer>/<its variable's path, _-joined>_<slot>
            local = v.path.split("/", 1)[-1]
            target, _, slot = local.rpartition("_")
            out[f"{role}/{targets[target]}/{slot}" if target in targets else f"{role}/{v.name}"] = v
    if len(out) != len({id(v) for v in out.values()}) or len(out) != len(model.variables) + sum(
            len(o.variables) for o in model.optimizers()):
        raise ValueError(f"{model.name}: two variables share a checkpoint name")
    return out


def state_variables(model) -> list:
    """The variables of `state`, in its order."""
    return list(state(model).values())


def _optimized_variables(model, opt):
    if getattr(model, "d_optimizer", None) is opt:
        return model.discriminator.trainable_variables
    if getattr(model, "g_optimizer", None) is opt:
        return model.generator.trainable_variables
    return model.trainable_variables  # the EMA's copy is not trainable


def parameter_count(model) -> int:
    """Number of trainable parameters (all sub-networks)."""
    return int(sum(int(v.numpy().size) for v in model.trainable_variables))
