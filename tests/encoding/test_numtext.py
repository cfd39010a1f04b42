"""Numbers written as text ("$1,234.50", "12%"): detection, parsing, writing, the schema and
the encoder's round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tabgan.encoding import ColumnKind, TableEncoder, infer_schema, numtext


def _text(values: list) -> pd.Series:
    return pd.Series(values, dtype=object)


@pytest.mark.parametrize(
    ("values", "prefix", "suffix", "thousands", "decimals", "numbers"),
    [
        (["1,234", "56", "12,345,678"], "", "", True, 0, [1234, 56, 12345678]),
        (["$1,234.50", "$0.99", None], "$", "", True, 2, [1234.5, 0.99, np.nan]),
        (["12%", "5%", "100%"], "", "%", False, 0, [12, 5, 100]),
        (["12.5%", "5%"], "", "%", False, None, [12.5, 5]),
        (["3,400 kg", "12 kg"], "", " kg", True, 0, [3400, 12]),
        (["USD 1,200", "USD 30"], "USD ", "", True, 0, [1200, 30]),
        (["-$5.00", "$3.25"], "$", "", False, 2, [-5, 3.25]),
        (["-3%", " 4% "], "", "%", False, 0, [-3, 4]),
    ],
)
def test_detect_and_parse(values, prefix, suffix, thousands, decimals, numbers):
    fmt = numtext.detect(_text(values))
    assert fmt is not None
    assert (fmt["prefix"], fmt["suffix"], fmt["thousands"], fmt["decimals"]) == (
        prefix,
        suffix,
        thousands,
        decimals,
    )
    np.testing.assert_allclose(numtext.parse(_text(values), fmt), numbers)
    assert numtext.check(fmt) is fmt


@pytest.mark.parametrize(
    "values",
    [
        ["12", "13"],  # plain digits stored as text: codes
        ["02134", "12345"],  # leading zeros: postal codes
        ["ID123", "ID124"],  # letters on the digits: a code
        ["12B", "14B"],
        ["id-1", "id-2"],  # a dash in every row is a separator, not a minus
        ["$12", "€13"],  # two prefixes
        ["12,50 €", "3,10 €"],  # a decimal comma is not a thousands separator
        ["abc", "12%"],
        [1.5, 2.5],  # not text
    ],
)
def test_codes_and_text_are_not_numbers(values):
    assert numtext.detect(_text(values)) is None


def test_write_keeps_the_format_and_the_sign():
    fmt = numtext.detect(_text(["$-5.00", "$1,234.50"]))
    assert fmt["sign"] == "after"
    out = numtext.write(np.array([-5.0, 1234.5, np.nan, np.inf, -0.001]), fmt)
    assert out.tolist() == ["$-5.00", "$1,234.50", None, None, "$0.00"]
    loose = numtext.detect(_text(["12.5%", "5%"]))
    assert numtext.write(np.array([7.25, 3.0, 1e6]), loose).tolist() == ["7.25%", "3%", "1000000%"]
    assert numtext.example(numtext.detect(_text(["$1,234.50"]))) == "$1,234.50"
    assert numtext.example(numtext.detect(_text(["12%", "13%"]))) == "12%"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=2, max_size=20),
    st.sampled_from([("$", ""), ("", "%"), ("", " kg"), ("EUR ", "")]),
    st.integers(0, 3),
)
def test_written_numbers_read_back(values, affixes, decimals):
    fmt = {
        "prefix": affixes[0],
        "suffix": affixes[1],
        "thousands": True,
        "decimals": decimals,
        "integral": decimals == 0,
        "sign": "before",
    }
    numbers = np.round(np.array(values), decimals)
    text = numtext.write(numbers, fmt)
    np.testing.assert_allclose(numtext.parse(text, fmt), numbers, rtol=1e-12, atol=10.0**-decimals)


@pytest.mark.parametrize(
    "bad",
    [
        {"prefix": "$"},
        {"prefix": "1", "suffix": "", "thousands": True, "decimals": 2, "integral": False,
         "sign": "before"},
        {"prefix": "$", "suffix": "", "thousands": True, "decimals": 99, "integral": False,
         "sign": "before"},
        {"prefix": "$", "suffix": "", "thousands": "yes", "decimals": 2, "integral": False,
         "sign": "before"},
        {"prefix": "$", "suffix": "", "thousands": True, "decimals": 2, "integral": False,
         "sign": "left"},
    ],
)  # fmt: skip
def test_check_refuses_a_malformed_format(bad):
    with pytest.raises(ValueError, match="number format"):
        numtext.check(bad)


def _table(n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "price": [f"${v:,.2f}" for v in np.exp(7 + x)],
            "rate": [f"{v}%" for v in rng.integers(0, 100, n)],
            "grade": [f"{v}%" for v in rng.integers(0, 3, n)],  # few values: categories
        }
    )


def test_schema_models_numbers_written_as_text():
    schema = infer_schema(_table())
    assert schema["price"].kind is ColumnKind.CONTINUOUS
    assert schema["price"].options["number_format"]["prefix"] == "$"
    assert schema["rate"].kind is ColumnKind.INTEGER
    assert schema["grade"].kind is ColumnKind.CATEGORICAL  # like integers with few values
    named = infer_schema(_table(), discrete_columns=["price"])
    assert named["price"].kind is ColumnKind.CATEGORICAL and named["price"].options == {}


def test_encoder_round_trip_and_saved_state():
    df = _table()
    enc = TableEncoder(seed=0).fit(df)
    fmt = enc.schema_["price"].options["number_format"]
    back = enc.inverse_transform(enc.transform(df, rng=np.random.default_rng(0)))
    assert back["price"].dtype == object
    np.testing.assert_allclose(
        numtext.parse(back["price"], fmt), numtext.parse(df["price"], fmt), rtol=1e-5
    )
    fake = enc.inverse_transform(np.random.default_rng(1).normal(size=(50, enc.output_dim)))
    assert fake["price"].str.fullmatch(r"\$[\d,]+\.\d\d").all()
    assert fake["rate"].str.fullmatch(r"\d+%").all()
    again = TableEncoder.from_dict(enc.to_dict())
    assert again.schema_["price"].options == enc.schema_["price"].options
    state = enc.to_dict()
    state["schema"]["columns"][1]["options"]["number_format"]["decimals"] = 99
    with pytest.raises(ValueError, match="number format"):
        TableEncoder.from_dict(state)
