"""What a sample costs, for metrics.json: network evaluations and seconds per 1,000 samples as
the harness timed a run's samples, and the diffusion family's sweep over sampler steps (a quick
FID and the seconds at each)."""

from __future__ import annotations

import time

from benchmarks.scoring import metrics

SWEEP_SEED = 777  # the noise of the sampler-steps sweep: the quick FID's (evaluators.QUICK_SEED)


def sampling_cost(status: dict, samples: int) -> dict:
    """Network evaluations per sample and seconds per 1,000 samples, from the run's status.json
    (the harness timed its `samples` samples); empty for a run finished before it did."""
    seconds, evaluations = status.get("sampling_seconds"), status.get("network_evaluations")
    if not isinstance(seconds, (int, float)) or not isinstance(evaluations, int):
        return {}
    return {"network_evaluations": evaluations, "seconds_per_1000_samples": 1000.0 * seconds / samples}


def sampler_sweep(model, refs, steps: list, n: int) -> list[dict]:
    """For each number of sampler steps S: the network evaluations per sample, the seconds per
    1,000 samples (the sampler traced beforehand) and the FID of n samples (the quick FID's
    noise, EMA weights) against the test features."""
    rows = []
    for s in steps:
        model.sample(1, seed=SWEEP_SEED, steps=s)  # traces the graph of S steps
        start = time.perf_counter()
        images = model.sample(n, seed=SWEEP_SEED, steps=s)
        seconds = time.perf_counter() - start
        feats, _ = refs.net(images)
        rows.append({"steps": s, "network_evaluations": model.network_evaluations(s),
                     "seconds_per_1000_samples": 1000.0 * seconds / n,
                     "fid_quick": metrics.frechet_distance(feats, refs.test_feats)})
    return rows
