"""Conversions between a column's own values and the floats or plain values the codecs see, and
back to the training dtype."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tabgan.encoding import numtext
from tabgan.encoding.discrete import from_json_value
from tabgan.encoding.schema import ColumnKind, ColumnSpec
from tabgan.errors import InvalidDataError


def numeric_values(series: pd.Series, spec: ColumnSpec) -> np.ndarray:
    """The float64 values a numeric codec models: numbers (also numbers written as text in the
    column's ``number_format``; unreadable ones are missing), or seconds for dates and
    durations."""
    if spec.kind is ColumnKind.DATETIME:
        return _to_seconds(series, spec)
    if spec.options.get("number_format"):
        return numtext.parse(series, spec.options["number_format"])
    if spec.options.get("timedelta"):
        try:
            seconds = pd.to_timedelta(series, errors="coerce").dt.total_seconds()
        except (TypeError, ValueError) as exc:
            raise InvalidDataError(f"column {spec.name!r} does not hold durations") from exc
        return seconds.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        numbers = pd.to_numeric(series, errors="raise")
        return np.asarray(numbers.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidDataError(
            f"column {spec.name!r} is {spec.kind.value} but holds non-numeric values; "
            "set its kind to categorical"
        ) from exc


def _to_seconds(series: pd.Series, spec: ColumnSpec) -> np.ndarray:
    """Datetime values (dtype or strings in ``spec.options['format']``) as float seconds."""
    try:
        if spec.options.get("format"):
            parsed = pd.to_datetime(series, format=spec.options["format"], errors="coerce")
        else:
            parsed = pd.to_datetime(series, errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        ns = parsed.to_numpy(dtype="datetime64[ns]")
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidDataError(
            f"column {spec.name!r} is datetime but holds values that are not dates"
        ) from exc
    out = ns.astype(np.int64).astype(np.float64) / 1e9
    out[np.isnat(ns)] = np.nan
    return out


def resolution(seconds: np.ndarray) -> float:
    """The coarsest unit (a day down to a microsecond) in which every value is whole."""
    finite = seconds[np.isfinite(seconds)]
    for step in (86_400.0, 3_600.0, 60.0, 1.0, 1e-3, 1e-6):
        if np.allclose(finite / step, np.round(finite / step), rtol=0, atol=1e-6):
            return step
    return 1e-9


def from_numeric(values: np.ndarray, spec: ColumnSpec) -> pd.Series:
    """Decoded floats back to the column's values (dates, durations, rounded integers, numbers
    written as text)."""
    if spec.kind is ColumnKind.DATETIME:
        return _from_seconds(values, spec)
    if spec.kind is ColumnKind.INTEGER:
        values = np.round(values)
    if spec.options.get("number_format"):
        return numtext.write(values, spec.options["number_format"])
    if spec.options.get("timedelta"):
        return pd.Series(pd.to_timedelta(values, unit="s"))
    return pd.Series(values)


def _from_seconds(values: np.ndarray, spec: ColumnSpec) -> pd.Series:
    # the float32 matrix keeps ~7 digits: snap back to the training data's resolution
    step = float(spec.options.get("step", 1e-9))
    values = np.round(values / step) * step
    finite = np.isfinite(values)
    ns = np.where(finite, np.round(values * 1e9), 0).astype(np.int64)
    stamps = pd.Series(pd.to_datetime(ns, unit="ns"))
    stamps[~finite] = pd.NaT
    if spec.options.get("format"):
        text = stamps.dt.strftime(spec.options["format"])
        return text.astype(object).where(finite, None)
    tz = spec.options.get("tz")
    if tz:
        stamps = stamps.dt.tz_localize("UTC").dt.tz_convert(tz)
    return stamps


def restore(values: Any, spec: ColumnSpec) -> pd.Series:
    """Cast decoded values back to the training dtype (left as they are if that fails)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    dtype = spec.dtype
    if dtype == "category":
        cats = pd.Index([from_json_value(c) for c in spec.options.get("categories", [])])
        cat_dtype = spec.options.get("categories_dtype")
        if cat_dtype and str(cats.dtype) != cat_dtype:
            try:  # e.g. datetime categories, kept as ISO strings in the schema
                cats = cats.astype(cat_dtype)
                series = series.astype(cat_dtype)
            except (TypeError, ValueError):
                pass
        ordered = bool(spec.options.get("ordered", False))
        return pd.Series(pd.Categorical(series, categories=cats, ordered=ordered))
    try:
        if dtype == "bool" and series.isna().any():
            return series
        return series.astype(dtype)
    except (TypeError, ValueError):
        return series
