"""The evaluator's pieces: column typing, fidelity statistics, row hashing, task inference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tabgan.evaluate.columns import CATEGORICAL, NUMERIC, as_labels, canonical, infer_columns
from tabgan.evaluate.fidelity import fidelity, ks_statistic, total_variation
from tabgan.evaluate.privacy import exact_match_rate, row_hashes
from tabgan.evaluate.utility import infer_task, lift_ratio
from tests.conftest import make_mixed_table


def test_column_kinds_of_a_mixed_table():
    infos = {i.name: i for i in infer_columns(make_mixed_table(100))}
    assert infos["age"].kind == NUMERIC and infos["income"].kind == NUMERIC
    assert infos["group"].kind == CATEGORICAL and infos["color"].kind == CATEGORICAL
    assert infos["flag"].kind == CATEGORICAL and infos["flag"].source == "bool"
    # ISO date text is read as dates and compared as numbers (days)
    assert infos["day"].kind == NUMERIC and infos["day"].source == "datetime"


def test_canonical_form_matches_across_dtypes():
    df = make_mixed_table(50)
    infos = infer_columns(df)
    other = df.copy()
    other["age"] = other["age"].astype(float).astype(str)
    other["flag"] = other["flag"].astype(object)
    a, b = canonical(df, infos), canonical(other, infos)
    pd.testing.assert_frame_equal(a, b)
    assert a["day"].dtype == np.float64


def test_labels_are_canonical():
    s = pd.Series([1, 2.0, np.nan, 3.5])
    assert list(as_labels(s).fillna("NA")) == ["1", "2", "NA", "3.5"]
    assert list(as_labels(pd.Series([True, False]))) == ["True", "False"]


def test_identical_tables_have_zero_distances():
    df = make_mixed_table(200)
    infos = infer_columns(df)
    c = canonical(df, infos)
    scores, matrices = fidelity(c, c, infos)
    assert scores["ks_mean"] == 0.0 and scores["tvd_mean"] == 0.0
    assert scores["association_diff"] == 0.0
    assert np.allclose(matrices["real"], matrices["real"].T)
    assert np.allclose(np.diag(matrices["real"]), 1.0)


def test_statistics_on_disjoint_samples():
    assert ks_statistic(pd.Series([1.0, 2.0]), pd.Series([5.0, 6.0])) == 1.0
    assert total_variation(pd.Series(["a", "a"]), pd.Series(["b", "b"])) == 1.0
    assert ks_statistic(pd.Series([np.nan]), pd.Series([1.0])) == 1.0


def test_row_hashes_treat_missing_as_equal():
    df = make_mixed_table(100)
    infos = infer_columns(df)
    c = canonical(df, infos)
    assert (row_hashes(c, infos) == row_hashes(c.copy(), infos)).all()
    assert exact_match_rate(c, c, infos) == 1.0
    shifted = c.assign(income=c["income"] + 1.0)
    assert exact_match_rate(shifted, c, infos) == 0.0


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (pd.Series(["a", "b"]), "classification"),
        (pd.Series([True, False]), "classification"),
        (pd.Series([0, 1, 2, 1]), "classification"),
        (pd.Series(np.linspace(0, 1, 50)), "regression"),
        (pd.Series(np.arange(100)), "regression"),
    ],
)
def test_task_inference(values, task):
    assert infer_task(values) == task


def test_lift_ratio_does_not_flatter_chance():
    assert lift_ratio(0.5, 0.9, "roc_auc") == pytest.approx(0.0)
    assert lift_ratio(0.9, 0.9, "roc_auc") == pytest.approx(1.0)
    assert lift_ratio(0.4, 0.8, "r2") == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("values", "bars"),
    [
        ([1, 2, 2, 3, 5], 5),  # a few whole numbers close together: one bar each, 1..5
        ([0, 0, 0, 2174, 99999], 30),  # far apart (capital-gain): equal bins, not 100,000 bars
        (list(np.linspace(0, 1, 200)), 30),
        ([7.0, 7.0], 1),
    ],
)
def test_histogram_bins_stay_few(values, bars):
    from tabgan.evaluate.plots import histogram_bins

    assert len(histogram_bins(np.asarray(values, dtype=float))) - 1 == bars


def test_numbers_written_as_text_are_compared_as_numbers():
    real = pd.DataFrame({"price": ["$1,200.00", "$35.50", None, "$7.25"] * 10})
    infos = infer_columns(real)
    assert infos[0].kind == NUMERIC and infos[0].number_format["prefix"] == "$"
    # another tool's rows: numbers as text in the same format, as floats, or unreadable
    other = pd.DataFrame({"price": ["$10.00", "12.5", "n/a", None] * 10})
    np.testing.assert_allclose(canonical(real, infos)["price"][:4], [1200.0, 35.5, np.nan, 7.25])
    np.testing.assert_allclose(canonical(other, infos)["price"][:4], [10.0, np.nan, np.nan, np.nan])
    floats = pd.DataFrame({"price": [10.0, 12.5, np.nan, 1.0] * 10})
    np.testing.assert_allclose(canonical(floats, infos)["price"][:4], [10.0, 12.5, np.nan, 1.0])
    # kinds given without options (a mapping) still read the format from the column
    mapped = infer_columns(real, schema={"price": "continuous"})
    assert mapped[0].number_format == infos[0].number_format
