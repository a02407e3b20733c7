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
