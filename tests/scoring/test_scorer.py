"""The scorer on real MNIST: the pinned feature network, direction tests, IWAE, `score`."""

import shutil

import numpy as np
import pytest
import tensorflow as tf

import models
from benchmarks import files, runs
from benchmarks.data.pipeline import binarize_once, to_unit
from benchmarks.errors import UserError
from benchmarks.scoring import feature_net, likelihood, sample_quality, scorer

pytestmark = pytest.mark.mnist


@pytest.fixture(scope="module")
def refs(mnist_dir):
    return sample_quality.References(mnist_dir)


def test_feature_net_is_pinned_and_accurate(refs):
    accuracy = (refs.test_logits.argmax(1) == refs.test_labels).mean()
    assert accuracy >= feature_net.pinned("mnist").min_test_accuracy == 0.993
    assert refs.test_feats.shape == (10000, 128)


def test_the_fashion_feature_net_is_pinned_and_reaches_92_percent(fashion_dir):
    from benchmarks.data.mnist import load_mnist
    from benchmarks.data.pipeline import to_unit

    net = feature_net.FeatureNet("fashion-mnist")  # checks the pinned sha256
    _, (x_test, y_test) = load_mnist(fashion_dir, "fashion-mnist")
    _, logits = net(to_unit(x_test))
    assert (logits.argmax(1) == y_test).mean() >= feature_net.pinned("fashion-mnist").min_test_accuracy == 0.92


def test_feature_net_rejects_other_weights(tmp_path):
    fake = tmp_path / "w.npz"
    shutil.copy(feature_net.pinned("mnist").weights, fake)
    fake.write_bytes(fake.read_bytes() + b"\0")
    with pytest.raises(UserError, match="sha256 .* != pinned"):
        feature_net.FeatureNet(path=fake)


def test_real_images_beat_noise_and_a_repeated_digit(refs):
    real = refs.real_samples[:1000]
    noise = np.random.default_rng(0).random((1000, 28, 28, 1)).astype(np.float32)
    one_digit = np.repeat(real[:1], 1000, axis=0)
    # real = train[50000:51000], which is also the models' sigma-selection set: use the real row's
    m_real = sample_quality.sample_metrics(real, refs, parzen_val=refs.parzen_val_real)
    m_noise, m_one = (sample_quality.sample_metrics(x, refs) for x in (noise, one_digit))
    for worse in (m_noise, m_one):
        assert m_real["fid"] * 10 < worse["fid"]
        assert m_real["kid"] < worse["kid"]
        assert m_real["recall"] > worse["recall"] and m_real["coverage"] > worse["coverage"]
    assert m_real["precision"] > m_noise["precision"] and m_real["parzen_ll"] > m_noise["parzen_ll"]
    assert m_real["classifier_score"] > 8 and m_one["classifier_score"] < 1.5
    assert m_real["modes_covered"] == 10 and m_one["modes_covered"] == 1


def test_mode_coverage_flags_samples_of_one_digit(refs):
    ones = refs.test[refs.test_labels == 1][:800]
    result = sample_quality.sample_metrics(ones, refs)
    assert result["modes_covered"] == 1 and result["mode_hist_1"] > 0.95
    assert result["mode_kl"] > 2.0  # ~ log(1 / 0.1135) = 2.18


def test_iwae_bound_is_above_the_elbo_and_grows_with_k(mnist_dir):
    from benchmarks.data.mnist import load_mnist

    (x_train, _), (x_test, _) = load_mnist(mnist_dir)
    tf.keras.utils.set_random_seed(0)
    model = models.build("vae-dense", latent_dim=8, hidden=(128, 64))
    train = binarize_once(to_unit(x_train[:6400]), seed=1)
    model.fit(tf.data.Dataset.from_tensor_slices(train).batch(128), epochs=3, verbose=0, shuffle=False)
    x = binarize_once(to_unit(x_test[:300]), seed=0)
    bounds = {k: likelihood.vae_likelihood(model, x, k, 300)["iwae_bound"] for k in (1, 10, 100)}
    elbo = likelihood.vae_likelihood(model, x, 1, 300)["test_elbo"]
    assert abs(bounds[1] - elbo) < 1.0  # k = 1 is the ELBO, up to Monte Carlo noise
    assert bounds[1] < bounds[10] < bounds[100]
    assert bounds[100] > elbo + 1.0
    # exactly the images asked for, though k = 100 runs them in steps of 200 (20,000 // k)
    assert likelihood.vae_likelihood(model, x, 100, 250)["iwae_images"] == 250


def test_score_writes_metrics_and_is_idempotent(tmp_path, mnist_dir):
    from benchmarks.suite_file import load_suite
    from benchmarks.training.grid import run_grid

    # 1,000 samples: the fewest that score-samples takes (KID's subset size), checked below
    suite = load_suite("smoke", models=["vae-dense", "gan-dense"], eval={"quick_fid": False, "samples": 1000})
    run_grid(suite, tmp_path, mnist_dir)
    first = scorer.score_all(tmp_path, mnist_dir)
    assert sorted(first.values()) == ["scored", "scored", "scored"]
    for model in ("vae-dense", "gan-dense"):
        m = files.read_json(runs.run_dir(tmp_path, model, 0) / "metrics.json")
        assert m["epochs"] == 2 and m["parameters"] > 0 and m["images_per_sec"] > 0
        assert np.isfinite(m["fid"]) and 0 <= m["precision"] <= 1
    vae = files.read_json(runs.run_dir(tmp_path, "vae-dense", 0) / "metrics.json")
    assert vae["iwae_bound"] >= vae["test_elbo"] - 1.0 and vae["iwae_k"] == 4
    real = files.read_json(tmp_path / "reference" / "real-data" / "metrics.json")
    assert real["modes_covered"] == 10 and real["fid"] < 2.0
    assert set(scorer.score_all(tmp_path, mnist_dir).values()) == {"current"}
    check_score_samples_reproduces_the_run(tmp_path, mnist_dir)


def check_score_samples_reproduces_the_run(out, mnist_dir):
    """`score-samples` on a run's samples.npz prints and writes that run's metrics.json numbers,
    and `benchmarks.score_samples` on the same images in PyTorch's layout returns them too."""
    import contextlib
    import io

    import benchmarks
    from benchmarks.__main__ import main
    from benchmarks.data.mnist import MNIST
    from benchmarks.reporting.text.tables import QUALITY, named

    run = runs.run_dir(out, "gan-dense", 0)
    want = files.read_json(run / "metrics.json")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["score-samples", str(run / "samples.npz"), "--json", str(out / "s.json"),
                     "--data-dir", str(mnist_dir)]) == 0
    got, text = files.read_json(out / "s.json"), printed.getvalue()
    assert "1,000 images, (N, 28, 28, 1) float32 in [0, 1]" in text
    assert "the committed tables score 10,000 samples per run, these are 1,000" in text
    columns = {k: v for k, v in named(QUALITY, MNIST).items() if k != "fid_quick_at_epoch"}
    for key, (header, _, decimals) in columns.items():
        assert f"{got[key]:,.{decimals}f}" == f"{want[key]:,.{decimals}f}", key
        assert f"| {header}" in text and f"{want[key]:,.{decimals}f}" in text
    for key in ("kid_std", "mode_kl", "parzen_sigma", "nn_ratio_median"):
        assert got[key] == pytest.approx(want[key], rel=1e-6), key
    images = np.load(run / "samples.npz")["images"]
    again = benchmarks.score_samples(np.moveaxis(images, -1, 1), "mnist", mnist_dir)  # (N, 1, 28, 28)
    assert again["fid"] == pytest.approx(want["fid"], rel=1e-6) and again["read_as"].startswith("1,000 images, (N, 1")


def test_bad_samples_give_a_clear_error(tmp_path):
    with pytest.raises(UserError, match="x.npz holds float32 \\(3, 784\\), not float32 samples \\(N, 28, 28, 1\\)"):
        sample_quality.check_samples(np.zeros((3, 784), np.float32), "x.npz")
    with pytest.raises(UserError, match="not finite or not in \\[0, 1\\]"):
        sample_quality.check_samples(np.full((3, 28, 28, 1), 2.0, np.float32), "x.npz")


def test_a_failed_retrain_leaves_the_pinned_weights(monkeypatch, tmp_path):
    import argparse

    # the pinned file and the candidate in a temporary folder; training stubbed by an untrained
    # network that scores 90% (10 minutes of training otherwise): the real writing code runs
    from benchmarks.commands import feature_net as command
    from benchmarks.data.mnist import MNIST

    pinned, candidate = tmp_path / "feature_net.npz", tmp_path / "feature_net.candidate.npz"
    shutil.copy(feature_net.pinned(MNIST).weights, pinned)
    monkeypatch.setattr(feature_net, "ASSETS", tmp_path)
    monkeypatch.setattr(feature_net, "fit", lambda data_dir, epochs, name: (feature_net.build(),
                                                                           {"test_accuracy": 0.90}))
    with pytest.raises(UserError, match="not fit to pin; the pinned feature_net.npz is unchanged"):
        command.main(argparse.Namespace(train=True, data_dir=None, dataset="mnist"))
    assert feature_net.sha256(pinned) == MNIST.features_sha256  # untouched
    written = files.read_json(candidate.with_suffix(".json"))
    assert written["sha256"] == feature_net.sha256(candidate) != MNIST.features_sha256
