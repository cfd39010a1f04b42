"""TableEncoder: schema inference, reversible encoding, span layout, JSON state."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabgan.encoding import Activation, ColumnKind, SpanRole, TableEncoder, infer_schema
from tabgan.errors import ConditionError, InvalidDataError


def odd_table(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ints_na = pd.Series(rng.integers(0, 1000, n), dtype="float64")
    ints_na[rng.random(n) < 0.2] = np.nan
    cat = pd.Series(rng.choice(["x", "y", "z"], n), dtype="category")
    when = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s")
    inf_col = rng.normal(size=n)
    inf_col[:3] = [np.inf, -np.inf, np.nan]
    return pd.DataFrame(
        {
            "float": rng.lognormal(3, 1, n),
            "int": rng.integers(-50, 5000, n),
            "int_na": ints_na,
            "nullable": pd.array(rng.integers(0, 100, n), dtype="Int64"),
            "small_int": rng.integers(0, 3, n),
            "text": rng.choice(["a", "b", None], n),
            "cat": cat,
            "bool": rng.random(n) < 0.4,
            "when": when,
            "when_tz": when.tz_localize("Europe/Paris"),
            "date_str": when.strftime("%d/%m/%Y"),
            "const": 7,
            "const_text": "same",
            "empty": np.nan,
            "id": [f"user-{i}" for i in range(n)],
            "inf": inf_col,
            'naïve «col», "quoted"': rng.normal(size=n),
        }
    )


def test_schema_kinds():
    schema = infer_schema(odd_table())
    kinds = {c.name: c.kind for c in schema}
    assert kinds["float"] is ColumnKind.CONTINUOUS
    assert kinds["int"] is ColumnKind.INTEGER
    assert kinds["int_na"] is ColumnKind.INTEGER
    assert kinds["small_int"] is ColumnKind.CATEGORICAL
    assert kinds["text"] is ColumnKind.CATEGORICAL
    assert kinds["cat"] is ColumnKind.CATEGORICAL
    assert kinds["bool"] is ColumnKind.BOOLEAN
    assert kinds["when"] is ColumnKind.DATETIME
    assert kinds["when_tz"] is ColumnKind.DATETIME
    assert kinds["date_str"] is ColumnKind.DATETIME
    assert kinds["const"] is ColumnKind.CONSTANT
    assert kinds["const_text"] is ColumnKind.CONSTANT
    assert kinds["empty"] is ColumnKind.EMPTY


def test_discrete_override_and_unknown_column():
    df = odd_table()
    assert infer_schema(df, ["int"])["int"].kind is ColumnKind.CATEGORICAL
    with pytest.raises(InvalidDataError, match="nope"):
        infer_schema(df, ["nope"])


def test_mixed_numbers_and_text_warn():
    df = pd.DataFrame({"m": [1, "a", 2.5, "b"] * 5})
    with pytest.warns(UserWarning, match="mixes numbers and text"):
        assert infer_schema(df)["m"].kind is ColumnKind.CATEGORICAL


def test_round_trip_exact_types_and_values():
    df = odd_table()
    enc = TableEncoder(seed=0, max_categories=50).fit(df)
    back = enc.inverse_transform(enc.transform(df, rng=np.random.default_rng(1)))
    assert list(back.columns) == list(df.columns)
    for col in df.columns:
        assert back[col].dtype == df[col].dtype, col
    for col in ["text", "cat", "bool", "small_int", "const", "const_text", "date_str", "int"]:
        pd.testing.assert_series_equal(back[col], df[col], check_names=False)
    pd.testing.assert_series_equal(back["int_na"], df["int_na"], check_names=False)
    pd.testing.assert_series_equal(back["nullable"], df["nullable"], check_names=False)
    np.testing.assert_allclose(back["float"], df["float"], rtol=1e-4)
    assert back["empty"].isna().all()
    # seconds-level datetimes survive the float64 round trip to within a millisecond
    assert (back["when"] - df["when"]).abs().max() < pd.Timedelta("1ms")
    assert str(back["when_tz"].dt.tz) == "Europe/Paris"
    np.testing.assert_array_equal(np.isnan(back["inf"]), np.isnan(df["inf"]))
    np.testing.assert_array_equal(np.isinf(back["inf"]), np.isinf(df["inf"]))


def test_high_cardinality_is_bounded():
    df = odd_table(300)
    enc = TableEncoder(seed=0, max_categories=20).fit(df)
    id_spans = [s for s in enc.spans if s.column == "id"]
    assert sum(s.width for s in id_spans) == 20
    back = enc.inverse_transform(enc.transform(df), rng=np.random.default_rng(0))
    assert back["id"].isin(df["id"]).all()


def test_spans_tile_the_matrix_and_blocks_are_one_hot():
    df = odd_table()
    enc = TableEncoder(seed=0).fit(df)
    matrix = enc.transform(df, rng=np.random.default_rng(0))
    assert matrix.dtype == np.float32 and matrix.shape == (len(df), enc.output_dim)
    offset = 0
    for span in enc.spans:
        assert span.offset == offset
        block = matrix[:, span.offset : span.stop]
        if span.activation is Activation.TANH:
            assert span.width == 1 and np.abs(block).max() <= 1
        else:
            np.testing.assert_array_equal(block.sum(1), 1)
            assert set(np.unique(block)) <= {0.0, 1.0}
        assert span.conditional == (span.role is SpanRole.CATEGORY)
        offset = span.stop
    assert offset == enc.output_dim


def test_soft_matrix_decodes_to_valid_values():
    df = odd_table()
    enc = TableEncoder(seed=0).fit(df)
    rng = np.random.default_rng(3)
    soft = rng.normal(size=(500, enc.output_dim)) * 3
    out = enc.inverse_transform(soft, rng=rng)
    assert set(out["text"].dropna()) <= {"a", "b"}
    assert out["int"].between(df["int"].min(), df["int"].max()).all()
    assert (out["int_na"].dropna() % 1 == 0).all()
    assert out["float"].between(df["float"].min(), df["float"].max()).all()
    assert (out["const"] == 7).all()
    assert out["bool"].dtype == bool


def test_json_state_round_trip():
    df = odd_table()
    enc = TableEncoder(seed=0).fit(df)
    again = TableEncoder.from_dict(json.loads(json.dumps(enc.to_dict(), allow_nan=False)))
    np.testing.assert_array_equal(
        enc.transform(df, rng=np.random.default_rng(5)),
        again.transform(df, rng=np.random.default_rng(5)),
    )
    m = enc.transform(df)
    pd.testing.assert_frame_equal(
        enc.inverse_transform(m, rng=np.random.default_rng(2)),
        again.inverse_transform(m, rng=np.random.default_rng(2)),
    )


def test_seeded_fit_is_reproducible():
    df = odd_table()
    assert TableEncoder(seed=4).fit(df).to_dict() == TableEncoder(seed=4).fit(df).to_dict()


def test_category_lookup():
    enc = TableEncoder(seed=0).fit(odd_table())
    cats = enc.categories("text")
    assert set(cats) == {"a", "b", None}
    assert enc.category_index("text", cats[1]) == 1
    with pytest.raises(ConditionError, match="never seen"):
        enc.category_index("text", "zzz")
    with pytest.raises(ConditionError, match="not discrete"):
        enc.category_index("float", 1.0)


def test_unseen_value_at_transform():
    df = odd_table()
    enc = TableEncoder(seed=0).fit(df)
    other = df.copy()
    other.loc[0, "text"] = "never"
    with pytest.raises(InvalidDataError, match="never"):
        enc.transform(other)
    with pytest.raises(InvalidDataError, match="lacks"):
        enc.transform(df.drop(columns=["float"]))


def test_encoding_does_not_import_torch():
    import subprocess
    import sys

    code = "import tabgan.encoding, sys; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- property-based
_KINDS = ["float", "int", "int_na", "text", "bool", "const", "date", "empty"]


@st.composite
def random_tables(draw):
    n = draw(st.integers(5, 60))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=1, max_size=6))
    names = draw(
        st.lists(
            st.text(min_size=1, max_size=8), min_size=len(kinds), max_size=len(kinds), unique=True
        )
    )
    missing = draw(st.floats(0, 0.5))
    cols = {}
    for name, kind in zip(names, kinds, strict=True):
        hole = rng.random(n) < missing
        if kind == "float":
            v = rng.normal(size=n) * 10 ** rng.integers(0, 6)
            v[hole] = np.nan
        elif kind == "int":
            v = rng.integers(-100, 100, n)
        elif kind == "int_na":
            v = rng.integers(0, 10**6, n).astype(float)
            v[hole] = np.nan
        elif kind == "text":
            v = pd.Series(rng.choice(["α", "b", "c c", ""], n), dtype=object)
            v[hole] = None
        elif kind == "bool":
            v = rng.random(n) < 0.5
        elif kind == "const":
            v = np.full(n, 3.5)
        elif kind == "date":
            v = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, n), "D")
            v = v.strftime("%Y-%m-%d")
        else:
            v = np.full(n, np.nan)
        cols[name] = v
    return pd.DataFrame(cols)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_tables())
def test_property_round_trip_never_crashes_and_keeps_types(df):
    enc = TableEncoder(seed=0).fit(df)
    matrix = enc.transform(df, rng=np.random.default_rng(0))
    assert matrix.shape == (len(df), enc.output_dim)
    back = enc.inverse_transform(matrix)
    assert list(back.columns) == list(df.columns)
    for col in df.columns:
        assert back[col].dtype == df[col].dtype
        assert back[col].isna().sum() == df[col].isna().sum()
    soft = np.random.default_rng(1).normal(size=(20, enc.output_dim))
    fake = enc.inverse_transform(soft)
    assert list(fake.dtypes) == list(df.dtypes)
