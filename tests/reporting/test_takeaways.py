"""Every generated sentence on numbers on both sides of its conclusion: the slide takeaways,
the summary's caveats and perf.md's bf16 line say which way their numbers came out."""

import numpy as np
import pandas as pd
import pytest

from benchmarks.reporting.published import paper
from benchmarks.reporting.text import findings
from benchmarks.reporting.text import takeaways as say
from benchmarks.reporting.text import takeaways_lecture as sl
from benchmarks.reporting.text.throughput import bf16_verdict, compiled_loop

SUMMARY = pd.DataFrame({"model": ["gan-dense", "gan-dense-minimax", "real-data"],
                        "fid_mean": [90.0, 170.0, 0.3], "eval_samples_mean": [10_000, 10_000, np.nan]})


def lecture(*rows):
    """checks.csv rows (check, quantity, residual, tolerance) with the pass column the lecture writes."""
    return pd.DataFrame([{"check": c, "quantity": q, "residual": r, "tolerance": t, "pass": r <= t}
                         for c, q, r, t in rows])


def facts(**kw):
    return say.Facts(SUMMARY, **kw)


def test_the_elbo_gap_sentence_reads_the_pass_column():
    good = sl.elbo_gap(facts(lecture=lecture(("ELBO (i)", "quadrature, 12 (x, q)", 1e-14, 1e-8))))
    assert good.startswith("log p(x) − ELBO − KL(q ‖ p(z|x)) is at most 1e-14 nats") and "is inference" in good
    bad = sl.elbo_gap(facts(lecture=lecture(("ELBO (i)", "quadrature, 12 (x, q)", 3e-3, 1e-8))))
    assert "reaches 3.0e-03 nats, above the tolerance 1e-08" in bad and "does not confirm" in bad
    assert "inference" not in bad
    assert sl.elbo_gap(facts()) is None  # no lecture: no claim


def test_the_kl_sentence_names_the_comparison_that_fails():
    ok = facts(lecture=lecture(("KL formula", "formula - tfp", 4e-16, 1e-12),
                               ("KL formula", "formula - Monte Carlo", 3.1, 5.0)))
    assert sl.kl_contours(ok).startswith("The closed form matches TFP's KL to 4e-16 and Monte Carlo within 3.1")
    off = facts(lecture=lecture(("KL formula", "formula - tfp", 4e-16, 1e-12),
                                ("KL formula", "formula - Monte Carlo", 8.2, 5.0)))
    assert sl.kl_contours(off) == ("The closed form misses Monte Carlo by 8.2 standard errors (tolerance 5): the "
                                    "formula as coded is not the Gaussian KL.")


GRADIENTS = (("grad reparameterization", "E x^2", 1.1, 5.0), ("grad score function", "E x^2", 0.9, 5.0))


@pytest.mark.parametrize("low, high, ending", [
    (2.0, 40.0, "the score function's variance is 2× to 40× the reparameterization's, at the same N."),
    (0.5, 0.9, "the score function's variance is below the reparameterization's, 0.5× to 0.9× it, at the same N."),
    (0.96, 8.55, "the score function's variance is 0.96× to 8.6× the reparameterization's: lower in some cases, "
                 "higher in others, at the same N."),
])
def test_the_variance_sentence_follows_the_ratio(low, high, ending):
    numbers = {"variance_ratio_min": low, "variance_ratio_max": high}
    text = sl.gradient_variance(facts(lecture=lecture(*GRADIENTS), numbers=numbers))
    assert text == "Both estimators are unbiased (within 1.1 s.e. of the exact gradient); " + ending


def test_a_biased_estimator_is_not_called_unbiased():
    rows = (GRADIENTS[0], ("grad score function", "E x^2", 7.5, 5.0))
    text = sl.gradient_variance(facts(lecture=lecture(*rows), numbers={"variance_ratio_min": 2.0,
                                                                       "variance_ratio_max": 3.0}))
    assert text.startswith("An estimator misses the exact gradient by 7.5 s.e. (tolerance 5)")


def test_the_generator_loss_sentence_follows_the_gradients():
    # D(G(z)) = 0.01: minimax |dL/dlogit| = D = 0.01, non-saturating 1 - D = 0.99: 99x
    weak = sl.generator_loss(facts(numbers={"d_fake": 0.01, "grad_minimax": 0.01, "grad_non_saturating": 0.99}))
    assert weak.endswith(": 99× larger, just where G is worst.")
    # D(G(z)) = 0.7: 0.7 against 0.3, the minimax gradient is the larger one
    strong = sl.generator_loss(facts(numbers={"d_fake": 0.7, "grad_minimax": 0.7, "grad_non_saturating": 0.3}))
    assert strong.endswith(": the minimax loss is not the weaker one here; it saturates only where D(G(z)) is small.")
    # D(G(z)) = 0.6: 0.4 / 0.6 would be below 1; 0.45 against 0.55 is 1.2x, but G is not at its worst
    mid = sl.generator_loss(facts(numbers={"d_fake": 0.6, "grad_minimax": 0.45, "grad_non_saturating": 0.55}))
    assert mid.endswith(": 1.2× larger.")


def steps(minimax_d_fake):
    frame = lambda d: [pd.DataFrame({"epoch": [0.5, 1.0], "d_fake": [d, d]})]
    return {"gan-dense": frame(0.40), "gan-dense-minimax": frame(minimax_d_fake)}


def quick(base, minimax):
    return SUMMARY.assign(fid_quick_at_epoch_mean=[base, minimax, np.nan])


def test_the_saturation_sentence_says_stall_only_when_the_minimax_gan_is_worse_and_rejected():
    stalled = say.saturation(say.Facts(quick(160.0, 175.0), steps(0.02)))
    assert stalled.endswith("0.020 against 0.400: the saturating loss stalls.")
    # the case: the minimax GAN at quick FID 40 against 160 for the non-saturating one
    fine = say.saturation(say.Facts(quick(160.0, 40.0), steps(0.02)))
    assert fine.endswith(": the minimax GAN did not stall in this run.") and "stalls" not in fine
    unexplained = say.saturation(say.Facts(quick(160.0, 175.0), steps(0.5)))
    assert "does not show saturation as the cause" in unexplained and "stalls" not in unexplained


def test_the_adjoint_sentence_reads_the_residual_against_its_tolerance():
    rows = lambda r: lecture(("Conv2DTranspose adjoint", "7x7", r, 1e-12), ("Conv2DTranspose adjoint", "14x14", 1e-15,
                                                                            1e-12))
    assert "is the adjoint of Conv2D, not its inverse" in sl.conv_transpose(facts(lecture=rows(2e-15)))
    bad = sl.conv_transpose(facts(lecture=rows(0.3)))
    assert bad == ("⟨Kx, y⟩ and ⟨x, Kᵀy⟩ differ by a relative 3.0e-01 at the conv generator's layers, above the "
                   "tolerance 1e-12: this Conv2DTranspose is not the adjoint of the Conv2D with the same kernel.")


def parzen_table(means, draws):
    values = {paper.OURS_GAN: 201.0, paper.OURS_MEANS: means, paper.OURS_DRAWS: draws, paper.OURS_REAL: 238.8,
              paper.THEIRS_GAN: 225.0}
    return pd.DataFrame([{"comparison": "parzen", "model": m, "source": "s", "value": v, "se": 2.0, "protocol": "p"}
                         for m, v in values.items()])


def test_the_parzen_sentence_says_blur_is_rewarded_only_when_the_means_beat_the_draws():
    assert "the window rewards blur, not likelihood" in say.parzen(parzen_table(234.5, 12.9))
    flipped = say.parzen(parzen_table(12.9, 234.5))
    assert "does not show the window rewarding blur" in flipped and "rewards blur, not" not in flipped
    assert "their own model" not in flipped  # no gan-goodfellow row: nothing said of it
    own = pd.concat([parzen_table(234.5, 12.9), pd.DataFrame([{"comparison": "parzen", "model": paper.OURS_OWN_GAN,
                                                               "source": "s", "value": 219.4, "se": 2.0,
                                                               "protocol": "p"}])])
    assert "(Goodfellow et al.'s GAN 225, their own model trained here 219.4)" in say.parzen(own)


def test_the_traversal_and_manifold_sentences_follow_their_figures():
    figure = lambda share: {"vae-traversal": {"shown": 4, "dims": 20, "share": share, "kl_shown": 20 * share,
                                              "kl_total": 20.0}}
    assert say.traversal(facts(figures=figure(0.95))).endswith("the other 16 are nearly unused.")
    assert say.traversal(facts(figures=figure(0.6))).endswith("the other 16 carry the remaining 40%, so the figure "
                                                              "leaves much out.")
    plane = lambda loss: {"vae-manifold": {"loss": loss, "loss_full": 100.0}}
    assert say.manifold(facts(figures=plane(140.0))).endswith("a readable plane costs 40 nats.")
    assert say.manifold(facts(figures=plane(98.0))).endswith("here the readable plane costs nothing, 2 nats better "
                                                             "than 20 dimensions.")


def test_counts_come_from_the_runs_and_the_dataset():
    assert say.samples(facts()).startswith("FID of 10,000 samples: best gan-dense 90.0")
    fewer = say.Facts(SUMMARY.assign(eval_samples_mean=[2_000, 2_000, np.nan]))
    assert say.samples(fewer).startswith("FID of 2,000 samples:")
    mixed = say.Facts(SUMMARY.assign(eval_samples_mean=[2_000, 10_000, np.nan]))
    assert say.samples(mixed).startswith("FID: best")  # no one count to state
    modes = say.Facts(SUMMARY.assign(modes_confident_mean=[3.0, 1.0, 10.0]), classes=7)
    assert say.modes(modes).startswith("Digits covered by confident samples (p ≥ 0.9), of 7: ")


def test_the_gan_recall_caveat_follows_the_recall():
    assert findings.gan_recall(0.05, 0.84).endswith("cover little of the variety of the test set.")
    many = findings.gan_recall(0.70, 0.84)
    assert many.endswith("their samples cover 83% of the variety that real digits reach by this measure.")
    assert "little" not in many


def test_the_budget_caveat_compares_with_the_long_suite_s_stop_rule():
    from benchmarks.suite_file import load_suite

    long = load_suite("long")  # 2% over the last 20% of the epochs, from 10 epochs on
    least = long["stop_min_epochs"]
    assert findings.budgets(1, 2).endswith(
        f"against at least {least} in the long suite, which trains each run until its quick FID improves by less "
        f"than {long['stop_tolerance']:.0%} over the last {long['stop_window']:.0%} of its epochs: the table "
        "describes early training, not trained models.")
    longer = findings.budgets(least, 3 * least)
    assert longer.endswith("but with no stop rule: whether the runs had stopped improving is not measured.")
    assert "early" not in longer
    # runs of a suite with the rule: all of them ended by it, or some at their cap
    assert findings.budgets(12, 60, 1.0).endswith("once its quick FID had stopped improving: trained models.")
    some = findings.budgets(12, 60, 2 / 3)
    assert some.endswith("67% of the runs met the stop rule and the others stopped at their cap while still "
                         "improving: not all are trained models.")


def test_the_bf16_line_follows_the_ratios():
    assert bf16_verdict(0.4, 0.8).startswith("slower than float32 for every model")
    assert bf16_verdict(1.2, 2.5) == "faster than float32 for every model."
    assert bf16_verdict(0.9, 1.3) == "faster for some models and slower for others."


def perf_rows(*rows):
    """perf's table: (model, loop, img/s fit, img/s compiled under XLA), batch 128, 2 GFLOP a step."""
    return pd.DataFrame([{"model": m, "batch": 128, "loop": loop, "img/s fit": fit, "img/s compiled, XLA": xla,
                          "compiled, XLA / fit": xla / fit, "gflop_per_step": 2.0} for m, loop, fit, xla in rows])


def test_the_compiled_loop_sentence_follows_the_speedups_and_the_suites_loops():
    # gan-dense 5,000 -> 9,000 img/s (1.8x), gan-conv 700 -> 35 (0.05x); each suite trains the faster one
    mixed = compiled_loop(perf_rows(("gan-dense", "compiled, XLA", 5000, 9000), ("gan-conv", "fit", 700, 35)))
    assert "0.05x to 1.80x" in mixed and "most for gan-dense at batch 128 (5000 → 9000 images/s" in mixed
    assert "slower than `fit` for gan-conv." in mixed and "Each suite trains a model in the faster" in mixed
    # XLA slower everywhere (0.5x, 0.9x): no best model is named, and a suite training gan-dense under XLA is
    # called out
    slower = compiled_loop(perf_rows(("gan-dense", "compiled, XLA", 5000, 2500), ("gan-conv", "fit", 700, 630)))
    assert "0.50x to 0.90x" in slower and "most for" not in slower and "slower than `fit` for every model" in slower
    assert "do not train gan-dense in the faster of the two" in slower and "Each suite" not in slower
    # faster everywhere (1.2x, 2x), but gan-conv trains in fit
    faster = compiled_loop(perf_rows(("gan-dense", "compiled, XLA", 5000, 10000), ("gan-conv", "fit", 700, 840)))
    assert "faster than `fit` for every model" in faster and "most for gan-dense" in faster
    assert "do not train gan-conv in the faster" in faster
