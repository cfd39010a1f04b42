"""TableEncoder: round trips, span layout, soft decoding, JSON state, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tabgan.encoding import (
    Activation,
    ColumnKind,
    Draw,
    SpanRole,
    TableEncoder,
    infer_schema,
)
from tabgan.encoding.convert import numeric_values
from tabgan.errors import ConditionError, InvalidDataError, InvalidParameterError, NotFittedError

from .conftest import make_table

EXACT = [
    "int",
    "int_na",
    "nullable",
    "small_int",
    "text",
    "string",
    "cat",
    "bool",
    "boolean",
    "date_str",
    "duration",
    "const",
    "const_text",
    "empty",
    "empty_text",
]


def test_round_trip_keeps_columns_dtypes_and_values(table, encoder):
    back = encoder.inverse_transform(encoder.transform(table, rng=np.random.default_rng(1)))
    assert list(back.columns) == list(table.columns)
    assert back.dtypes.to_dict() == table.dtypes.to_dict()
    assert back.index.equals(pd.RangeIndex(len(table)))
    for col in EXACT:
        pd.testing.assert_series_equal(back[col], table[col], check_names=False, obj=col)
    for col in ["float", 'naïve «col», "quoted" 🎲']:
        np.testing.assert_allclose(back[col], table[col], rtol=1e-4, atol=1e-5)
    # "id" is ID-like (every value seen once): its values are not learned one by one, and
    # come back as training values drawn at random
    assert encoder.schema_["id"].options == {"id_like": True}
    assert back["id"].isin(table["id"]).all() and back["id"].nunique() > len(table) // 3
    # seconds-level datetimes survive the float32 value within a millisecond; the zone is kept
    assert (back["when"] - table["when"]).abs().max() < pd.Timedelta("1ms")
    assert (back["when_tz"] - table["when_tz"]).abs().max() < pd.Timedelta("1ms")
    assert str(back["when_tz"].dt.tz) == "Europe/Paris"
    inf = table["inf"].to_numpy()
    np.testing.assert_array_equal(back["inf"].to_numpy()[~np.isfinite(inf)], inf[~np.isfinite(inf)])
    np.testing.assert_allclose(back["inf"][np.isfinite(inf)], inf[np.isfinite(inf)], atol=1e-4)


def test_spans_tile_the_matrix_and_blocks_are_one_hot(table, encoder):
    matrix = encoder.transform(table, rng=np.random.default_rng(0))
    assert matrix.dtype == np.float32 and matrix.shape == (len(table), encoder.output_dim)
    offset = 0
    for span in encoder.spans:
        assert span.offset == offset and span.width >= 1
        block = matrix[:, span.offset : span.stop]
        if span.activation is Activation.TANH:
            assert span.width == 1 and span.role is SpanRole.VALUE
            assert np.abs(block).max() <= 1
        else:
            np.testing.assert_array_equal(block.sum(1), 1)
            assert set(np.unique(block)) <= {0.0, 1.0}
        assert span.conditional == (span.role is SpanRole.CATEGORY)
        offset = span.stop
    assert offset == encoder.output_dim


def test_span_order_per_column(encoder):
    roles = {}
    for span in encoder.spans:
        roles.setdefault(span.column, []).append(span.role)
    assert roles["float"] == [SpanRole.VALUE, SpanRole.MODE]
    assert roles["int_na"] == [SpanRole.VALUE, SpanRole.MODE, SpanRole.MISSING]
    assert roles["text"] == [SpanRole.CATEGORY]
    assert "const" not in roles and "empty" not in roles
    missing = next(s for s in encoder.spans if s.column == "inf" and s.role is SpanRole.MISSING)
    assert missing.width == 4  # finite, nan, +inf, -inf


def test_soft_matrix_decodes_to_valid_values(table, encoder):
    rng = np.random.default_rng(3)
    soft = rng.normal(size=(500, encoder.output_dim)) * 3
    out = encoder.inverse_transform(soft, rng=rng)
    assert out.dtypes.to_dict() == table.dtypes.to_dict()
    for col in ["text", "string", "cat", "bool", "boolean", "small_int", "id"]:
        assert set(out[col].dropna()) <= set(table[col].dropna()), col
    for col in ["int", "int_na", "float", "nullable", "when", "duration"]:
        real = table[col].dropna()
        assert out[col].dropna().between(real.min(), real.max()).all(), col
    assert (out["int_na"].dropna() % 1 == 0).all()
    assert (out["const"] == 7).all() and (out["const_text"] == "same").all()
    assert out["empty"].isna().all() and out["empty_text"].isna().all()
    assert pd.to_datetime(out["date_str"], format="%d/%m/%Y").notna().all()


def test_draws_decode_like_the_matrix_and_numbers_read_back_the_decoded_values(table, encoder):
    rng = np.random.default_rng(3)
    soft = (rng.normal(size=(300, encoder.output_dim)) * 3).astype(np.float32)
    draw = Draw.from_matrix(soft, encoder.spans)
    assert len(draw) == 300
    decoded = encoder.decode(draw, rng=np.random.default_rng(4))
    pd.testing.assert_frame_equal(
        decoded, encoder.inverse_transform(soft, rng=np.random.default_rng(4))
    )
    numbers = encoder.numbers(draw)
    kinds = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)
    numeric = [s.name for s in encoder.schema_ if s.kind in kinds]
    assert sorted(numbers) == sorted(numeric)
    for name in numeric:
        expected = numeric_values(decoded[name], encoder.schema_[name])
        np.testing.assert_array_equal(numbers[name], expected, err_msg=name)
    # a subset decodes to the same rows (but for the random draws of the ID-like column)
    rows = np.array([5, 0, 299])
    part = encoder.decode(draw.take(rows), rng=np.random.default_rng(4))
    pd.testing.assert_frame_equal(
        part.drop(columns="id"), decoded.iloc[rows].reset_index(drop=True).drop(columns="id")
    )
    with pytest.raises(InvalidDataError, match="Draw"):
        encoder.decode(Draw(draw.values[:-1], draw.choices))


def test_probabilities_nan_and_out_of_range_values_decode(encoder):
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(encoder.output_dim), size=50) * 10 - 3
    probs[:5] = np.nan
    probs[5:10] = np.inf
    out = encoder.inverse_transform(probs.astype(np.float32))
    assert len(out) == 50 and out["float"].notna().all()


def test_json_state_round_trip_is_exact(table, encoder):
    state = json.dumps(encoder.to_dict(), allow_nan=False)
    again = TableEncoder.from_dict(json.loads(state))
    assert again.spans == encoder.spans and again.output_dim == encoder.output_dim
    matrix = encoder.transform(table, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(matrix, again.transform(table, rng=np.random.default_rng(5)))
    soft = np.random.default_rng(9).normal(size=(64, encoder.output_dim))
    for m in (matrix, soft):
        pd.testing.assert_frame_equal(
            encoder.inverse_transform(m, rng=np.random.default_rng(2)),
            again.inverse_transform(m, rng=np.random.default_rng(2)),
        )


def test_corrupt_state_is_refused(encoder):
    state = encoder.to_dict()
    state["codecs"] = state["codecs"][:-1]
    with pytest.raises(ValueError, match="one codec per schema column"):
        TableEncoder.from_dict(state)
    state = encoder.to_dict()
    state["version"] = 99
    with pytest.raises(ValueError, match="newer"):
        TableEncoder.from_dict(state)


def test_seeded_fit_and_transform_are_reproducible(table):
    a = TableEncoder(seed=4).fit(table)
    b = TableEncoder(seed=4).fit(table)
    assert a.to_dict() == b.to_dict()
    np.testing.assert_array_equal(
        a.transform(table, rng=np.random.default_rng(1)),
        b.transform(table, rng=np.random.default_rng(1)),
    )


def test_fit_on_subsample_is_bounded_and_still_covers_the_range():
    df = make_table(3000, seed=2)[["float", "int"]]
    enc = TableEncoder(seed=0, fit_rows=200).fit(df)
    back = enc.inverse_transform(enc.transform(df))
    pd.testing.assert_series_equal(back["int"], df["int"])
    np.testing.assert_allclose(back["float"], df["float"], rtol=1e-4)


def test_high_cardinality_is_bounded(table):
    schema = infer_schema(table)
    del schema["id"].options["id_like"]  # learn every value, up to max_categories
    enc = TableEncoder(seed=0, max_categories=20).fit(table, schema=schema)
    width = sum(s.width for s in enc.spans if s.column == "id")
    assert width == 20
    back = enc.inverse_transform(enc.transform(table), rng=np.random.default_rng(0))
    assert back["id"].isin(table["id"]).all()
    span = next(s for s in enc.spans if s.column == "id")
    block = enc.transform(table.assign(id="brand-new"))[:, span.offset : span.stop]
    assert (block[:, -1] == 1).all()  # unseen values map to the "other" bucket
    pooled = TableEncoder(seed=0, max_categories=20).fit(table)  # ID-like: nothing learned
    assert sum(s.width for s in pooled.spans if s.column == "id") == 1


def test_schema_override_and_given_schema_is_not_modified(table):
    schema = infer_schema(table)
    schema.set_kind("int", ColumnKind.CATEGORICAL)
    before = schema.to_dict()
    enc = TableEncoder(seed=0, max_categories=1000).fit(table, schema=schema)
    assert schema.to_dict() == before
    assert enc.schema_["int"].kind is ColumnKind.CATEGORICAL
    assert any(s.column == "int" and s.role is SpanRole.CATEGORY for s in enc.spans)
    back = enc.inverse_transform(enc.transform(table))
    pd.testing.assert_series_equal(back["int"], table["int"])


def test_discrete_columns_in_fit(table):
    enc = TableEncoder(seed=0).fit(table, discrete_columns=["when", "duration"])
    assert enc.schema_["when"].kind is ColumnKind.CATEGORICAL
    back = enc.inverse_transform(enc.transform(table))
    for col in ("when", "duration"):
        pd.testing.assert_series_equal(back[col], table[col])


def test_category_lookup(encoder, table):
    cats = encoder.categories("text")
    assert set(cats) == {"a", "b", "c", None}
    span = next(s for s in encoder.spans if s.column == "text")
    assert span.width == len(cats)
    for i, cat in enumerate(cats):
        assert encoder.category_index("text", cat) == i
    assert encoder.categories("bool") in ([True, False], [False, True])
    with pytest.raises(ConditionError, match="never seen"):
        encoder.category_index("text", "zzz")
    with pytest.raises(ConditionError, match="not discrete"):
        encoder.category_index("float", 1.0)
    with pytest.raises(ConditionError, match="unknown column"):
        encoder.categories("nope")


def test_bad_input_is_refused_clearly(table, encoder):
    other = table.copy()
    other.loc[0, "text"] = "never"
    with pytest.raises(InvalidDataError, match="'text' has value 'never'"):
        encoder.transform(other)
    with pytest.raises(InvalidDataError, match=r"lacks column\(s\) \['float'\]"):
        encoder.transform(table.drop(columns=["float"]))
    with pytest.raises(InvalidDataError, match="DataFrame"):
        encoder.transform(table.to_numpy())
    with pytest.raises(InvalidDataError, match="columns"):
        encoder.inverse_transform(np.zeros((2, encoder.output_dim + 1)))
    with pytest.raises(InvalidDataError, match="'float' is continuous"):
        encoder.transform(table.assign(float="text"))
    with pytest.raises(NotFittedError):
        TableEncoder().transform(table)
    with pytest.raises(InvalidParameterError, match="max_modes"):
        TableEncoder(max_modes=0).fit(table)


def test_columns_are_found_by_name_and_extra_columns_ignored(table, encoder):
    shuffled = table[table.columns[::-1]].assign(extra=1)
    np.testing.assert_array_equal(encoder.transform(shuffled), encoder.transform(table))


def test_non_string_column_names_become_text():
    df = pd.DataFrame({0: np.arange(30.0) / 7, 1: ["a", "b", "c"] * 10})
    enc = TableEncoder(seed=0).fit(df)
    assert enc.column_names == ["0", "1"]
    assert list(enc.inverse_transform(enc.transform(df)).columns) == ["0", "1"]


def test_encoding_does_not_import_torch():
    code = "import tabgan.encoding, sys; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
