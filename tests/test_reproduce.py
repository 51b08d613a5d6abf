"""`reproduce` (the paper suite's command) on a tiny budget of real MNIST: vae-burda and the
conv GAN trained, scored with the papers' protocols, and results/paper/ written; resumable."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from benchmarks import records, runs
from benchmarks.__main__ import main
from benchmarks.scoring.sample_quality import bernoulli_draws
from benchmarks.suite_file import load_suite

pytestmark = pytest.mark.mnist

SUITE = """
models = ["vae-burda", "gan-conv", "gan-goodfellow"]
seeds = [0]
epochs = 1
train_images = 120
batch_size = 60
figure_dpi = 72
slide_dpi = 72
[overrides.vae-burda]
epochs = 3
stages = [1, 2]
batch_size = 20
eval_every_images = 120
[eval]
samples = 300
quick_fid_samples = 100
iwae_k = 10
likelihood_images = 40
curve_iwae_k = 3
curve_images = 30
"""


@pytest.fixture(scope="module")
def paper_out(tmp_path_factory, mnist_dir):
    root = tmp_path_factory.mktemp("paper")
    (root / "tiny.toml").write_text(SUITE)
    out = root / "out"
    assert main(["reproduce", "--suite", str(root / "tiny.toml"), "--out", str(out), "--data-dir", str(mnist_dir)]) == 0
    return root, out


def test_vae_burda_trains_with_the_staged_rate_and_its_likelihood_curve(paper_out):
    _, out = paper_out
    folder = runs.run_dir(out, "vae-burda", 0)
    history = runs.read_history(folder)
    assert history["epoch"].tolist() == [1, 2, 3] and history["images"].tolist() == [120] * 3  # 6 batches of 20
    np.testing.assert_allclose(history["learning_rate"], [1e-3, 1e-3 * 10 ** (-1 / 7), 1e-3 * 10 ** (-1 / 7)])
    curve = runs.read_curve(folder)
    assert curve["epoch"].tolist() == [0, 1, 2, 3]
    assert curve["test_elbo"].notna().all() and (curve["iwae_bound"] >= curve["test_elbo"] - 5).all()
    assert curve["test_elbo"].iloc[-1] > curve["test_elbo"].iloc[0] + 100  # 3 passes learn something
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["iwae_k"] == 10 and metrics["iwae_images"] == 40
    assert "test_elbo" not in runs.read_curve(runs.run_dir(out, "gan-conv", 0))


def test_the_paper_folder_holds_both_comparisons(paper_out):
    _, out = paper_out
    assert {p.name for p in out.iterdir()} >= {"README.md", "table.csv", "config-vae-burda.json",
                                                "config-gan-conv.json", "curves.png", "curves.pdf", "samples.png"}
    table = pd.read_csv(out / "table.csv")
    vae = json.loads((runs.run_dir(out, "vae-burda", 0) / "metrics.json").read_text())
    ours = table.set_index("model")["value"]
    assert ours["VAE, 1 stochastic layer, k = 1 (Burda et al. 2015)"] == 86.76
    assert ours["vae-burda (genbench)"] == pytest.approx(-vae["iwae_bound"])
    assert ours["Adversarial nets (Goodfellow et al. 2014)"] == 225
    assert ours["vae-burda, Bernoulli means (genbench)"] == pytest.approx(vae["parzen_ll"])
    assert {"gan-conv (genbench)", "vae-burda, binary draws x ~ p(x|z) (genbench)",
            "real held-out images (the ceiling)", "DBN (Goodfellow et al. 2014)"} <= set(ours.index)
    readme = (out / "README.md").read_text()
    nll = -vae["iwae_bound"]
    assert f"**{nll:.2f} nats against the paper's 86.76: {nll - 86.76:+.2f} nats (not within" in readme
    assert "ours last 1, 2 (3 passes)" in readme and "Machine: " in readme and "Theis" in readme
    assert "Made by genbench: runs trained at commit " in readme  # provenance, and the precision of each run
    assert json.loads((out / "config-vae-burda.json").read_text())["hyperparameters"]["stages"] == [1, 2]
    own = json.loads((runs.run_dir(out, "gan-goodfellow", 0) / "metrics.json").read_text())
    assert ours["gan-goodfellow, their maxout MLP GAN (genbench)"] == pytest.approx(own["parzen_ll"])
    assert "### Goodfellow et al.'s own model" in readme and "Where it departs from mnist.yaml:" in readme
    assert f"**gan-goodfellow scores {own['parzen_ll']:.1f} ± " in readme  # one epoch of 120 images: far off
    assert "outside the 10-nat target" in readme and "no stop rule applied" in readme
    assert "#### Sharpness" in readme and "| 0.5 px | " in readme
    assert "`config-gan-goodfellow.json`" in readme and (out / "config-gan-goodfellow.json").is_file()
    assert "the GANs' quick FID against epochs" in readme and "and the same blurred by 0.5 px" in readme
    assert readme.count("Trained in 1 sitting") == 2  # vae-burda's, and gan-goodfellow's in its own section
    assert "Trained vae-burda in float32, gan-conv in float32, gan-goodfellow in float32." in readme
    assert "**A 0.5-pixel blur moves the estimate by" in readme


def test_the_own_gan_s_verdict_follows_its_distance_from_225():
    from benchmarks.reporting.published.parzen import own_gan

    metrics = {"epochs": 180, "train_seconds": 3600.0, "fid": 9.0, "parzen_ll_se": 2.0}
    config = {"epochs": 400, "batch_size": 100, "train_images": 50_000, "stop_tolerance": 0.02, "stop_window": 0.2,
              "stop_min_epochs": 50, "eval": {"quick_fid_samples": 1000}}
    near = "\n".join(own_gan({**metrics, "parzen_ll": 219.0}, config, True))  # 225 - 6: inside 10 nats
    assert "(-6.0), within the 10-nat target.**" in near and "the stop rule ended it" in near
    low = "\n".join(own_gan({**metrics, "parzen_ll": 201.0}, config, False))  # 225 - 24
    assert "(-24.0), outside the 10-nat target: below the paper's value.**" in low
    assert "it reached its cap of 400 epochs still improving" in low
    high = "\n".join(own_gan({**metrics, "parzen_ll": 240.5}, config, True))
    assert "(+15.5), outside the 10-nat target: above the paper's value.**" in high
    assert ("- mnist.yaml sets no end to training; ours stops once its quick FID (1,000 samples) improves by less "
            "than 2% over the last 20% of its epochs (after at least 50), or at 400 epochs.") in near
    assert "batches of" not in near  # the released batch size and training images: no departure there


def test_the_sharpness_sentence_weighs_the_blur_s_move_against_the_gap_to_225():
    from benchmarks.reporting.published.parzen import sharpness

    gm = {"parzen_ll": 201.0, "parzen_ll_se": 2.3, "fid": 3.34}  # 24.0 nats below 225
    conv = {"parzen_ll": 200.5, "epochs": 8}
    far = {0.3: {"parzen_ll": 205.0, "parzen_ll_se": 2.3, "fid": 3.9}, 0.5: {"parzen_ll": 275.8, "parzen_ll_se": 2.0,
                                                                               "fid": 9.1}}
    text = "\n".join(sharpness(gm, far, conv))
    # 275.8 - 201.0 = +74.8 against 225 - 201.0 = 24.0: more
    assert ("**A 0.5-pixel blur moves the estimate by +74.8 nats, more than the 24.0 nats between it and the paper's"
            " value, and toward it:") in text
    assert "can account for the gap" in text and "FID goes from 3.34 to 9.10." in text
    assert "| none | 201.0 ± 2.3 | 3.34 |" in text and "| 0.3 px | 205.0 ± 2.3 | 3.90 |" in text
    assert "scores 200.5: 0.5 nats from gan-goodfellow." in text
    near = {0.5: {"parzen_ll": 211.0, "parzen_ll_se": 2.0, "fid": 4.0}}  # +10.0 against 24.0: less
    text = "\n".join(sharpness(gm, near))
    assert "by +10.0 nats, less than the 24.0 nats" in text and "does not account for the gap" in text
    assert "gan-conv" not in text
    above = {**gm, "parzen_ll": 249.0}  # 24.0 above 225: the same +74.8 moves it further away
    text = "\n".join(sharpness(above, {0.5: {**far[0.5], "parzen_ll": 323.8}}))
    assert "by +74.8 nats, more than the 24.0 nats between it and the paper's value, but away from it" in text
    assert "can account" not in text
    assert sharpness(gm, {}) == []  # no gan-goodfellow run: no section


def test_a_blur_spreads_a_pixel_by_the_sampled_gaussian_and_keeps_flat_images():
    from benchmarks.scoring.sample_quality import blurred

    dot = np.zeros((1, 28, 28, 1), np.float32)
    dot[0, 14, 14, 0] = 1.0
    out = blurred(dot, 0.5)
    # scipy samples the Gaussian at k = -2..2 (4 standard deviations) and normalizes: 1 + 2 e^-2 + 2 e^-8
    # = 1.27137 per axis, so the centre keeps (1 / 1.27137)^2 = 0.61866 and the neighbour e^-2 of that
    assert out[0, 14, 14, 0] == pytest.approx(0.61866, abs=1e-4)
    assert out[0, 14, 15, 0] == pytest.approx(0.61866 * np.exp(-2), abs=1e-4)
    assert out.sum() == pytest.approx(1.0, abs=1e-5) and out.dtype == np.float32
    flat = np.full((2, 28, 28, 1), 0.25, np.float32)
    np.testing.assert_allclose(blurred(flat, 0.5), flat, atol=1e-6)  # nothing to blur
    assert blurred(dot, 0.5)[0, 14, 14, 0] > blurred(dot, 1.0)[0, 14, 14, 0]  # a wider blur spreads further


def test_bernoulli_draws_are_binary_with_the_means_as_probabilities():
    means = np.full((200, 28, 28, 1), 0.25, np.float32)
    draws = bernoulli_draws(means)
    assert set(np.unique(draws)) == {0.0, 1.0} and abs(draws.mean() - 0.25) < 0.005
    assert np.array_equal(draws, bernoulli_draws(means))  # a fixed seed


def test_a_second_call_trains_nothing_rescores_what_is_damaged_and_rewrites_the_folder(paper_out, mnist_dir, capsys):
    root, out = paper_out
    copy = root / "again"
    shutil.copytree(out, copy)
    (copy / "README.md").unlink()
    (runs.run_dir(copy, "gan-conv", 0) / "metrics.json").write_text("[]")
    before = (runs.run_dir(copy, "vae-burda", 0) / "history.csv").read_bytes()
    data = ["--data-dir", str(mnist_dir)]
    assert main(["reproduce", "--suite", str(root / "tiny.toml"), "--out", str(copy), *data]) == 0
    said = capsys.readouterr()
    assert "vae-burda seed 0: already finished, skipped" in said.out
    assert "vae-burda/seed-0: current" in said.out and "rescored (its metrics.json was damaged)" in said.out
    assert "Traceback" not in said.err
    assert (runs.run_dir(copy, "vae-burda", 0) / "history.csv").read_bytes() == before
    assert (copy / "README.md").read_text() == (out / "README.md").read_text()


def test_bad_input_is_one_line(paper_out, capsys):
    root, out = paper_out
    assert main(["reproduce", "--suite", str(root / "tiny.toml"), "--dataset", "fashion-mnist",
                 "--out", str(root / "f")]) == 2
    assert capsys.readouterr().err.strip() == ("error: reproduce: the papers report MNIST, not fashion-mnist; "
                                               "drop --dataset")
    (root / "gone").mkdir()
    shutil.copytree(runs.run_dir(out, "gan-conv", 0), runs.run_dir(root / "gone", "gan-conv", 0))
    from benchmarks.errors import UserError
    from benchmarks.reporting.published.paper import write_paper

    with pytest.raises(UserError, match="vae-burda seed 0 is missing; train it with"):
        write_paper(root / "gone", records.load(root / "gone"), {}, {}, np.zeros((1, 28, 28, 1), np.float32))


def test_the_paper_suite_spends_its_stages_and_the_papers_evaluation():
    suite = load_suite("paper")
    burda = suite["overrides"]["vae-burda"]
    assert burda["epochs"] == sum(burda["stages"]) == 3280 and burda["batch_size"] == 20
    assert burda["stages"] == [3**i for i in range(8)] and burda["train_images"] == 60_000  # as published
    assert suite["binarize"] and suite["eval"]["iwae_k"] == 5000 and suite["eval"]["likelihood_images"] == 10000
    assert suite["eval"]["samples"] == 10000  # Goodfellow's Parzen protocol


def test_the_paper_names_each_sitting_with_its_passes_and_times():
    import pandas as pd

    from benchmarks.reporting.published.paper import sittings

    # passes 1-2 in sitting 1 (60 s each, ending at t = 100 and 160), pass 3 in sitting 2 (30 s, ending at 1000)
    history = pd.DataFrame({"epoch": [1, 2, 3], "epoch_seconds": [60.0, 60.0, 30.0], "sitting": [1, 1, 2],
                            "ended_at": [100.0, 160.0, 1000.0]})
    text = " ".join(sittings(history))
    # sitting 1: training 120 s = 2.0 min, wall 160 - (100 - 60) = 120 s; sitting 2: 30 s = 0.5 min of both
    assert "2 sittings" in text and "sitting 1: passes 1–2, 2.0 min of training, 2.0 min wall" in text
    assert "sitting 2: pass 3, 0.5 min of training, 0.5 min wall" in text
    epochs = " ".join(sittings(history, unit="epoch"))  # a GAN's sittings count epochs
    assert "sitting 1: epochs 1–2, 2.0 min" in epochs and "sitting 2: epoch 3," in epochs
    assert "epochs trained after it and before an interruption" in epochs
    assert sittings(history.drop(columns=["sitting", "ended_at"])) == []  # a run from before the columns
    # config.json's `sittings` names sitting 2's commit only
    text = " ".join(sittings(history, [{"sitting": 2, "commit": "abc1234"}]))
    assert "sitting 1: passes 1–2" in text and "sitting 2 (commit abc1234): pass 3" in text
    assert "names no commit for sitting 1 (" in text


def test_the_full_schedule_is_set_beside_the_366_pass_run_at_matching_passes():
    from benchmarks.reporting.published import earlier
    from benchmarks.reporting.published.paper import against_compressed
    from models.registry import BURDA_STAGES

    # this run's −IWAE (k = 50) 1 nat under the 366-pass run's at passes 10 and 366 (103.10 and 89.24 there)
    curve = pd.DataFrame({"epoch": [0.0, 10.0, 11.0, 366.0], "iwae_bound": [-540.0, -102.10, -101.0, -88.24]})
    text = "\n".join(against_compressed(curve, BURDA_STAGES, 60_000))
    # the rate of pass p: stages end (here) at 1, 4, 13, 40, 121, 364, …, (there) at 1, 2, 3, 6, 15, 42, 123, 366;
    # pass 10 is in stage 4 there (passes 7–15), 1e-3·10^(−4/7), and in stage 2 here (passes 5–13), 1e-3·10^(−2/7)
    assert "| 10 | 103.10 | 102.10 | -1.00 | 2.68e-04 | 5.18e-04 |" in text
    # pass 366: the last stage there (7: 10^−1), stage 6 here (passes 365–1093)
    assert "| 366 | 89.24 | 88.24 | -1.00 | 1.00e-04 | 1.39e-04 |" in text
    assert "3,000 steps of 20" in text and "2,500 steps of 20" in text and "2,914 more passes" in text
    assert text.count("\n| ") == 3  # the header and the two passes both curves hold
    assert against_compressed(curve, earlier.STAGES, 50_000) == []  # the 366-pass schedule is not set beside itself
    # evaluated every 30 passes: the common passes nearest 10, 30, 100, 200 and 366 are 30, 30, 90, 210 and
    # 360 (|100 - 90| = 10 < |100 - 120| = 20); still 3,280 - 366 = 2,914 passes beyond the 366-pass run
    every_30 = pd.DataFrame({"epoch": np.arange(0.0, 3281.0, 30.0)})
    every_30["iwae_bound"] = -90.0
    text = "\n".join(against_compressed(every_30, BURDA_STAGES, 60_000))
    rows = [int(line.split("|")[1]) for line in text.splitlines() if line[2:3].isdigit()]
    assert rows == [30, 90, 210, 360]
    assert "| 90 | 92.19 | 90.00 | -2.19 |" in text and "2,914 more passes" in text
