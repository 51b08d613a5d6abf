"""`python -m benchmarks reproduce`: two published MNIST numbers on this machine, in results/paper/.

1. Burda et al. 2015, Table 1: the VAE with one stochastic layer (vae-burda), k = 1
   training, NLL 86.76 nats by the IWAE bound at k = 5000 on the 10,000 test images.
2. Goodfellow et al. 2014, Table 1: the Parzen-window log-likelihood of the test set
   (adversarial nets 225 ± 2), on our conv GAN, on vae-burda and on real held-out images.

It trains the `paper` suite (resuming whatever a previous, interrupted call left), scores
its runs with the scorer's protocol (`iwae_k`, `likelihood_images` of the suite), adds the
Parzen estimate of vae-burda's Bernoulli draws beside that of its means (Theis et al. 2016),
and writes the folder (`benchmarks.reporting.paper`). Every step is resumable: finished runs
are skipped, current metrics are kept, every file is written atomically.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from benchmarks import errors, runs
from benchmarks.errors import Damaged, UserError
from benchmarks.training.suites import apply_cli, load_suite

DEFAULT_OUT = Path("results") / "paper"
DRAW_SEED = 2024  # the Bernoulli draws x ~ p(x|z) of the VAE's samples, for the Parzen contrast


def bernoulli_draws(means: np.ndarray, seed: int = DRAW_SEED) -> np.ndarray:
    """Binary images x ~ Bernoulli(means): what the VAE's model p(x) generates, where
    samples.npz holds the means sigmoid(decoder(z))."""
    rng = np.random.default_rng(seed)
    return (rng.random(means.shape, dtype=np.float32) < means).astype(np.float32)


def draws_parzen(out: Path, data_dir=None) -> dict:
    """model -> the Parzen estimate of its Bernoulli draws, for every finished VAE run."""
    from benchmarks.scoring.scorer import check_samples, parzen, references

    results = {}
    for folder in runs.iter_run_dirs(out):
        config = runs.read_config(folder)
        if config["family"] != "vae" or runs.read_status(folder) != "finished":
            continue
        means = check_samples(runs.read_samples(folder), folder / runs.SAMPLES)
        results[config["model"]] = parzen(bernoulli_draws(means), references(data_dir, "mnist"))
    return results


def main(args) -> int:
    from benchmarks.reporting.paper import write_paper
    from benchmarks.scoring.scorer import score_all
    from benchmarks.training.grid import train_suite

    suite = apply_cli(load_suite(args.suite), args)
    if suite["dataset"] != "mnist":
        raise UserError(f"reproduce: the papers report MNIST, not {suite['dataset']}; drop --dataset")
    args.out = args.out or str(DEFAULT_OUT)
    out = Path(args.out)
    start = time.perf_counter()
    statuses = train_suite(args, suite)
    if args.shard:
        print(f"shard {args.shard} trained; run `python -m benchmarks reproduce --out {out}` once every shard is done")
        return 0
    unfinished = [f"{m} seed {s}" for (m, s), status in statuses.items() if status != "finished"]
    if unfinished:
        raise UserError(f"{', '.join(unfinished)} not finished (see above); {out} is written once every run is")
    t_train = time.perf_counter()
    score_all(out, data_dir=args.data_dir)
    try:
        draws = draws_parzen(out, args.data_dir)
        write_paper(out, draws, args.data_dir)
    except Damaged as err:
        errors.report(err)
        return 2
    end = time.perf_counter()
    print((out / "README.md").read_text())
    print(f"reproduce: train {t_train - start:.0f} s, score and write {end - t_train:.0f} s (this invocation); "
          f"results in {out}/")
    return 0
