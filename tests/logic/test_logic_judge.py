"""The logic judge (tabgan.evaluate.logic): each measure on tables built to show it."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tabgan.errors import InvalidDataError
from tabgan.evaluate.logic import decimals_each, logic_checks
from tests.encoding.test_rules import planted


def test_a_copy_of_real_rows_is_clean_and_broken_rows_are_counted():
    train, holdout = planted(400, 0), planted(200, 1)
    clean = logic_checks(train, planted(300, 2), holdout)
    assert clean["summary"]["rules_found"] >= 3
    assert clean["summary"]["synthetic_rows_breaking_a_rule"] == 0.0
    assert clean["summary"]["holdout_rows_breaking_a_rule"] == 0.0
    bad = planted(300, 2)
    bad.loc[:29, "edu_num"] = 99  # 10% break education -> edu_num
    result = logic_checks(train, bad, holdout)
    rule = next(r for r in result["rules"]["rules"] if r["dependent"] == "edu_num")
    assert rule["rule"] == "education -> edu_num (6 values, 400 rows)"
    assert rule["synthetic_broken"] == pytest.approx(0.1)
    assert rule["holdout_broken"] == 0.0
    json.dumps(result, allow_nan=False)


def test_unseen_pairs_against_the_holdout():
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"a": rng.choice(list("xy"), 200), "b": rng.choice(list("pq"), 200)})
    train.loc[train["a"] == "x", "b"] = "p"  # (x, q) never seen
    synthetic = pd.DataFrame({"a": ["x"] * 50 + ["y"] * 50, "b": ["q"] * 25 + ["p"] * 75})
    result = logic_checks(train, synthetic, train.iloc[:100], discrete_columns=["a", "b"])
    assert result["unseen_pairs"]["synthetic"] == pytest.approx(0.25)
    assert result["unseen_pairs"]["holdout"] == 0.0
    assert result["unseen_pairs"]["worst_pairs"][0]["columns"] == ["a", "b"]


def test_excess_decimals_and_edge_mass():
    rng = np.random.default_rng(1)
    age = rng.integers(20, 70, 500).astype(float)
    train = pd.DataFrame({"age": age, "fare": np.round(rng.lognormal(2, 1, 500), 2)})
    synthetic = pd.DataFrame(
        {
            "age": np.r_[np.full(50, 20.0), np.full(50, 69.0), rng.uniform(20, 69, 400)],
            "fare": np.r_[np.round(rng.lognormal(2, 1, 490), 2), np.full(10, 14.843109411134801)],
        }
    )
    result = logic_checks(train, synthetic)
    assert result["decimals"]["age"]["real_decimals"] == 0
    assert result["decimals"]["age"]["synthetic_share"] == pytest.approx(0.8, abs=0.01)
    assert result["decimals"]["fare"]["real_decimals"] == 2
    assert result["decimals"]["fare"]["synthetic_share"] == pytest.approx(0.02)
    assert result["decimals"]["fare"]["example"] == 14.843109411134801
    edges = result["edges"]["age"]
    assert edges["synthetic_at_min"] == pytest.approx(0.1)
    assert edges["extra"] > 0.15 and edges["real_at_min"] < 0.05
    assert result["summary"]["worst_extra_edge_mass"] == edges["extra"]


def test_decimals_each():
    np.testing.assert_array_equal(
        decimals_each(np.array([1.0, 0.5, 0.25, 0.1 + 0.2, np.nan, 1 / 3])), [0, 1, 2, 1, -1, 7]
    )


def test_bad_tables():
    train = planted(100)
    with pytest.raises(InvalidDataError, match="lacks column"):
        logic_checks(train, train.drop(columns="sex"))
    with pytest.raises(InvalidDataError, match="DataFrame"):
        logic_checks(train, [1, 2])
    with pytest.raises(InvalidDataError, match="not in the real table"):
        logic_checks(train, train, discrete_columns=["nope"])


def test_judge_does_not_import_the_synthesizer():
    code = (
        "import sys, tabgan.evaluate.logic; "
        "print(any(m == 'torch' or m.startswith(('tabgan.gan', 'tabgan.model'))"
        " for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
