"""Membership-inference attacks on tiny tables with known answers."""

import numpy as np
import pandas as pd
import pytest

from tabgan.errors import InvalidDataError
from tabgan.evaluate.membership import feasible_attacks, membership_inference, reading


def _rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(0, 1, n),
            "y": rng.lognormal(3, 1, n),
            "c": rng.choice(["a", "b", "c"], n),
        }
    )


def test_copies_of_the_training_rows_give_members_away():
    train, holdout = _rows(200, 0), _rows(200, 1)
    result = membership_inference(train, holdout, train.copy(), seed=0, attacks=["distance"])
    assert result["distance"]["auc"] > 0.95
    assert result["attack"] == "distance" and "strong" in result["reading"]


def test_an_independent_sample_shows_no_signal():
    train, holdout, synthetic = _rows(300, 0), _rows(300, 1), _rows(600, 2)
    result = membership_inference(train, holdout, synthetic, seed=0)
    for attack in ("distance", "classifier"):
        auc, se = result[attack]["auc"], result[attack]["se"]
        assert 0 < se < 0.1
        assert abs(auc - 0.5) < max(4 * se, 0.08)
    assert result["rows"]["members"] == result["rows"]["non_members"] == 150


def test_near_copies_are_caught_by_the_classifier_too():
    train, holdout = _rows(300, 0), _rows(300, 1)
    jitter = train.copy()
    jitter["x"] += np.random.default_rng(3).normal(0, 0.01, len(train))
    result = membership_inference(train, holdout, jitter, seed=1)
    assert result["distance"]["auc"] > 0.9
    assert result["auc"] >= result["classifier"]["auc"]


def test_seeded_and_validated():
    train, holdout, synthetic = _rows(100, 0), _rows(100, 1), _rows(100, 2)
    a = membership_inference(train, holdout, synthetic, seed=5)
    b = membership_inference(train, holdout, synthetic, seed=5)
    assert a == b
    with pytest.raises(InvalidDataError, match="unknown attack"):
        membership_inference(train, holdout, synthetic, attacks=["shadow"])
    with pytest.raises(InvalidDataError):
        membership_inference(train, holdout.iloc[:5], synthetic)
    with pytest.raises(InvalidDataError):
        membership_inference(train, holdout.drop(columns="c"), synthetic)
    assert "no measurable" in reading(0.51)


def test_feasible_attacks_follow_the_row_counts():
    assert feasible_attacks(100, 20, 100) == ["distance", "classifier"]
    assert feasible_attacks(100, 19, 100) == ["distance"]  # the classifier halves the holdout
    assert feasible_attacks(100, 9, 100) == []
    assert feasible_attacks(9, 100, 100) == feasible_attacks(100, 100, 9) == []
    assert feasible_attacks(100, 15, 100, attacks=["classifier"]) == []
