"""Schema inference, overrides and the schema's JSON form."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from tabgan.encoding import ColumnKind, ColumnSpec, Schema, infer_schema
from tabgan.errors import InvalidDataError

from .conftest import EXPECTED_KINDS


def test_every_kind_is_inferred(table):
    schema = infer_schema(table)
    assert schema.names == list(table.columns)
    assert {c.name: c.kind.value for c in schema} == EXPECTED_KINDS
    for spec in schema:
        assert spec.dtype == str(table[spec.name].dtype)


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (pd.Series([1.5, 2.5, np.nan, 4.25] * 5), ColumnKind.CONTINUOUS),
        (pd.Series(np.arange(40) * 3.0), ColumnKind.INTEGER),  # integral floats
        (pd.Series([1.0, 2.0, np.nan] * 10), ColumnKind.CATEGORICAL),  # few integers
        (pd.Series([5.0, np.nan] * 10), ColumnKind.CATEGORICAL),  # one value plus missing
        (pd.Series([5] * 20), ColumnKind.CONSTANT),
        (pd.Series([np.nan] * 20), ColumnKind.EMPTY),
        (pd.Series([None] * 20, dtype=object), ColumnKind.EMPTY),
        (pd.Series(["k"] * 20), ColumnKind.CONSTANT),
        (pd.Series(pd.Categorical(["k"] * 20)), ColumnKind.CONSTANT),
        (pd.Series([True, False, None] * 7, dtype=object), ColumnKind.BOOLEAN),
        (pd.Series([True] * 20), ColumnKind.CONSTANT),
        (pd.Series(["2021-01-02", "2022-03-04", None] * 7, dtype=object), ColumnKind.DATETIME),
        (pd.Series(["Jan 05, 2021", "Mar 14, 2022"] * 10), ColumnKind.DATETIME),  # guessed
        (pd.Series(["20210102", "20220304", "20230506"] * 7), ColumnKind.CATEGORICAL),  # IDs
        (pd.Series(["1.2.3", "4.5.6"] * 10), ColumnKind.CATEGORICAL),  # versions, not dates
        (pd.Series(pd.to_timedelta([1.5, 2.25, 3.0] * 7, unit="s")), ColumnKind.CONTINUOUS),
    ],
)
def test_single_column_kinds(values, kind):
    assert infer_schema(pd.DataFrame({"c": values}))["c"].kind is kind


def test_date_strings_keep_their_format():
    df = pd.DataFrame({"d": ["31/12/2020", "01/02/2021", "15/07/2019"] * 5})
    spec = infer_schema(df)["d"]
    assert spec.kind is ColumnKind.DATETIME and spec.options["format"] == "%d/%m/%Y"


def test_tz_aware_datetime_records_its_zone(table):
    spec = infer_schema(table)["when_tz"]
    assert spec.options["tz"] == "Europe/Paris"


def test_mixed_numbers_and_text_warn_and_are_categorical():
    df = pd.DataFrame({"m": [1, "a", 2.5, "b"] * 5})
    with pytest.warns(UserWarning, match="'m' mixes numbers and text"):
        assert infer_schema(df)["m"].kind is ColumnKind.CATEGORICAL


def test_plain_text_does_not_warn(table):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        infer_schema(table)


def test_discrete_columns_force_categorical(table):
    schema = infer_schema(table, discrete_columns=["int", "float", "when"])
    for name in ("int", "float", "when"):
        assert schema[name].kind is ColumnKind.CATEGORICAL
    assert schema["bool"].kind is ColumnKind.BOOLEAN


def test_unknown_discrete_column_is_named(table):
    with pytest.raises(InvalidDataError, match=r"unknown column 'nope' in discrete_columns"):
        infer_schema(table, ["nope"])


def test_set_kind_and_unknown_name(table):
    schema = infer_schema(table)
    schema.set_kind("int", ColumnKind.CATEGORICAL)
    assert schema["int"].kind is ColumnKind.CATEGORICAL
    schema.set_kind("int", "continuous")  # the enum's value works too
    assert schema["int"].kind is ColumnKind.CONTINUOUS
    with pytest.raises(InvalidDataError, match="'ghost'"):
        schema.set_kind("ghost", ColumnKind.CATEGORICAL)
    with pytest.raises(InvalidDataError, match="'ghost'"):
        schema["ghost"]
    with pytest.raises(InvalidDataError, match="unknown kind 'weird'"):
        schema.set_kind("int", "weird")


def test_not_a_frame_and_duplicate_names():
    with pytest.raises(InvalidDataError, match="DataFrame"):
        infer_schema([[1, 2]])
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(InvalidDataError, match="duplicate"):
        infer_schema(df)


def test_schema_json_round_trip(table):
    schema = infer_schema(table)
    again = Schema.from_dict(json.loads(json.dumps(schema.to_dict(), allow_nan=False)))
    assert again.to_dict() == schema.to_dict()
    assert [c.kind for c in again] == [c.kind for c in schema]
    assert len(again) == len(schema)
    spec = ColumnSpec("x", ColumnKind.DATETIME, "object", {"format": "%Y"})
    assert ColumnSpec.from_dict(spec.to_dict()) == spec
