"""Fixtures for the encoder tests: small generated tables with every column kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tabgan.encoding import TableEncoder

#: the kind ``infer_schema`` should give each column of :func:`make_table`
EXPECTED_KINDS = {
    "float": "continuous",
    "int": "integer",
    "int_na": "integer",
    "nullable": "integer",
    "small_int": "categorical",
    "text": "categorical",
    "string": "categorical",
    "cat": "categorical",
    "bool": "boolean",
    "boolean": "boolean",
    "when": "datetime",
    "when_tz": "datetime",
    "date_str": "datetime",
    "duration": "integer",
    "const": "constant",
    "const_text": "constant",
    "empty": "empty",
    "empty_text": "empty",
    "id": "categorical",
    "inf": "continuous",
    'naïve «col», "quoted" 🎲': "continuous",
}


def make_table(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """A mixed table: numbers (with NaN, +-inf), text, categories, booleans, dates, durations,
    a constant, all-missing and ID-like columns, and an awkward column name."""
    rng = np.random.default_rng(seed)
    ints_na = pd.Series(rng.integers(0, 1000, n), dtype="float64")
    ints_na[rng.random(n) < 0.2] = np.nan
    text = pd.Series(rng.choice(["a", "b", "c"], n), dtype=object)
    text[rng.random(n) < 0.15] = None
    when = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s")
    with_inf = rng.normal(size=n)
    with_inf[:3] = [np.inf, -np.inf, np.nan]
    boolean = pd.array(rng.random(n) < 0.5, dtype="boolean")
    boolean[rng.random(n) < 0.1] = pd.NA
    return pd.DataFrame(
        {
            "float": rng.lognormal(3, 1, n),
            "int": rng.integers(-50, 5000, n),
            "int_na": ints_na,
            "nullable": pd.array(rng.integers(0, 100, n), dtype="Int64"),
            "small_int": rng.integers(0, 3, n),
            "text": text,
            "string": pd.Series(rng.choice(["x", "yy", None], n), dtype="string"),
            "cat": pd.Categorical(
                rng.choice(["lo", "mid", "hi"], n), categories=["lo", "mid", "hi"]
            ),
            "bool": rng.random(n) < 0.4,
            "boolean": boolean,
            "when": when,
            "when_tz": when.tz_localize("Europe/Paris"),
            "date_str": pd.Series(when.strftime("%d/%m/%Y"), dtype=object),
            "duration": pd.to_timedelta(rng.integers(0, 10**5, n), unit="s"),
            "const": 7,
            "const_text": "same",
            "empty": np.nan,
            "empty_text": pd.Series([None] * n, dtype=object),
            "id": [f"user-{i}" for i in range(n)],
            "inf": with_inf,
            'naïve «col», "quoted" 🎲': rng.normal(size=n),
        }
    )


@pytest.fixture
def table() -> pd.DataFrame:
    return make_table()


@pytest.fixture
def encoder(table: pd.DataFrame) -> TableEncoder:
    return TableEncoder(seed=0).fit(table)
