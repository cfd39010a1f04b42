"""Property-based: random mixed tables fit, encode and decode without crashing, with the same
columns, dtypes and missing cells, and valid values from soft matrices."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabgan.encoding import Activation, ColumnKind, TableEncoder, numtext

KINDS = [
    "float",
    "int",
    "int_na",
    "small_int",
    "text",
    "category",
    "bool",
    "bool_na",
    "const",
    "date_str",
    "datetime",
    "empty",
    "inf",
    "mixed",
    "id",
    "money",
]
NAMES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=10
)


def _column(kind: str, n: int, rng: np.random.Generator, missing: float) -> pd.Series:
    hole = rng.random(n) < missing
    if kind == "float":
        s = pd.Series(rng.normal(size=n) * 10.0 ** rng.integers(-3, 7))
    elif kind == "int":
        return pd.Series(rng.integers(-(10**6), 10**6, n))
    elif kind == "int_na":
        s = pd.Series(rng.integers(0, 10**6, n).astype(float))
    elif kind == "small_int":
        return pd.Series(rng.integers(0, 4, n))
    elif kind == "text":
        s = pd.Series(rng.choice(["α", "b,c", 'q"uote', "", " "], n), dtype=object)
    elif kind == "category":
        s = pd.Series(pd.Categorical(rng.choice(["lo", "hi", "mid"], n)))
    elif kind == "bool":
        return pd.Series(rng.random(n) < 0.5)
    elif kind == "bool_na":
        s = pd.Series(rng.random(n) < 0.5, dtype=object)
    elif kind == "const":
        return pd.Series(np.full(n, 3.5))
    elif kind == "date_str":
        days = pd.Timestamp("2000-02-29") + pd.to_timedelta(rng.integers(0, 9000, n), "D")
        s = pd.Series(days.strftime("%Y-%m-%d"), dtype=object)
    elif kind == "datetime":
        s = pd.Series(pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 10**8, n), "s"))
    elif kind == "empty":
        return pd.Series(np.full(n, np.nan))
    elif kind == "inf":
        s = pd.Series(np.where(rng.random(n) < 0.2, np.inf, rng.normal(size=n)))
    elif kind == "mixed":
        s = pd.Series(rng.choice(np.array([1, 2.5, "x", "y"], dtype=object), n), dtype=object)
    elif kind == "money":  # numbers written as text (tabgan.encoding.numtext)
        amounts = rng.normal(size=n) * 10.0 ** rng.integers(0, 7)
        s = pd.Series([f"${v:,.2f}" if v >= 0 else f"-${-v:,.2f}" for v in amounts], dtype=object)
    else:  # id-like
        s = pd.Series([f"id-{i}" for i in rng.permutation(n)], dtype=object)
    if hole.any():
        s[hole] = pd.NaT if kind == "datetime" else (None if s.dtype == object else np.nan)
    return s


@st.composite
def tables(draw) -> pd.DataFrame:
    n = draw(st.integers(5, 60))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    names = draw(st.lists(NAMES, min_size=len(kinds), max_size=len(kinds), unique=True))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    cols = {}
    for name, kind in zip(names, kinds, strict=True):
        missing = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5, 0.95]))
        cols[name] = _column(kind, n, rng, missing)
    return pd.DataFrame(cols)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(1, 40))
def test_round_trip_never_crashes_and_keeps_types(df, rows):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mixed numbers and text
        enc = TableEncoder(seed=0, max_categories=30).fit(df)
    matrix = enc.transform(df, rng=np.random.default_rng(0))
    assert matrix.shape == (len(df), enc.output_dim) and np.isfinite(matrix).all()
    for span in enc.spans:
        block = matrix[:, span.offset : span.stop]
        if span.activation is Activation.SOFTMAX:
            np.testing.assert_array_equal(block.sum(1), 1)
        else:
            assert np.abs(block).max(initial=0) <= 1
    back = enc.inverse_transform(matrix, rng=np.random.default_rng(0))
    assert list(back.columns) == list(df.columns)
    assert back.dtypes.to_dict() == df.dtypes.to_dict()
    for col in df.columns:
        real, again = df[col], back[col]
        assert again.isna().sum() == real.isna().sum(), col
        kind = enc.schema_[col].kind
        written = enc.schema_[col].options.get("number_format")
        if written:  # compared as the numbers the text writes
            real = pd.Series(numtext.parse(real, written))
            again = pd.Series(numtext.parse(again, written))
            assert again.isna().sum() == real.isna().sum(), col
        if kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER):
            # near-lossless: the float32 VALUE keeps ~7 digits of each mode's range
            r, a = real.to_numpy(float), again.to_numpy(float)
            ok = np.isfinite(r)
            np.testing.assert_array_equal(a[~ok], r[~ok])
            if ok.any():
                span = np.ptp(r[ok]) + np.abs(r[ok]).max() * 1e-3
                assert np.abs(a[ok] - r[ok]).max() <= 1e-5 * span, col
        elif kind is ColumnKind.DATETIME:
            r = pd.to_datetime(real, format=enc.schema_[col].options.get("format"))
            a = pd.to_datetime(again, format=enc.schema_[col].options.get("format"))
            span = (r.max() - r.min()).total_seconds() if r.notna().any() else 0.0
            assert ((a - r).abs().dt.total_seconds().fillna(0) <= 1e-5 * span + 1e-3).all(), col
        elif enc.schema_[col].options.get("id_like"):  # values seen once: drawn from them
            assert set(again.dropna().astype(str)) <= set(real.dropna().astype(str)), col
        elif real.nunique() <= 29:  # categories, booleans, constants: exact
            assert again.astype(str).tolist() == real.astype(str).tolist(), col

    soft = np.random.default_rng(1).normal(size=(rows, enc.output_dim)) * 2
    fake = enc.inverse_transform(soft, rng=np.random.default_rng(2))
    assert len(fake) == rows and fake.dtypes.to_dict() == df.dtypes.to_dict()
    for col in df.columns:
        real, made = df[col].dropna(), fake[col].dropna()
        kind = enc.schema_[col].kind
        written = enc.schema_[col].options.get("number_format")
        if written:
            real, made = (pd.Series(numtext.parse(v, written)) for v in (real, made))
            assert made.notna().all(), col  # every written value reads back
        if kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER):
            r, m = real.to_numpy(float), made.to_numpy(float)
            if np.isfinite(r).any():
                m = m[np.isfinite(m)]
                assert ((m >= r[np.isfinite(r)].min()) & (m <= r[np.isfinite(r)].max())).all()
            if kind is ColumnKind.INTEGER:
                assert (m[np.isfinite(m)] % 1 == 0).all(), col
        elif kind is ColumnKind.DATETIME:
            fmt = enc.schema_[col].options.get("format")
            r, m = pd.to_datetime(real, format=fmt), pd.to_datetime(made, format=fmt)
            assert m.between(r.min(), r.max()).all(), col
        elif real.nunique() <= 29:  # no "other" bucket: only training categories
            assert set(made.astype(str)) <= set(real.astype(str)), col
