"""The curve's evaluators, which the command layer hands to the training harness: callables
(model, epoch) -> dict of curve.csv columns, evaluated at every evaluation point."""

from __future__ import annotations

import numpy as np

import models
from benchmarks.data.mnist import Dataset
from benchmarks.scoring import metrics
from benchmarks.scoring.scorer import references, vae_likelihood

QUICK_SEED = 777  # the noise of every quick FID


class QuickFID:
    """FID of n samples against the test features of the dataset's pinned network."""

    def __init__(self, data_dir, n: int, spec: Dataset):
        self.data_dir, self.n, self.spec = data_dir, n, spec

    def __call__(self, model, epoch) -> dict:
        refs = references(self.data_dir, self.spec)
        samples = model.sample(self.n, seed=QUICK_SEED)
        if not np.isfinite(samples).all():  # a diverging model, evaluated inside its last pass
            return {"fid_quick": float("nan")}
        feats, _ = refs.net(samples)
        return {"fid_quick": metrics.frechet_distance(feats, refs.test_feats)}


class LikelihoodCurve:
    """VAEs: the test ELBO on every test image and the IWAE bound with k samples on the first
    n, on the test set binarized as in scoring (seed 0)."""

    def __init__(self, data_dir, k: int, n: int, spec: Dataset):
        self.data_dir, self.k, self.n, self.spec = data_dir, k, n, spec

    def __call__(self, model, epoch) -> dict:
        refs = references(self.data_dir, self.spec)
        result = vae_likelihood(model, refs.test_binary, self.k, self.n)
        return {"test_elbo": result["test_elbo"], "iwae_bound": result["iwae_bound"]}


def for_suite(suite: dict, data_dir=None) -> list:
    """The evaluators of the suite's [eval] settings, as factories model name -> evaluator:
    quick FID at every point, and for VAEs the test ELBO and IWAE bound if `curve_iwae_k` is set."""
    out, settings = [], suite["eval"]
    if settings["quick_fid"]:
        quick = QuickFID(data_dir, settings["quick_fid_samples"], suite["dataset"])
        out.append(lambda model_name: quick)
    if settings["curve_iwae_k"]:
        curve = LikelihoodCurve(data_dir, settings["curve_iwae_k"], settings["curve_images"], suite["dataset"])
        out.append(lambda model_name: curve if models.family(model_name) == "vae" else (lambda model, epoch: {}))
    return out
