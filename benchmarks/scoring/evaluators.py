"""The curve's evaluators, which the command layer hands to the training harness: callables
(model, epoch) -> dict of curve.csv columns, evaluated at every evaluation point."""

from __future__ import annotations

import numpy as np

import models
from benchmarks.data.mnist import Dataset
from benchmarks.data.pipeline import binarize_once
from benchmarks.scoring import metrics
from benchmarks.scoring.likelihood import elbo_per_image, vae_likelihood
from benchmarks.scoring.sample_quality import references
from benchmarks.suite_file import run_settings

QUICK_SEED = 777  # the noise of every quick FID


def quick_samples(model, n: int, seed: int = QUICK_SEED, ema: bool = True):
    """The samples of a quick FID: `model.sample`, for an iterative sampler at its `quick_steps`
    (fewer than its final samples', to keep evaluation cheap); `ema=False`: the raw weights."""
    steps = getattr(model, "quick_steps", None)
    if steps is None:
        return model.sample(n, seed=seed)
    return model.sample(n, seed=seed, steps=steps, ema=ema)


class QuickFID:
    """FID of n samples against the test features of the dataset's pinned network; for a model
    with an EMA of its weights, at the untrained model and at each epoch's end also of the raw
    weights' samples (`fid_quick_raw`: whether the EMA helps, at half the cost of every point)."""

    def __init__(self, data_dir, n: int, spec: Dataset):
        self.data_dir, self.n, self.spec = data_dir, n, spec

    def __call__(self, model, epoch) -> dict:
        refs = references(self.data_dir, self.spec)
        out = {"fid_quick": self._fid(refs, quick_samples(model, self.n))}
        if getattr(model, "ema_decay", 0) and float(epoch).is_integer():
            out["fid_quick_raw"] = self._fid(refs, quick_samples(model, self.n, ema=False))
        return out

    @staticmethod
    def _fid(refs, samples) -> float:
        if not np.isfinite(samples).all():  # a diverging model, evaluated inside its last pass
            return float("nan")
        feats, _ = refs.net(samples)
        return metrics.frechet_distance(feats, refs.test_feats)


class LikelihoodCurve:
    """VAEs: the test ELBO on every test image and the IWAE bound with k samples on the first
    n, on the test set binarized as in scoring (seed 0)."""

    def __init__(self, data_dir, k: int, n: int, spec: Dataset):
        self.data_dir, self.k, self.n, self.spec = data_dir, k, n, spec

    def __call__(self, model, epoch) -> dict:
        refs = references(self.data_dir, self.spec)
        result = vae_likelihood(model, refs.test_binary, self.k, self.n)
        return {"test_elbo": result["test_elbo"], "iwae_bound": result["iwae_bound"]}


class ValidationELBO:
    """VAEs: the ELBO on the 10,000 validation images train[50000:60000], binarized once (seed 0):
    the likelihood criterion of the stop rule, which must not read the test set."""

    def __init__(self, data_dir, spec: Dataset):
        self.data_dir, self.spec, self.images = data_dir, spec, None

    def __call__(self, model, epoch) -> dict:
        if self.images is None:
            self.images = binarize_once(references(self.data_dir, self.spec).real_samples, seed=0)
        return {"val_elbo": float(elbo_per_image(model, self.images).mean())}


def _nothing(model, epoch) -> dict:
    return {}


def for_suite(suite: dict, data_dir=None) -> list:
    """The evaluators of the suite's [eval] settings, as factories model name -> evaluator:
    quick FID at every point; for VAEs the test ELBO and IWAE bound if `curve_iwae_k` is set, and
    the validation ELBO where the model's stop rule is on (`stop_tolerance`)."""
    out, settings = [], suite["eval"]
    if settings["quick_fid"]:
        quick = QuickFID(data_dir, settings["quick_fid_samples"], suite["dataset"])
        out.append(lambda model_name: quick)
    if settings["curve_iwae_k"]:
        curve = LikelihoodCurve(data_dir, settings["curve_iwae_k"], settings["curve_images"], suite["dataset"])
        out.append(lambda model_name: curve if models.family(model_name) == "vae" else _nothing)
    stops = {m for m in suite["models"] if run_settings(suite, m)["stop_tolerance"]}
    if any(models.family(m) == "vae" for m in stops):
        validation = ValidationELBO(data_dir, suite["dataset"])
        out.append(lambda model_name: validation if model_name in stops and models.family(model_name) == "vae"
                   else _nothing)
    return out
