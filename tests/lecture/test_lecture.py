"""Every lecture check runs small and meets its tolerance; the command writes its outputs."""

import numpy as np
import pytest

from benchmarks.lecture import checks as lecture_checks
from benchmarks.lecture import run as lecture


@pytest.mark.parametrize("check, kwargs", [
    (lecture_checks.elbo_identities, {"mc_samples": 20_000}),
    (lecture_checks.kl_formula, {"mc_samples": 5_000}),
    (lecture_checks.reparameterization, {"n_mean": 40_000, "sizes": (10, 100), "reps": 50}),
    (lecture_checks.conv_adjoint, {}),
    (lecture_checks.generator_gradients, {}),
])
def test_check_meets_its_tolerance(check, kwargs):
    rows, _ = check(**kwargs)
    assert rows
    for row in rows:
        assert row["residual"] <= row["tolerance"], row


def test_quadrature_residual_reaches_1e8():
    rows, _ = lecture_checks.elbo_identities(mc_samples=1_000)
    assert all(r["residual"] < 1e-8 for r in rows if "quadrature" in r["quantity"])


def test_score_function_is_noisier_for_a_smooth_f():
    # x^2 at (0.5, 1.2): the reparameterization gradient has the lower variance (the figure's point)
    f, _ = lecture_checks.TEST_FUNCTIONS["x^2"]
    rep = lecture_checks.gradient_estimates(f, 0.5, 1.2, 100, 200, 0, "reparameterization").var(0).sum()
    score = lecture_checks.gradient_estimates(f, 0.5, 1.2, 100, 200, 0, "score function").var(0).sum()
    assert rep < score / 2


def test_minimax_gradient_vanishes_where_non_saturating_does_not():
    _, data = lecture_checks.generator_gradients()
    low = data["d"] < 1e-3
    assert np.all(data["minimax"][low] < 1e-3) and np.all(data["non_saturating"][low] > 0.99)


def test_lecture_command_writes_table_and_figures(tmp_path):
    table = lecture.run_all(tmp_path, None, fast=True)
    assert table["pass"].all()
    text = (tmp_path / "checks.md").read_text()
    assert f"{len(table)}/{len(table)} checks pass" in text
    for name in ("elbo-gap", "kl-contours", "gradient-variance", "conv-transpose", "generator-loss"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0 and (tmp_path / f"{name}.pdf").stat().st_size > 0
