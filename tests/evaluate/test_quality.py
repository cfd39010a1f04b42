"""The overall quality score: range, identity, monotonicity; the kinds the judge uses."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tabgan.encoding.schema import infer_schema
from tabgan.errors import InvalidDataError
from tabgan.evaluate import evaluate
from tabgan.evaluate.columns import CATEGORICAL, NUMERIC, canonical, infer_columns
from tabgan.evaluate.quality import column_pair_trends, quality
from tabgan.evaluate.readings import read_dcr_ratio, read_detection, read_quality
from tests.evaluate.tables import make_signal_table, shuffle_columns


def _score(real: pd.DataFrame, other: pd.DataFrame) -> dict:
    infos = infer_columns(real)
    return quality(canonical(real, infos), canonical(other, infos), infos)


def _noisy(df: pd.DataFrame, level: float, seed: int = 0) -> pd.DataFrame:
    """Numbers get Gaussian noise of ``level`` standard deviations; a share ``level / 4`` of
    each category column is replaced by another of its values."""
    rng = np.random.default_rng(seed)
    out = df.copy()
    for c in ("x", "z", "amount", "count", "w"):
        out[c] = out[c] + rng.normal(0.0, level * float(df[c].std()), len(df))
    for c in ("grade", "label"):
        flip = rng.random(len(df)) < min(level / 4, 0.9)
        values = df[c].dropna().unique()
        out.loc[flip, c] = rng.choice(values, flip.sum())
    return out


@pytest.fixture(scope="module")
def real():
    return make_signal_table(400, seed=0)


def test_a_copy_scores_exactly_one(real):
    q = _score(real, real.sample(frac=1.0, random_state=1))
    assert q["score"] == pytest.approx(1.0)
    assert q["column_shapes"] == pytest.approx(1.0)
    assert q["column_pair_trends"] == pytest.approx(1.0)


def test_shuffled_columns_keep_shapes_and_lose_pair_trends(real):
    q = _score(real, shuffle_columns(real, seed=2))
    assert q["column_shapes"] == pytest.approx(1.0)  # every marginal is the same multiset
    assert q["column_pair_trends"] < 0.9
    # x, z, amount and grade are tied almost perfectly: their 6 pairs lose most
    tied = {"x", "z", "amount", "grade"}
    assert all(set(p["columns"]) <= tied for p in q["pairs"][:6])
    corr = {tuple(p["columns"]): p for p in q["pairs"]}[("x", "z")]
    assert corr["real"] > 0.95 and abs(corr["synthetic"]) < 0.2
    assert q["pairs"][0]["score"] == min(p["score"] for p in q["pairs"])


def test_score_falls_with_noise_and_stays_in_range(real):
    scores = [_score(real, _noisy(real, level, seed=3)) for level in (0.0, 0.3, 1.0, 3.0)]
    overall = [s["score"] for s in scores]
    assert overall[0] > overall[1] > overall[2] > overall[3]
    shapes = [s["column_shapes"] for s in scores]
    assert shapes[0] > shapes[1] > shapes[2] > shapes[3]
    for s in scores:
        for key in ("score", "column_shapes", "column_pair_trends"):
            assert 0.0 <= s[key] <= 1.0
        assert all(0.0 <= p["score"] <= 1.0 for p in s["pairs"])
        assert list(s["columns"].values()) == sorted(
            s["columns"].values(), key=lambda v: v["score"]
        )


def test_disjoint_tables_score_near_zero_on_shapes():
    a = pd.DataFrame({"n": np.arange(100.0), "c": ["a"] * 50 + ["b"] * 50})
    b = pd.DataFrame({"n": np.arange(100.0) + 1000, "c": ["x"] * 50 + ["y"] * 50})
    q = _score(a, b)
    assert q["column_shapes"] == pytest.approx(0.0)
    assert 0.0 <= q["score"] <= 0.5


def test_pair_formulas_by_hand():
    # numbers: 1 - |r_real - r_syn| / 2, with r = +1 vs -1 -> 0
    real = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 2.0, 3.0, 4.0]})
    syn = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [4.0, 3.0, 2.0, 1.0]})
    infos = infer_columns(real.assign(a=real.a + 0.5, b=real.b + 0.5))
    pair = column_pair_trends(real, syn, infos)[("a", "b")]
    assert pair["metric"] == "CorrelationSimilarity" and pair["score"] == pytest.approx(0.0)
    # categories: 1 - TVD of the two-way shares, missing a value of its own
    real = pd.DataFrame({"u": ["p", "p", "q", "q"], "v": ["s", "t", "s", None]})
    syn = pd.DataFrame({"u": ["p", "p", "q", "q"], "v": ["s", "t", "t", None]})
    infos = [i for i in infer_columns(real) if i.kind == CATEGORICAL]
    pair = column_pair_trends(canonical(real, infos), canonical(syn, infos), infos)[("u", "v")]
    # (q, s) 1/4 -> 0 and (q, t) 0 -> 1/4: TVD = 0.25
    assert pair["score"] == pytest.approx(0.75)


def test_kinds_follow_the_encoders_rule():
    df = pd.DataFrame(
        {
            "survived": [0, 1] * 30,
            "sibsp": np.arange(60) % 6,
            "age": np.arange(60) * 1.5,
            "fare_int": np.arange(60) * 7,
            "name": [f"n{i}" for i in range(60)],
        }
    )
    infos = {i.name: i.kind for i in infer_columns(df)}
    assert infos == {
        "survived": CATEGORICAL,
        "sibsp": CATEGORICAL,
        "age": NUMERIC,
        "fare_int": NUMERIC,
        "name": CATEGORICAL,
    }
    spec_kinds = {s.name: s.kind.value for s in infer_schema(df)}
    assert spec_kinds["survived"] == "categorical" and spec_kinds["age"] == "continuous"
    forced = {i.name: i.kind for i in infer_columns(df, discrete_columns=["fare_int"])}
    assert forced["fare_int"] == CATEGORICAL
    kinds = {i.name: i.kind for i in infer_columns(df, schema={**spec_kinds, "sibsp": "integer"})}
    assert kinds["sibsp"] == NUMERIC and kinds["survived"] == CATEGORICAL


def test_bad_kinds_are_clear_errors():
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    with pytest.raises(InvalidDataError, match="unknown column 'c' in discrete"):
        infer_columns(df, discrete_columns=["c"])
    with pytest.raises(InvalidDataError, match=r"the table has columns \['b'\] the model lacks"):
        infer_columns(df, schema={"a": "integer"})
    with pytest.raises(InvalidDataError, match="unknown kind 'wide'"):
        infer_columns(df, schema={"a": "wide", "b": "categorical"})


def test_kinds_from_a_fitted_model(fitted_model):
    model, df = fitted_model
    schema = model.encoder_.schema_
    from_model = {i.name: i.kind for i in infer_columns(df, schema=schema)}
    inferred = {i.name: i.kind for i in infer_columns(df)}
    assert from_model == inferred  # the same rule, so the same kinds
    before = schema["age"].kind
    schema.set_kind("age", "categorical")  # a user override saved in the model is honoured
    try:
        assert {i.name: i.kind for i in infer_columns(df, schema=schema)}["age"] == CATEGORICAL
    finally:
        schema.set_kind("age", before)


def test_no_library_warning_leaks_and_quality_is_reported():
    real = make_signal_table(120, seed=5).assign(const=1.0)
    syn = make_signal_table(120, seed=6).assign(const=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning escaping evaluate fails the test
        result = evaluate(real, syn, seed=0)
    q = result.to_dict()["quality"]
    assert 0.0 <= q["score"] <= 1.0 and q["baseline"]["score"] is not None
    assert result.summary_scores["quality_score"] == q["score"]


def test_readings_explain_both_directions():
    far = read_dcr_ratio({"dcr_ratio": 19.5, "holdout_exact_match_rate": 0.3})
    assert "far farther" in far and "duplicate" in far
    assert "memorised" in read_dcr_ratio({"dcr_ratio": 0.1, "holdout_exact_match_rate": 0.0})
    assert "n/a" in read_dcr_ratio({"dcr_ratio": None, "holdout_exact_match_rate": 0.6})
    assert "below chance" in read_detection(0.3)
    assert "fresh real rows" in read_quality(0.95, 0.94)
    assert read_quality(0.5).startswith("poor")


def test_only_pairs_with_a_real_trend_count():
    rng = np.random.default_rng(0)
    n = 300
    independent = pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.choice(["p", "q"], n)}
    )
    q = _score(independent, independent.sample(frac=1.0, random_state=0))
    assert q["pairs_counted"] == 0 and q["column_pair_trends"] is None
    assert q["score"] == q["column_shapes"]  # no trend to keep: the shapes alone
    assert len(q["pairs"]) == 3 and not any(p["counted"] for p in q["pairs"])
    tied = independent.assign(b=independent["a"] * 2 + rng.normal(0, 0.1, n))
    q = _score(tied, tied)
    assert [p["columns"] for p in q["pairs"] if p["counted"]] == [["a", "b"]]


def test_codes_written_as_text_by_another_tool_still_match():
    real = pd.DataFrame({"survived": [0, 1, 0, 1]})
    other = pd.DataFrame({"survived": ["1.0", "0", "x", None]})
    infos = infer_columns(real)
    assert infos[0].kind == CATEGORICAL
    assert canonical(other, infos)["survived"].tolist()[:3] == ["1", "0", "x"]
