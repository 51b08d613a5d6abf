"""Early against converged on hand-made pairs of summaries: the table, whether the FID
ranking changes (both ways), the stop rule's sentence (all, some and none converged) and
the report's files when OUT/long/ is there."""

import numpy as np
import pandas as pd
import pytest

from benchmarks.reporting import converged


def summary(fid, epochs, converged_share=None, elbo=None, seeds=3):
    rows = []
    for model, value in fid.items():
        row = {"model": model, "seeds": seeds, "fid_mean": value, "epochs_mean": epochs[model],
               "precision_mean": 0.5, "recall_mean": 0.4, "train_seconds_mean": 10.0 * epochs[model]}
        if converged_share is not None:
            row["converged_mean"] = converged_share[model]
        if elbo is not None and model in elbo:
            row["test_elbo_mean"] = elbo[model]
        rows.append(row)
    rows.append({"model": "real-data", "seeds": 1, "fid_mean": 0.3})
    return pd.DataFrame(rows)


EARLY = summary({"vae-dense": 25.0, "gan-dense": 90.0, "gan-conv": 12.0}, dict.fromkeys(("vae-dense", "gan-dense"), 2)
                | {"gan-conv": 1}, elbo={"vae-dense": -98.0})


def test_the_table_pairs_each_model_and_ranks_by_fid():
    late = summary({"vae-dense": 11.0, "gan-dense": 15.0, "gan-conv": 5.0}, {"vae-dense": 60, "gan-dense": 40,
                   "gan-conv": 15}, dict.fromkeys(("vae-dense", "gan-dense", "gan-conv"), 1.0), {"vae-dense": -90.0})
    t = converged.table(EARLY, late)
    assert t["model"].tolist() == ["vae-dense", "gan-dense", "gan-conv"]  # the real-data row is not a model
    assert t["rank_early"].tolist() == [2, 3, 1] and t["rank_converged"].tolist() == [2, 3, 1]
    assert t.loc[0, "test_elbo_early"] == -98.0 and t.loc[0, "test_elbo_converged"] == -90.0
    # 25 -> 11, 90 -> 15, 12 -> 5: every FID fell, the order gan-conv, vae-dense, gan-dense stays
    assert converged.ranking(t) == ("FID improved for 3 of 3 models; the FID ranking is the same early and "
                                    "converged: gan-conv, vae-dense, gan-dense.")
    assert converged.stopped(t) == "Every long run stopped by the rule, after 15 to 60 epochs (mean over seeds)."
    cells = converged.formatted(t)
    assert cells.loc[0, "FID ↓"] == "25.0 → **11.0**" and cells.loc[0, "Test ELBO ↑"] == "-98.0 → **-90.0**"
    assert cells.loc[1, "Test ELBO ↑"] == "– → –" and cells.loc[2, "Epochs"] == "1 → 15"


def test_a_ranking_that_flips_is_named_with_each_move():
    # gan-dense overtakes both: 90 -> 4 against vae-dense's 11 and gan-conv's 5
    late = summary({"vae-dense": 11.0, "gan-dense": 4.0, "gan-conv": 5.0}, dict.fromkeys(("vae-dense", "gan-dense",
                   "gan-conv"), 30), dict.fromkeys(("vae-dense", "gan-dense", "gan-conv"), 1.0))
    text = converged.ranking(converged.table(EARLY, late))
    assert text == ("FID improved for 3 of 3 models; trained to convergence, the FID ranking changes: gan-dense "
                    "3 → 1, gan-conv 1 → 2, vae-dense 2 → 3.")


def test_a_model_that_got_worse_is_named():
    late = summary({"vae-dense": 11.0, "gan-dense": 95.0, "gan-conv": 5.0}, dict.fromkeys(("vae-dense", "gan-dense",
                   "gan-conv"), 30), dict.fromkeys(("vae-dense", "gan-dense", "gan-conv"), 1.0))
    assert converged.ranking(converged.table(EARLY, late)).startswith(
        "FID improved for 2 of 3 models (worse: gan-dense); the FID ranking is the same")


def test_runs_at_their_cap_are_counted_per_model():
    share = {"vae-dense": 1.0, "gan-dense": 1 / 3, "gan-conv": 0.0}
    late = summary({"vae-dense": 11.0, "gan-dense": 15.0, "gan-conv": 5.0}, dict.fromkeys(("vae-dense", "gan-dense",
                   "gan-conv"), 20), share)
    # gan-dense: 1 of 3 runs converged, so 2 reached the cap; gan-conv: none converged, all 3 at the cap
    assert converged.stopped(converged.table(EARLY, late)) == (
        "Runs that reached their cap still improving by the rule: gan-dense 2 of 3, gan-conv 3 of 3; those "
        "models' converged numbers may yet improve with more training.")
    no_rule = summary({"vae-dense": 11.0}, {"vae-dense": 50})
    assert converged.stopped(converged.table(EARLY, no_rule)) == ("The long runs record no stop rule: each trained "
                                                                   "its whole budget.")


def test_the_sentences_fit_a_slide_foot_for_seven_models_that_all_move_and_cap():
    import textwrap

    models = ["vae-dense", "vae-conv", "gan-dense", "gan-dense-minimax", "gan-conv", "diffusion", "flow-matching"]
    # every rank reversed (1 -> 7, ..., 7 -> 1), one model worse, every model with 2 of 3 runs at its cap
    early = summary(dict(zip(models, [10.0, 20, 30, 40, 50, 60, 70])), dict.fromkeys(models, 1))
    late = summary(dict(zip(models, [11.0, 6, 5, 4, 3, 2, 1])), dict.fromkeys(models, 30), dict.fromkeys(models, 1 / 3))
    t = converged.table(early, late)
    for sentence in (converged.ranking(t), converged.stopped(t)):
        assert len(textwrap.wrap(sentence, 105)) <= 3, sentence  # the deck's takeaway: 3 lines at 105 fit
    assert converged.ranking(t).startswith("FID improved for 6 of 7 models (worse: vae-dense); trained to "
                                           "convergence, the FID ranking changes: flow-matching 7 → 1,")


def test_no_common_model_is_said_plainly():
    late = summary({"flow-matching": 8.0}, {"flow-matching": 20}, {"flow-matching": 1.0})
    assert converged.ranking(converged.table(EARLY, late)) == ("No model is in both the default and the long "
                                                               "suite's tables.")


def test_the_default_report_reads_the_long_folder(tmp_path):
    problems = []
    assert converged.read(tmp_path, problems) is None and problems == []  # no long run: nothing, no error
    (tmp_path / "long").mkdir()
    late = summary({"vae-dense": 11.0, "gan-dense": 15.0, "gan-conv": 5.0}, dict.fromkeys(("vae-dense", "gan-dense",
                   "gan-conv"), 20), dict.fromkeys(("vae-dense", "gan-dense", "gan-conv"), 1.0))
    late.to_csv(tmp_path / "long" / "summary.csv", index=False)
    (tmp_path / "long" / "curves.csv").write_text("model,seed\nvae-dense,0\n")
    assert converged.read(tmp_path, problems) is None
    assert len(problems) == 1 and "curves.csv" in problems[0] and "--suite long" in problems[0]
    curve = pd.DataFrame({"epoch": [0.0, 1.0, 2.0], "images": [0, 10, 20], "train_seconds": [0.0, 5.0, 10.0],
                          "fid_quick": [300.0, 40.0, 30.0]})
    table = converged.curves_table({"vae-dense": [curve.assign(seed=0), curve.assign(seed=1)]})
    assert table.columns.tolist() == list(converged.CURVE_COLUMNS) and len(table) == 6
    table.to_csv(tmp_path / "long" / "curves.csv", index=False)
    found, curves = converged.read(tmp_path, [])
    assert found["fid_mean"].tolist()[:3] == [11.0, 15.0, 5.0]
    assert [len(f) for f in curves["vae-dense"]] == [3, 3]
    fig = converged.figure(EARLY, found, curves)
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_yscale() == "log"
    assert np.isclose(fig.axes[0].lines[0].get_xdata()[-1], 10.0)
    assert [converged.duration(s) for s in (5, 30, 120, 1800, 7200, 14_400)] == ["5 s", "30 s", "2 min", "30 min",
                                                                                 "2 h", "4 h"]


def test_the_markdown_holds_the_sentences_and_the_table():
    late = summary({"vae-dense": 11.0, "gan-dense": 15.0, "gan-conv": 5.0}, dict.fromkeys(("vae-dense", "gan-dense",
                   "gan-conv"), 20), dict.fromkeys(("vae-dense", "gan-dense", "gan-conv"), 1.0))
    text = converged.markdown(converged.table(EARLY, late), "commit abc")
    assert "| Model | Epochs | FID ↓ | Precision ↑ | Recall ↑ | Test ELBO ↑ | FID rank |" in text
    assert "| gan-conv | 1 → 20 | 12.0 → **5.0** |" in text
    assert text.rstrip().endswith("Made by genbench: commit abc.")
    # precision 0.512 early and 0.508 converged: both show as 0.51, so neither is bold
    early, late = EARLY.copy(), late.assign(precision_mean=[0.508, 0.7, 0.3, np.nan])
    early["precision_mean"] = [0.512, 0.6, 0.3, np.nan]
    cells = converged.formatted(converged.table(early, late))["Precision ↑"].tolist()
    assert cells == ["0.51 → 0.51", "0.60 → **0.70**", "0.30 → 0.30"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
