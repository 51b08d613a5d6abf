"""`reproduce`: two published MNIST numbers on this machine, in results/paper/.

1. Burda et al. 2015, Table 1: the VAE with one stochastic layer (vae-burda), k = 1
   training, NLL 86.76 nats by the IWAE bound at k = 5000 on the 10,000 test images.
2. Goodfellow et al. 2014, Table 1: the Parzen-window log-likelihood of the test set
   (adversarial nets 225 ± 2), on their own MLP GAN (gan-goodfellow), on our conv GAN, on
   vae-burda and on real held-out images.

It trains the `paper` suite (resuming whatever a previous, interrupted call left), scores
its runs with the scorer's protocol (`iwae_k`, `likelihood_images` of the suite), adds the
Parzen estimate of vae-burda's Bernoulli draws beside that of its means (Theis et al. 2016)
and of Goodfellow et al.'s own GAN's samples blurred by a fraction of a pixel, and writes the
folder (`benchmarks.reporting.published.paper`). Every step is resumable: finished runs are
skipped, current metrics are kept, every file is written atomically.
"""

from __future__ import annotations

import time

from benchmarks import errors, records
from benchmarks.commands.run import add_run_arguments, output_folder, parse_shard, suite_of, train_suite
from benchmarks.data.mnist import MNIST
from benchmarks.errors import Damaged, UserError

HELP = ("reproduce Burda et al.'s VAE likelihood and Goodfellow et al.'s Parzen protocol (the paper suite) into "
        "results/paper/")
EXAMPLE = "python -m benchmarks reproduce --dry-run"


def add_arguments(p) -> None:
    add_run_arguments(p, "paper")


def draws_parzen(loaded: records.Loaded, data_dir=None) -> tuple[dict, dict]:
    """For every finished VAE run: model -> its Bernoulli draws, and model -> their Parzen estimate."""
    from benchmarks.scoring.sample_quality import bernoulli_draws, check_samples, parzen, references

    images, results = {}, {}
    for record in loaded.runs:
        if record.family == "vae" and record.finished:
            means = check_samples(record.samples(), record.folder / "samples.npz")
            images[record.model] = bernoulli_draws(means)
            results[record.model] = parzen(images[record.model], references(data_dir, MNIST))
    return images, results


def blur_parzen(loaded: records.Loaded, data_dir=None) -> dict:
    """Blur (pixels) -> the Parzen estimate and FID of gan-goodfellow's samples blurred by it
    (`sample_quality.blurred`): how far sharpness alone moves the estimate. Empty without that run."""
    from benchmarks.reporting.published.paper import OWN_GAN
    from benchmarks.reporting.published.parzen import BLUR_PIXELS
    from benchmarks.scoring.sample_quality import blurred, check_samples, fid_of, parzen, references

    record = next((r for r in loaded.of(OWN_GAN) if r.seed == 0 and r.finished), None)
    if record is None:
        return {}
    images, refs = check_samples(record.samples(), record.folder / "samples.npz"), references(data_dir, MNIST)
    out = {}
    for pixels in BLUR_PIXELS:
        image = blurred(images, pixels)
        out[pixels] = {**parzen(image, refs), "fid": fid_of(image, refs)}
    return out


def main(args) -> int:
    from benchmarks.reporting.published.paper import VAE, write_paper
    from benchmarks.scoring.scorer import score_all

    suite = suite_of(args)
    if suite["dataset"] is not MNIST:
        raise UserError(f"reproduce: the papers report MNIST, not {suite['dataset'].name}; drop --dataset")
    out = output_folder(args, suite)
    if args.dry_run:
        from benchmarks.training.plan import describe

        print(describe(suite, out, parse_shard(args.shard)))
        return 0
    start = time.perf_counter()
    statuses = train_suite(args, suite, out)
    if args.shard:
        print(f"shard {args.shard} trained; run `python -m benchmarks reproduce --out {out}` once every shard is done")
        return 0
    unfinished = [f"{m} seed {s}" for (m, s), status in statuses.items() if status != "finished"]
    if unfinished:
        raise UserError(f"{', '.join(unfinished)} not finished (see above); {out} is written once every run is")
    t_train = time.perf_counter()
    score_all(out, data_dir=args.data_dir)
    loaded = records.load(out)
    try:
        if loaded.damaged or loaded.real is None:
            raise UserError(loaded.damaged[0][1] if loaded.damaged else f"{out}: the real-data row is not scored")
        images, draws = draws_parzen(loaded, args.data_dir)
        write_paper(out, loaded, loaded.real, draws, images[VAE], blur_parzen(loaded, args.data_dir))
    except Damaged as err:
        errors.report(err)
        return 2
    end = time.perf_counter()
    print((out / "README.md").read_text())
    print(f"reproduce: train {t_train - start:.0f} s, score and write {end - t_train:.0f} s (this invocation); "
          f"results in {out}/")
    return 0
