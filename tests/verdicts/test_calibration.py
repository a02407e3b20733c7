"""Isotonic confidence calibration: increasing, smoothed, and applied by aggregate."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from verify.eval.calibration import isotonic_knots
from verify.verdicts.aggregate import calibrate


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=0, max_size=300))
def test_knots_are_increasing_and_inside_0_1(rows):
    knots = isotonic_knots([r[0] for r in rows], [r[1] for r in rows])
    xs, ys = [k[0] for k in knots], [k[1] for k in knots]
    assert xs == sorted(xs) and ys == sorted(ys)
    assert all(0.0 < y < 1.0 for y in ys)
    for a, b in zip(xs, xs[1:]):  # the calibrated map keeps the order of raw confidences
        assert calibrate(a, knots) <= calibrate(b, knots) + 1e-9


def test_overconfident_raw_scores_are_pulled_down_to_the_observed_accuracy():
    rng = random.Random(0)
    raw = [rng.uniform(0.8, 1.0) for _ in range(400)]
    correct = [rng.random() < 0.5 for _ in raw]  # right half the time, whatever the raw score says
    knots = isotonic_knots(raw, correct)
    assert all(abs(calibrate(x, knots) - 0.5) < 0.12 for x in (0.82, 0.9, 0.99))


def test_no_knots_means_raw_confidence():
    assert calibrate(0.37, []) == 0.37
    assert isotonic_knots([0.5] * 5, [True] * 5) == []  # too few verdicts to calibrate


def test_calibration_by_reason_type():
    from verify.config import Thresholds
    from verify.verdicts.aggregate import basis_of, calibration_curve

    assert basis_of("contradicted", "year differs: 2019 (claim) vs 2017 (evidence) (Reuters)") == "values"
    assert basis_of("supported", "evidence agrees; evidence states the same year 2017 (Reuters)") == "values"
    assert basis_of("contradicted", "evidence contradicts the claim (Reuters)") == "reading"
    assert basis_of("unknown", "conflicting evidence: A agrees, B disagrees") == "conflict"
    assert basis_of("unknown", "no relevant evidence found in the corpus") == "open"
    th = Thresholds(calibration={"contradicted": [(0.5, 0.4)], "contradicted/values": [(0.5, 0.9)]})
    assert calibration_curve(th, "contradicted", "values") == [(0.5, 0.9)]
    assert calibration_curve(th, "contradicted", "reading") == [(0.5, 0.4)]
    assert calibration_curve(th, "supported", "values") == ()


def test_fit_by_basis_fits_a_type_with_enough_verdicts():
    from types import SimpleNamespace

    from verify.eval.calibration import fit_by_basis, reliability_by_basis

    recs = [SimpleNamespace(pred="contradicted", gold="contradicted" if i % 10 else "supported", confidence=0.4 + i / 200,
                            reason="year differs: 1 (claim) vs 2 (evidence)") for i in range(40)]
    recs += [SimpleNamespace(pred="contradicted", gold="contradicted" if i % 2 else "supported", confidence=0.4 + i / 200,
                             reason="evidence contradicts the claim") for i in range(40)]
    knots = fit_by_basis(recs)
    assert "contradicted/values" in knots and "contradicted/reading" in knots
    assert knots["contradicted/values"][-1][1] > knots["contradicted/reading"][-1][1]
    table = reliability_by_basis(recs)
    assert table["contradicted/values"]["n"] == 40
