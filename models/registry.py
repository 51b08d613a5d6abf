"""The model registry as plain data (no TensorFlow import).

Each entry names its family, its networks (builder function in `models.architectures` and
which setting feeds each builder argument), its generator loss for GANs (a name in
`models.losses.GENERATOR_LOSSES`), and its default settings. `models.build` turns an entry
into a compiled keras.Model. Training settings of the harness (batch size, precision,
budgets) are not model settings and live in the suites.
"""

from __future__ import annotations

OPTIMIZER = {"learning_rate": 1e-3, "beta_1": 0.9}
GAN_OPTIMIZER = {**OPTIMIZER, "beta_1": 0.5}  # cs231n / DCGAN: Adam(1e-3, beta_1 = 0.5)
BURDA_STAGES = tuple(3**i for i in range(8))  # passes at each learning rate: 1, 3, ..., 2187
# Sampler steps of the final samples and of the quick FID during training; EMA decay (0: none);
# each step's gradients clipped to global norm 1, as Ho et al. 2020's code does (grad_clip=1. in
# scripts/run_cifar.py of github.com/hojonathanho/diffusion; 0: no clipping).
DENOISING = {"sample_steps": 32, "quick_steps": 8, "ema_decay": 0.999, "clip_norm": 1.0, **OPTIMIZER}
DENSE_GAN = {"z_dim": 96, "d_hidden": (256, 256), "g_hidden": (1024, 1024), "alpha": 0.01}
DENSE_GAN_NETS = {
    "discriminator": ("dense_discriminator", {"hidden": "d_hidden", "alpha": "alpha"}),
    "generator": ("dense_generator", {"z_dim": "z_dim", "hidden": "g_hidden"}),
}


def _vae_nets(kind: str, arch_keys: tuple) -> dict:
    args = {key: key for key in ("latent_dim", *arch_keys)}
    return {"encoder": (f"{kind}_encoder", args), "decoder": (f"{kind}_decoder", args)}


REGISTRY = {
    "vae-dense": {"family": "vae", "nets": _vae_nets("dense", ("hidden",)),
                  "defaults": {"latent_dim": 20, "hidden": (512, 256), **OPTIMIZER}},
    "vae-conv": {"family": "vae", "nets": _vae_nets("conv", ("filters", "dense")),
                 "defaults": {"latent_dim": 20, "filters": (32, 64), "dense": 256, **OPTIMIZER}},
    "gan-dense": {"family": "gan", "nets": DENSE_GAN_NETS, "generator_loss": "non_saturating",
                  "defaults": {**DENSE_GAN, **GAN_OPTIMIZER}},
    # The same networks with the original minimax generator loss: the saturation demo.
    "gan-dense-minimax": {"family": "gan", "nets": DENSE_GAN_NETS, "generator_loss": "minimax",
                          "variant_of": "gan-dense", "defaults": {**DENSE_GAN, **GAN_OPTIMIZER}},
    "gan-conv": {"family": "gan", "generator_loss": "non_saturating",
                 "nets": {"discriminator": ("conv_discriminator", {"alpha": "alpha"}),
                          "generator": ("conv_generator", {"z_dim": "z_dim"})},
                 "defaults": {"z_dim": 96, "alpha": 0.01, **GAN_OPTIMIZER}},
    # Ho et al. 2020 (DDPM, linear schedule, T = 1000, L_simple) sampled by DDIM; Lipman et al.
    # 2023 flow matching sampled by Euler steps. One U-Net (models/unet.py) for both, Adam at
    # 1e-3 (the keras-io DDIM example's rate) on gradients clipped to global norm 1 (Ho et al.'s
    # code), weights averaged with EMA.
    "diffusion": {"family": "diffusion", "nets": {"denoiser": ("unet", {"widths": "widths"})},
                  "defaults": {"widths": (32, 64), "timesteps": 1000, "schedule": "linear", **DENOISING}},
    "flow-matching": {"family": "diffusion", "nets": {"denoiser": ("unet", {"widths": "widths"})},
                      "defaults": {"widths": (32, 64), **DENOISING}},
    # Goodfellow et al. 2014's MNIST model as their released mnist.yaml defines it (github.com/goodfeli/
    # adversarial): G 100 Gaussian z -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid (weights U[-0.05, 0.05]);
    # D maxout 240 x 5, twice, with dropout (keep 0.8 of the inputs, 0.5 of the hidden units), a
    # sigmoid unit (weights U[-0.005, 0.005]); D and G updated together from one G(z) per batch of 100;
    # SGD at 0.1 divided by 1.000004 per update, momentum 0.5 rising to 0.7 by epoch 250.
    "gan-goodfellow": {"family": "gan", "generator_loss": "non_saturating", "pixels": "unit",
                       "noise": "gaussian", "update": "simultaneous",
                       "nets": {"discriminator": ("maxout_discriminator", {
                                    "units": "d_units", "pieces": "d_pieces", "init": "d_init",
                                    "input_keep": "input_keep", "hidden_keep": "hidden_keep"}),
                                "generator": ("sigmoid_generator", {"z_dim": "z_dim", "hidden": "g_hidden",
                                                                    "init": "g_init"})},
                       "defaults": {"z_dim": 100, "g_hidden": (1200, 1200), "g_init": 0.05, "d_units": 240,
                                    "d_pieces": 5, "d_init": 0.005, "input_keep": 0.8, "hidden_keep": 0.5,
                                    "learning_rate": 0.1, "decay": 1.000004, "momentum": 0.5,
                                    "final_momentum": 0.7, "momentum_saturate": 250}},
    # Burda et al. 2015, Sec. 5 / Appendix: one stochastic layer, 2 x 200 tanh on each side, 50
    # Gaussian latents, Bernoulli decoder; Adam(epsilon = 1e-4) at 1e-3 * 10^(-i/7) for 3^i passes.
    "vae-burda": {"family": "vae", "nets": _vae_nets("dense", ("hidden", "activation")),
                  "defaults": {"latent_dim": 50, "hidden": (200, 200), "activation": "tanh", **OPTIMIZER,
                               "beta_2": 0.999, "epsilon": 1e-4, "stages": BURDA_STAGES}},
}
MODEL_NAMES = tuple(REGISTRY)
FAMILIES = ("vae", "gan", "diffusion")
COMPILE_KEYS = ("jit_compile", "steps_per_execution")


# The valid range of each numeric model setting, (low, high, brackets) as in "[0, 1)"; every other
# numeric setting must be positive, every tuple a non-empty list of positive ints.
INF = float("inf")
RANGES = {"beta_1": (0, 1, "[)"), "beta_2": (0, 1, "[)"), "ema_decay": (0, 1, "[)"), "alpha": (0, 1, "[)"),
          "clip_norm": (0, INF, "[)"), "input_keep": (0, 1, "(]"), "hidden_keep": (0, 1, "(]"),
          "momentum": (0, 1, "[)"), "final_momentum": (0, 1, "[)"), "decay": (1, INF, "[)")}
CHOICES = {"schedule": ("linear", "cosine"), "activation": ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "silu",
                                                                 "softplus", "leaky_relu", "linear")}


def setting_error(name: str, key: str, value) -> str | None:
    """Why `value` cannot be model `name`'s setting `key`, as the end of a one-line error
    ("must be in [0, 1)"), or None; `key` must be one of the model's defaults."""
    default = entry(name)["defaults"][key]
    if isinstance(default, tuple):
        whole = isinstance(value, (list, tuple)) and len(value) > 0
        if whole and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
            return None
        return "must be a non-empty list of positive ints"
    if isinstance(default, str):
        valid = CHOICES.get(key)
        if isinstance(value, str) and (valid is None or value in valid):
            return None
        return f"; valid: {', '.join(valid)}" if valid else "must be a string"
    kind = int if isinstance(default, int) else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        return "must be an int" if kind is int else "must be a number"
    low, high, brackets = RANGES.get(key, (0, INF, "()"))
    above = value >= low if brackets[0] == "[" else value > low
    below = value <= high if brackets[1] == "]" else value < high
    if above and below:
        return None
    if high == INF:
        return "must be positive" if brackets[0] == "(" and low == 0 else f"must be at least {low}"
    return f"must be in {brackets[0]}{low}, {high}{brackets[1]}"


def entry(name: str) -> dict:
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")
    return REGISTRY[name]


def family(name: str) -> str:
    """'vae', 'gan' or 'diffusion' (flow matching included: one U-Net that undoes noise)."""
    return entry(name)["family"]


def pixels(name: str) -> str:
    """How the model's training images are scaled (a `benchmarks.data.pipeline` scale): its
    family's, or 'unit' ([0, 1], never binarized) for a GAN whose G ends in a sigmoid."""
    spec = entry(name)
    return "unit" if spec.get("pixels") == "unit" else spec["family"]


def generator_loss(name: str) -> str | None:
    """The GAN's generator loss name ('non_saturating', 'minimax'); None for a VAE."""
    return entry(name).get("generator_loss")


def loss_variants() -> list[tuple[str, str]]:
    """(base, variant) pairs of models that differ only in their generator loss."""
    return [(spec["variant_of"], name) for name, spec in REGISTRY.items() if "variant_of" in spec]


def defaults(name: str) -> dict:
    return dict(entry(name)["defaults"])
