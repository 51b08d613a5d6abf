"""The diffusion slides' sentences, each on numbers on both sides of its conclusion."""

import numpy as np
import pandas as pd

from benchmarks.reporting.figures import sampling_cost
from benchmarks.reporting.text import takeaways_diffusion as sd
from benchmarks.reporting.text.takeaways import Facts

SUMMARY = pd.DataFrame({"model": ["gan-conv", "flow-matching"], "fid_mean": [12.7, 30.0],
                        "network_evaluations_mean": [1, 8]})


def _lecture(check, quantity, residual, tolerance):
    return pd.DataFrame([{"check": check, "quantity": quantity, "residual": residual, "tolerance": tolerance,
                          "pass": residual <= tolerance}])


def test_lecture_sentences_follow_their_pass_column():
    ok = Facts(SUMMARY, lecture=pd.concat([_lecture("forward process", "mean", 2.1, 5.0),
                                           _lecture("forward process", "variance", 1.3, 5.0)]))
    assert "match q(x_t | x₀)" in sd.forward_process(ok) and "2.1 s.e." in sd.forward_process(ok)
    bad = Facts(SUMMARY, lecture=pd.concat([_lecture("forward process", "mean", 9.0, 5.0),
                                            _lecture("forward process", "variance", 1.3, 5.0)]))
    assert "miss the closed form" in sd.forward_process(bad) and "9.0 s.e." in sd.forward_process(bad)
    weights = {"elbo_weight_min": 0.5, "elbo_weight_max": 40.0}
    good = Facts(SUMMARY, lecture=_lecture("DDPM loss = weighted ELBO", "KL", 2e-12, 1e-9), numbers=weights)
    assert "equals λ_t" in sd.elbo_weights(good) and "0.5 to 40" in sd.elbo_weights(good)
    wrong = Facts(SUMMARY, lecture=_lecture("DDPM loss = weighted ELBO", "KL", 0.3, 1e-9), numbers=weights)
    assert "are not the ELBO's" in sd.elbo_weights(wrong)
    assert "gives the others" in sd.parameterizations(Facts(SUMMARY, lecture=_lecture("parameterizations", "x", 1e-14,
                                                                                      1e-12)))
    assert "disagree" in sd.parameterizations(Facts(SUMMARY, lecture=_lecture("parameterizations", "x", 1e-3, 1e-12)))
    assert "lands on" in sd.flow_matching(Facts(SUMMARY, lecture=_lecture("flow matching", "b", 2.0, 5.0)))
    assert "misses" in sd.flow_matching(Facts(SUMMARY, lecture=_lecture("flow matching", "b", 12.0, 5.0)))
    assert sd.forward_process(Facts(SUMMARY)) is None  # no lecture: no claim


def _sweep_facts(fids):
    return {"sweeps": {"flow-matching": dict(zip([1, 2, 4, 8], fids))}, "one_pass": {"gan-conv": 14.0,
                                                                                     "vae-dense": 26.0},
            "seconds": {"flow-matching": {1: 0.3, 2: 0.6, 4: 1.2, 8: 2.4}, "gan-conv": {1: 0.4}}}


def test_the_trade_off_names_the_steps_that_match_the_best_one_pass_model_or_says_none_does():
    matched = sd.fid_vs_steps(Facts(SUMMARY, figures={"fid-vs-steps": _sweep_facts([90.0, 30.0, 13.0, 11.0])}))
    # 4 passes reach 13.0 <= gan-conv's 14.0; 1.2 s / 0.4 s = 3x its seconds per sample
    assert matched == ("flow-matching reaches gan-conv's quick FID 14.0 (one network pass) with 4 passes per sample "
                       "(13.0), at 3× its seconds per sample; its best, 11.0, takes 8 passes.")
    missed = sd.fid_vs_steps(Facts(SUMMARY, figures={"fid-vs-steps": _sweep_facts([90.0, 60.0, 40.0, 35.0])}))
    assert missed.startswith("No diffusion-family model reaches gan-conv's quick FID 14.0")
    assert "35.0 at 8 passes" in missed and "beats 8 passes" in missed
    assert sd.fid_vs_steps(Facts(SUMMARY)) is None


def test_the_ema_verdict_follows_the_seeds():
    curve = lambda ema, raw: pd.DataFrame({"fid_quick": [100.0, ema], "fid_quick_raw": [100.0, raw]})
    helped = sampling_cost.ema_effect({"diffusion": [curve(50.0, 55.0), curve(52.0, 54.0)]})
    assert helped == {"diffusion": (51.0, 54.5, 2, 2)}
    # the step logs of a VAE and a diffusion model: only the diffusion family's loss is a regression loss
    steps = {"vae-dense": [pd.DataFrame({"loss": [140.0, 116.8]})], "diffusion": [pd.DataFrame({"loss": [1.0, 0.079]})]}
    text = sd.losses(Facts(SUMMARY, figures={"ema": helped}, steps=steps))
    assert text == ("Loss per pixel at the end: diffusion 0.079. Quick FID with the EMA weights: diffusion 51.0 "
                    "against 54.5 raw (better in every seed).")
    hurt = sampling_cost.ema_effect({"diffusion": [curve(58.0, 55.0), curve(56.0, 54.0)]})
    assert "(the raw weights better in every seed)" in sd.losses(Facts(SUMMARY, figures={"ema": hurt}))
    mixed = sampling_cost.ema_effect({"diffusion": [curve(50.0, 55.0), curve(56.0, 54.0)]})
    assert "(better in 1 of 2 seeds)" in sd.losses(Facts(SUMMARY, figures={"ema": mixed}))
    assert sampling_cost.ema_effect({"gan-conv": [pd.DataFrame({"fid_quick": [1.0]})]}) == {}


def test_a_malformed_sweep_is_one_line_naming_the_file(tmp_path):
    import pytest

    from benchmarks.errors import Damaged

    class Record:
        folder, metrics = tmp_path, {"sampler_sweep": [{"steps": 1}]}

    with pytest.raises(Damaged, match="malformed sampler_sweep"):
        sampling_cost.sweep(Record())
    Record.metrics = {"sampler_sweep": [{"steps": 2, "network_evaluations": 2, "seconds_per_1000_samples": 0.5,
                                         "fid_quick": 40.0}]}
    assert np.allclose(sampling_cost.sweep(Record())["fid_quick"], [40.0])


def test_the_caveats_name_the_diffusion_family_s_sampler_steps_only_where_it_ran():
    from benchmarks.reporting.text import findings

    with_it = pd.DataFrame({"model": ["gan-conv", "diffusion", "flow-matching"],
                            "network_evaluations_mean": [1.0, 16.0, 8.0]})
    lines = [c for c in findings.caveats(with_it, "m") if "diffusion family" in c]
    assert len(lines) == 1 and "diffusion 16, flow-matching 8, against one for a VAE or GAN" in lines[0]
    without = pd.DataFrame({"model": ["gan-conv"], "network_evaluations_mean": [1.0]})
    assert not [c for c in findings.caveats(without, "m") if "diffusion family" in c]
