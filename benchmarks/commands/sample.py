"""`sample RUN`: load a finished run's checkpoint and write samples, or a latent interpolation,
as a PNG grid or an .npz of float32 images in [0, 1], shape (n, 28, 28, 1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks import files, runs
from benchmarks.commands import add_out
from benchmarks.errors import UserError
from benchmarks.images import png_bytes

HELP = "write samples (or a latent interpolation) of a finished run"
EXAMPLE = "python -m benchmarks sample results/runs/gan-conv/seed-0 --n 64 --out gan.png"


def add_arguments(p) -> None:
    p.add_argument("run", help="a run folder, OUT/runs/<model>/seed-<k>")
    p.add_argument("--n", type=int, default=64, help="images (an interpolation: rows of 8, n // 8 rows)")
    p.add_argument("--seed", type=int, default=0, help="the sampling seed")
    add_out(p, "FILE.png (a grid) or FILE.npz (float32 images in [0, 1]); default: <model>-seed<k>-samples.png")
    p.add_argument("--interpolate", action="store_true", help="a latent interpolation: rows from one prior draw "
                   "to another")
    p.add_argument("--steps", type=int, default=None, help="the diffusion family: sampler steps (default: the "
                   "model's sample_steps); a model that samples in one network pass takes none")


STEPS = 8  # images per row of an interpolation


def latents(model, family: str, n: int, seed: int) -> np.ndarray:
    """n draws from the model's prior: N(0, I) for a VAE and for the diffusion family's starting
    noise (an image's shape), uniform on [-1, 1] for a GAN (N(0, I) for one with Gaussian noise)."""
    rng = np.random.default_rng(seed)
    if family == "vae":
        return rng.standard_normal((n, model.latent_dim)).astype(np.float32)
    if family == "diffusion":
        return rng.standard_normal((n, 28, 28, 1)).astype(np.float32)
    if getattr(model, "noise", "uniform") == "gaussian":
        return rng.standard_normal((n, model.z_dim)).astype(np.float32)
    return rng.uniform(-1.0, 1.0, (n, model.z_dim)).astype(np.float32)


def interpolation(model, family: str, rows: int, seed: int, steps: int | None = None) -> np.ndarray:
    """`rows` rows of STEPS images from one prior draw to another: generate(z) on the straight
    line, or for the diffusion family's noise on the great circle cos(πt/2)·z₀ + sin(πt/2)·z₁,
    which keeps the noise's variance (a straight line's midpoint has half of it)."""
    ends = latents(model, family, 2 * rows, seed)
    shape = ends.shape[1:]
    ends = ends.reshape(rows, 2, -1)
    t = np.linspace(0.0, 1.0, STEPS, dtype=np.float32)[None, :, None]
    if family == "diffusion":
        z = np.cos(np.pi * t / 2) * ends[:, :1] + np.sin(np.pi * t / 2) * ends[:, 1:]
        z = z.reshape(rows * STEPS, *shape)
        return np.asarray(model.render(z, steps or model.sample_steps, True), np.float32).clip(0.0, 1.0)
    z = (1 - t) * ends[:, :1] + t * ends[:, 1:]  # (rows, STEPS, dim)
    return np.asarray(model.generate(z.reshape(rows * STEPS, -1)), np.float32).clip(0.0, 1.0)


def main(args) -> int:
    folder = Path(args.run)
    if not (folder / runs.CONFIG).is_file():
        raise UserError(f"{folder} is not a run folder (no {runs.CONFIG}); give OUT/runs/<model>/seed-<k>")
    config = runs.read_config(folder)
    status = runs.read_status(folder)
    if status != "finished":
        raise UserError(f"{folder} is {status}, not finished; finish it with `python -m benchmarks run` "
                        "(it resumes) before sampling it")
    if args.n < 1:
        raise UserError(f"--n {args.n}: give at least 1 image")
    steps = getattr(args, "steps", None)
    if steps is not None and config["family"] != "diffusion":
        raise UserError(f"--steps {steps}: {config['model']} samples in one network pass; --steps is for the "
                        "diffusion family")
    if steps is not None and steps < 1:
        raise UserError(f"--steps {steps}: give at least 1 sampler step")
    kind = "interpolation" if args.interpolate else "samples"
    out = Path(args.out or f"{config['model']}-seed{config['seed']}-{kind}.png")
    if out.suffix not in (".png", ".npz"):
        raise UserError(f"--out {out}: write a .png grid or an .npz of images")
    model = runs.load_model(folder, config)
    if args.interpolate:
        images, cols = interpolation(model, config["family"], max(1, args.n // STEPS), args.seed, steps), STEPS
    elif steps is not None:
        images, cols = model.sample(args.n, seed=args.seed, steps=steps), None
    else:
        images, cols = model.sample(args.n, seed=args.seed), None
    if out.suffix == ".npz":
        files.write_npz(out, images=images)
    else:
        files.atomic_write_bytes(out, png_bytes(images, cols))
    sampler = f", {steps or model.sample_steps} sampler steps" if config["family"] == "diffusion" else ""
    print(f"{out}: {len(images)} {'interpolated ' if args.interpolate else ''}images of {config['model']} "
          f"seed {config['seed']} (sampling seed {args.seed}{sampler})")
    return 0
