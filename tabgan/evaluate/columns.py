"""Light column typing and shared preprocessing for the evaluator.

The evaluator judges any synthetic table, so it keeps its own small notion of column kinds
(numeric or categorical) instead of borrowing the synthesizer's encoder: a judge must not
share assumptions with what it judges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tabgan.errors import InvalidDataError

NUMERIC = "numeric"
CATEGORICAL = "categorical"

# A placeholder for missing categories: models see "missing" as a value of its own.
MISSING = "__missing__"
# One-hot width cap per column; rarer categories are pooled, which keeps models fast on
# ID-like columns without dropping the common values.
MAX_CATEGORIES = 20
# Share of values that must parse as dates before a text column is treated as a date.
_DATE_SHARE = 0.95


@dataclass(frozen=True)
class ColumnInfo:
    """How the evaluator reads one column.

    Attributes
    ----------
    name : str
        Column name.
    kind : str
        ``"numeric"`` or ``"categorical"``.
    source : str
        What the real column looked like: ``"number"``, ``"datetime"``, ``"bool"`` or ``"text"``.
    """

    name: str
    kind: str
    source: str


def check_columns(real: pd.DataFrame, other: pd.DataFrame, what: str) -> pd.DataFrame:
    """Return ``other`` with the columns of ``real`` in the same order.

    Raises
    ------
    InvalidDataError
        ``other`` lacks columns of ``real`` or has extra ones; both lists are named.
    """
    missing = [c for c in real.columns if c not in other.columns]
    extra = [c for c in other.columns if c not in real.columns]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"extra {extra}")
        raise InvalidDataError(
            f"the {what} table's columns do not match the real table: {'; '.join(parts)}; "
            "both tables need the same column names (order may differ)"
        )
    return other[list(real.columns)]


def _looks_like_dates(values: pd.Series) -> bool:
    present = values.dropna()
    if len(present) == 0 or not (ptypes.is_object_dtype(values) or ptypes.is_string_dtype(values)):
        return False
    sample = present.astype(str).head(500)
    # Short tokens ("a", "1", "M") would parse as odd dates; real date text is longer.
    if sample.str.len().median() < 6:
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="ISO8601")
    return bool(parsed.notna().mean() >= _DATE_SHARE)


def infer_columns(real: pd.DataFrame) -> list[ColumnInfo]:
    """Decide, from the real table alone, how each column is compared.

    Numbers are numeric; booleans and text are categorical; datetimes (typed or ISO text)
    are numeric, measured in days, so their spread is compared rather than exact dates.
    """
    infos = []
    for name in real.columns:
        col = real[name]
        if ptypes.is_bool_dtype(col):
            infos.append(ColumnInfo(name, CATEGORICAL, "bool"))
        elif ptypes.is_datetime64_any_dtype(col):
            infos.append(ColumnInfo(name, NUMERIC, "datetime"))
        elif ptypes.is_numeric_dtype(col):
            infos.append(ColumnInfo(name, NUMERIC, "number"))
        elif _looks_like_dates(col):
            infos.append(ColumnInfo(name, NUMERIC, "datetime"))
        else:
            infos.append(ColumnInfo(name, CATEGORICAL, "text"))
    return infos


def _as_days(values: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert(None)
    days = (parsed - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    return days.astype("float64")


def as_labels(values: pd.Series) -> pd.Series:
    """Canonical text labels, so ``1``, ``1.0`` and ``"1"`` read alike across tables.

    Missing values stay missing (``NaN``); the result has object dtype.
    """
    out = pd.Series(np.nan, index=values.index, dtype=object)
    present = values.notna()
    if not present.any():
        return out
    vals = values[present]
    if ptypes.is_bool_dtype(vals):
        text = vals.map(lambda v: "True" if v else "False")
    elif ptypes.is_numeric_dtype(vals):
        num = vals.astype("float64")
        whole = np.isfinite(num) & (num == np.round(num))
        text = num.map(lambda v: repr(float(v)))
        text[whole] = num[whole].astype("int64").astype(str)
    else:
        text = vals.astype(str)
    out[present] = text.to_numpy(dtype=object)
    return out


def canonical(df: pd.DataFrame, infos: list[ColumnInfo]) -> pd.DataFrame:
    """Coerce a table to the evaluator's form: float64 numbers, object text, NaN for missing.

    Synthetic tables from other tools often differ in dtype (ints written as floats, numbers
    as text); coercing both tables the same way lets values be compared one to one.
    Values that cannot be read as numbers in a numeric column become missing.
    """
    out = {}
    for info in infos:
        col = df[info.name]
        if info.kind == NUMERIC:
            if info.source == "datetime":
                out[info.name] = _as_days(col)
            elif ptypes.is_bool_dtype(col):
                out[info.name] = col.astype("float64")
            else:
                num = pd.to_numeric(col, errors="coerce").astype("float64")
                out[info.name] = num.where(np.isfinite(num))
        else:
            out[info.name] = as_labels(col)
    return pd.DataFrame(out, index=df.index)


def infos_of(infos: list[ColumnInfo], *names: str) -> list[ColumnInfo]:
    """The entries of ``infos`` for the given column names, in the order of ``infos``."""
    return [i for i in infos if i.name in names]


def numeric_names(infos: list[ColumnInfo], exclude: str | None = None) -> list[str]:
    """Names of the numeric columns, leaving out ``exclude`` (the target)."""
    return [i.name for i in infos if i.kind == NUMERIC and i.name != exclude]


def categorical_names(infos: list[ColumnInfo], exclude: str | None = None) -> list[str]:
    """Names of the categorical columns, leaving out ``exclude`` (the target)."""
    return [i.name for i in infos if i.kind == CATEGORICAL and i.name != exclude]


def feature_transformer(infos: list[ColumnInfo], exclude: str | None = None) -> ColumnTransformer:
    """An unfitted feature map shared by the utility models.

    Numeric: median imputation with missing indicators, then standard scaling (the linear
    model needs it; trees ignore it). Categorical: missing as its own value, one-hot with
    rare categories pooled and unknown ones ignored. Fit it on the real training rows so
    train-on-real and train-on-synthetic models see one feature space.
    """
    num = numeric_names(infos, exclude)
    cat = categorical_names(infos, exclude)
    parts = []
    if num:
        parts.append(
            (
                "num",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                    StandardScaler(),
                ),
                num,
            )
        )
    if cat:
        parts.append(
            (
                "cat",
                make_pipeline(
                    SimpleImputer(
                        strategy="constant", fill_value=MISSING, keep_empty_features=True
                    ),
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist",
                        max_categories=MAX_CATEGORIES,
                        sparse_output=False,
                        dtype=np.float64,
                    ),
                ),
                cat,
            )
        )
    if not parts:
        raise InvalidDataError("the table has no feature columns besides the target")
    return ColumnTransformer(parts, sparse_threshold=0.0)


def subsample(df: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """At most ``n`` rows of ``df``, drawn without replacement (all rows if fewer)."""
    if len(df) <= n:
        return df
    idx = rng.choice(len(df), size=n, replace=False)
    return df.iloc[np.sort(idx)]
