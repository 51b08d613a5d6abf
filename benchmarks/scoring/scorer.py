"""`python -m benchmarks score`: metrics.json for every finished run, plus the real-data row.

Protocol (every row alike):
- sample metrics compare the run's samples.npz (10,000 images) with the 10,000 test images,
  in the pinned feature network's 128-d features (FID, KID, precision/recall,
  density/coverage) and logits (classifier score, mode coverage);
- Parzen: sigma chosen on the first 1,000 validation images, train[50000:51000], then the
  mean log-likelihood of the 10,000 test images under a window on the samples (Goodfellow
  et al. 2014);
- memorization: pixel distance from samples to the nearest of the fit split, train[0:50000];
- VAEs: test ELBO and the IWAE bound (Burda et al. 2015) on the test set binarized once
  (seed 0);
- sampling cost: network evaluations per sample and seconds per 1,000 samples, as the harness
  timed the run's samples; the diffusion family also at each of the suite's `sampler_steps`,
  with a quick FID (quick_fid_samples samples) at each.
The real-data row treats the 10,000 validation images, which no model saw, as the samples;
its Parzen sigma is chosen on the last 1,000 fit images, train[49000:50000], since its window
holds train[50000:51000]. It is the ceiling of every column at this sample size.
The splits are those of `benchmarks.data.mnist` (FIT, VALIDATION). Each run is scored in the
features of its own dataset's pinned network, against its own dataset's images: one output
folder holds one dataset.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from benchmarks import errors, files, progress, provenance, records, runs, settings
from benchmarks.data.mnist import MNIST, Dataset, dataset
from benchmarks.errors import Damaged, Interrupted, UserError
from benchmarks.runs import REAL_ROW
from benchmarks.scoring import cache
from benchmarks.scoring.likelihood import vae_likelihood
from benchmarks.scoring.sample_quality import SCORER_VERSION, check_samples, references, sample_metrics
from benchmarks.scoring.sampling import sampler_sweep, sampling_cost


def training_summary(history) -> dict:
    """Epochs, training seconds, warm-up, images seen and steady-state images/s of a history."""
    if history is None or history.empty:
        return {"epochs": 0}
    steady = history["images_per_sec"].dropna()
    images = history["images"].sum()
    return {"epochs": int(history["epoch"].iloc[-1]), "train_seconds": float(history["train_seconds"].iloc[-1]),
            "warmup_seconds": float(history["warmup_seconds"].sum()), "train_images_seen": int(images),
            "images_per_sec": float(np.average(steady, weights=history.loc[steady.index, "images"]))
            if len(steady) else float("nan")}


def _fingerprint(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else json.dumps(part, sort_keys=True).encode())
    return digest.hexdigest()


def score_run(record: records.RunRecord, refs_factory, force: bool = False) -> str:
    """Write the run's metrics.json; returns 'scored', RESCORED (its metrics.json was
    damaged), 'current', 'diverged' or 'unfinished'. Call it holding the run's lock, with the
    record read under it (without its metrics.json, which is read here)."""
    from models import parameter_count

    run_dir, config = record.folder, record.config
    files.trace(f"score {run_dir}")
    status = record.status["status"]
    base = {"model": config["model"], "seed": config["seed"], "family": config["family"],
            "dataset": config["dataset"], "status": status, **training_summary(record.history)}
    if status != "finished":
        files.write_json(run_dir / runs.METRICS, base)
        return status
    samples_bytes = runs.read_samples_bytes(run_dir)
    fingerprint = _fingerprint(samples_bytes, *_net(record.dataset), config["eval"], SCORER_VERSION)
    old = run_dir / runs.METRICS
    found = _existing(old, lambda: runs.read_metrics(run_dir, config), fingerprint, force)
    if found == "current":
        return found
    start = time.perf_counter()
    refs = refs_factory(record.dataset)
    images = check_samples(runs.read_samples(run_dir, samples_bytes), run_dir / runs.SAMPLES)
    progress.note(f"scoring {config['model']} seed {config['seed']}: sample metrics of {len(images):,} samples")
    result = {**base, **sample_metrics(images, refs)}
    result["sample_seconds"] = time.perf_counter() - start
    parameters = record.status.get("parameters")  # recorded by the harness
    needs_model = config["family"] in ("vae", "diffusion") or not isinstance(parameters, int)
    model = record.model_weights() if needs_model else None  # the likelihood and the sweep need it
    if not isinstance(parameters, int):
        parameters = parameter_count(model)
    if config["family"] == "vae":
        progress.note(f"scoring {config['model']} seed {config['seed']}: test ELBO and IWAE bound")
        result.update(vae_likelihood(model, refs.test_binary, config["eval"]["iwae_k"],
                                     config["eval"]["likelihood_images"]))
    result["parameters"] = parameters
    result.update(sampling_cost(record.status, config["eval"]["samples"]))
    if config["family"] == "diffusion":
        steps = config["eval"].get("sampler_steps", settings.EVAL["sampler_steps"].default)  # older runs: the default
        progress.note(f"scoring {config['model']} seed {config['seed']}: quick FID at sampler steps "
                      f"{', '.join(map(str, steps))}")
        result["sampler_sweep"] = sampler_sweep(model, refs, steps, config["eval"]["quick_fid_samples"])
    return _written(old, result, fingerprint, start, found == "damaged")


RESCORED = "rescored (its metrics.json was damaged)"


def _existing(path: Path, read, fingerprint: str, force: bool) -> str | None:
    """'current' where the metrics.json at `path` (read by `read`) carries `fingerprint` (and
    not `force`), 'damaged' where it cannot be read (scoring rewrites it), else None."""
    if force or not path.exists():
        return None
    try:
        return "current" if read().get("fingerprint") == fingerprint else None
    except Damaged:
        return "damaged"


def _written(path: Path, result: dict, fingerprint: str, start: float, damaged: bool) -> str:
    """Write `result` with its fingerprint, scoring time and provenance: 'scored', or RESCORED."""
    result.update(fingerprint=fingerprint, score_seconds=time.perf_counter() - start,
                  **{f"scored_by_{k}": v for k, v in provenance.made_by().items()})
    files.write_json(path, result)
    return RESCORED if damaged else "scored"


def _net(spec: Dataset) -> tuple:
    """What identifies the features a run is scored in: MNIST's pinned sha256 alone (so that
    MNIST metrics written before there were two datasets stay current), else the dataset's
    name and its sha256."""
    return (spec.features_sha256,) if spec is MNIST else (spec.name, spec.features_sha256)


def score_real(out: Path, refs_factory, force: bool = False, spec: Dataset = MNIST) -> str:
    folder = runs.reference_dir(out)
    path = folder / runs.METRICS
    fingerprint = _fingerprint(*_net(spec), SCORER_VERSION, REAL_ROW)
    found = _existing(path, lambda: runs.read_metrics(folder), fingerprint, force)
    if found == "current":
        return found
    start = time.perf_counter()

    def compute() -> dict:
        refs = refs_factory(spec)
        return sample_metrics(refs.real_samples, refs, parzen_val=refs.parzen_val_real)

    row = cache.record("real-data-row", (spec.name, fingerprint), compute)
    result = {"model": REAL_ROW, "seed": 0, "family": "reference", "status": "finished", "dataset": spec.name, **row}
    return _written(path, result, fingerprint, start, found == "damaged")


def score_all(out: Path, data_dir=None, force: bool = False) -> dict:
    """Score every run folder below `out` that no other process holds: {folder: what
    happened}. A run with a damaged file is reported (one line, 'damaged') and the others are
    scored; Ctrl-C is `Interrupted`, naming the last metrics.json written."""
    out = runs.folder_or_new(out)
    files.sweep_stale(out)
    run_dirs = runs.iter_run_dirs(out)
    if not run_dirs:
        raise UserError(f"no run folders under {out}; train first with `python -m benchmarks run`")
    found = set()
    for run_dir in run_dirs:  # one dataset per folder, checked before anything is written
        try:
            found.add(runs.read_config(run_dir)["dataset"])
        except Damaged:
            pass  # reported when its run comes
    runs.one_dataset(found, str(out))
    spec = dataset(found.pop()) if found else MNIST
    refs_factory = lambda spec: references(data_dir, spec)
    results, saved = {}, None
    try:
        for run_dir in run_dirs:
            start = time.perf_counter()
            with runs.exclusive(run_dir) as busy:
                if busy:
                    results[run_dir] = "busy"
                    print(busy, flush=True)
                    continue
                try:
                    results[run_dir] = score_run(records.read(run_dir, metrics=False), refs_factory, force)
                except Damaged as err:
                    errors.report(err)
                    results[run_dir] = "damaged"
                    continue
            if results[run_dir] in ("scored", RESCORED):
                saved = str(run_dir / runs.METRICS)
            print(f"{run_dir}: {results[run_dir]} ({time.perf_counter() - start:.1f} s)", flush=True)
        if (out / "runs").is_dir():
            results[REAL_ROW] = score_real(out, refs_factory, force, spec)
            print(f"{REAL_ROW}: {results[REAL_ROW]}")
    except KeyboardInterrupt:
        raise Interrupted(saved) from None
    return results
