"""Column typing and shared preprocessing for the evaluator.

Each column is compared as numeric or categorical. The kinds come, in order of precedence,
from ``discrete_columns`` (forced categorical), from a schema (the model's, so the judge reads
columns as the synthesizer modelled them), or from the schema inference rule of
:func:`tabgan.encoding.schema.infer_column` (pandas only): 0/1 and small-integer columns are
categories there, and so here. The evaluator never imports the model, the GAN or torch.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tabgan.encoding import numtext
from tabgan.encoding.schema import ColumnKind, ColumnSpec, Schema, infer_column
from tabgan.errors import InvalidDataError

NUMERIC = "numeric"
CATEGORICAL = "categorical"

# A placeholder for missing categories: models see "missing" as a value of its own.
MISSING = "__missing__"
# One-hot width cap per column; rarer categories are pooled, which keeps models fast on
# ID-like columns without dropping the common values.
MAX_CATEGORIES = 20


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
    date_format : str, optional
        The ``strftime`` format of date text (from the schema), ``None`` for ISO or typed dates.
    number_format : dict, optional
        How a column of numbers written as text writes them (``"$1,234.50"``; see
        :mod:`tabgan.encoding.numtext`), ``None`` for other columns.
    """

    name: str
    kind: str
    source: str
    date_format: str | None = None
    number_format: dict | None = None


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


def _source(col: pd.Series) -> str:
    if ptypes.is_bool_dtype(col) or (col.dtype == object and _all_bool(col)):
        return "bool"
    if ptypes.is_datetime64_any_dtype(col):
        return "datetime"
    if ptypes.is_numeric_dtype(col) or ptypes.is_timedelta64_dtype(col):
        return "number"
    return "text"


def _all_bool(col: pd.Series) -> bool:
    present = col.dropna()
    return len(present) > 0 and all(isinstance(v, (bool, np.bool_)) for v in present.unique())


def info_from_spec(spec: ColumnSpec, col: pd.Series) -> ColumnInfo:
    """How a column of a given schema kind is compared (categories, booleans, constants and
    empty columns as categories; numbers and dates as numbers)."""
    name = spec.name
    if spec.kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER):
        fmt = spec.options.get("number_format")
        if fmt is None and _source(col) == "text":  # kinds given without options
            fmt = numtext.detect(col)
        return ColumnInfo(name, NUMERIC, "number", number_format=fmt)
    if spec.kind == ColumnKind.DATETIME:
        return ColumnInfo(name, NUMERIC, "datetime", spec.options.get("format"))
    return ColumnInfo(name, CATEGORICAL, _source(col))


def infer_columns(
    real: pd.DataFrame,
    discrete_columns: Sequence[str] | None = None,
    schema: Schema | Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> list[ColumnInfo]:
    """Decide how each column is compared.

    Parameters
    ----------
    real : DataFrame
        The real table.
    discrete_columns : sequence of str, optional
        Columns compared as categories whatever their values (``--discrete``).
    schema : Schema or mapping of column name to kind, optional
        Kinds to use (e.g. a fitted model's ``encoder_.schema_``); kinds are
        :class:`~tabgan.encoding.schema.ColumnKind` values such as ``"categorical"``.
    notes : list of str, optional
        Gets a line for warnings raised while inferring (e.g. a column mixing numbers and text).

    Without a schema the kinds follow :func:`tabgan.encoding.schema.infer_column`, the rule
    the model's encoder uses: integer columns with at most 10 distinct values, booleans and
    text are categories; other numbers, and dates (typed or text in one format, measured in
    days), are numbers.

    Raises
    ------
    InvalidDataError
        A name in ``discrete_columns`` or the schema is not a column of ``real``, a column of
        ``real`` is not in the schema, or a kind is unknown.
    """
    names = [str(c) for c in real.columns]
    forced = [discrete_columns] if isinstance(discrete_columns, str) else discrete_columns
    forced = [str(c) for c in (forced or [])]
    for name in forced:
        if name not in names:
            raise InvalidDataError(
                f"unknown column {name!r} in discrete columns; columns are: {names}"
            )
    kinds = _schema_kinds(schema, names)
    infos = []
    for name in real.columns:
        col = real[name]
        if name in kinds:
            spec = ColumnSpec(str(name), kinds[name][0], str(col.dtype), kinds[name][1])
        else:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                spec = infer_column(str(name), col)
            if notes is not None:
                notes.extend(str(w.message) for w in caught)
        info = info_from_spec(spec, col)
        if name in forced and info.kind == NUMERIC:
            info = ColumnInfo(name, CATEGORICAL, _source(col))
        infos.append(info)
    return infos


def _schema_kinds(
    schema: Schema | Mapping[str, str] | None, names: list[str]
) -> dict[str, tuple[ColumnKind, dict]]:
    if schema is None:
        return {}
    if isinstance(schema, Schema):
        given = {c.name: (c.kind, dict(c.options)) for c in schema}
    elif isinstance(schema, Mapping):
        given = {}
        for name, kind in schema.items():
            try:
                given[str(name)] = (ColumnKind(kind), {})
            except ValueError as exc:
                known = ", ".join(k.value for k in ColumnKind)
                raise InvalidDataError(
                    f"unknown kind {kind!r} for column {name!r}; kinds: {known}"
                ) from exc
    else:
        raise InvalidDataError(
            f"schema must be a tabgan Schema or a mapping of column to kind, "
            f"not {type(schema).__name__}"
        )
    unknown = [n for n in given if n not in names]
    absent = [n for n in names if n not in given]
    if unknown or absent:
        parts = ([f"the model has columns {unknown} the table lacks"] if unknown else []) + (
            [f"the table has columns {absent} the model lacks"] if absent else []
        )
        raise InvalidDataError(
            f"the column kinds do not fit the real table: {'; '.join(parts)}; evaluate the "
            "table the model was trained on, or leave out the model"
        )
    return given


def _as_days(values: pd.Series, date_format: str | None = None) -> pd.Series:
    if ptypes.is_datetime64_any_dtype(values):
        parsed = values
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "could not infer format": coerced, not an error
            parsed = pd.to_datetime(
                values.astype("string") if values.dtype == object else values,
                errors="coerce",
                format=date_format or "ISO8601",
            )
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
                out[info.name] = _as_days(col, info.date_format)
            elif ptypes.is_timedelta64_dtype(col):
                out[info.name] = col.dt.total_seconds().astype("float64")
            elif ptypes.is_bool_dtype(col):
                out[info.name] = col.astype("float64")
            elif info.number_format is not None and not ptypes.is_numeric_dtype(col):
                num = pd.Series(numtext.parse(col, info.number_format), index=col.index)
                out[info.name] = num.where(np.isfinite(num))
            else:
                num = pd.to_numeric(col, errors="coerce").astype("float64")
                out[info.name] = num.where(np.isfinite(num))
        elif info.source == "number" and not ptypes.is_numeric_dtype(col):
            # codes stored as numbers in the real table, as text ("1.0") in another tool's
            num = pd.to_numeric(col, errors="coerce")
            labels = as_labels(col)
            parsed = num.notna()
            labels[parsed] = as_labels(num[parsed])
            out[info.name] = labels
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
