"""Schema inference: each column's kind (and what it takes to restore it), editable before fit."""

from __future__ import annotations

import enum
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tabgan.errors import InvalidDataError

#: integer-valued numeric columns with at most this many distinct values are categorical
DISCRETE_INT_MAX = 10
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
)


class ColumnKind(enum.Enum):
    """How a column is modelled."""

    CONTINUOUS = "continuous"
    INTEGER = "integer"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    CONSTANT = "constant"
    EMPTY = "empty"


@dataclass
class ColumnSpec:
    """One column: its name, kind, the dtype to restore, and kind-specific options."""

    name: str
    kind: ColumnKind
    dtype: str
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "dtype": self.dtype,
            "options": self.options,
        }

    @classmethod
    def from_dict(cls, d: dict) -> ColumnSpec:
        return cls(str(d["name"]), ColumnKind(d["kind"]), str(d["dtype"]), dict(d["options"]))


class Schema:
    """Ordered column specs; edit with :meth:`set_kind` before fitting."""

    def __init__(self, columns: Sequence[ColumnSpec]) -> None:
        self.columns = list(columns)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def __iter__(self) -> Iterator[ColumnSpec]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __getitem__(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise InvalidDataError(f"unknown column {name!r}; columns are: {_list(self.names)}")

    def set_kind(self, name: str, kind: ColumnKind) -> None:
        """Override the inferred kind of a column."""
        self[name].kind = ColumnKind(kind)

    def to_dict(self) -> dict:
        return {"columns": [c.to_dict() for c in self.columns]}

    @classmethod
    def from_dict(cls, d: dict) -> Schema:
        return cls([ColumnSpec.from_dict(c) for c in d["columns"]])

    def __repr__(self) -> str:
        return "Schema(" + ", ".join(f"{c.name}: {c.kind.value}" for c in self.columns) + ")"


def _list(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _date_format(values: pd.Series) -> str | None:
    """The one format that parses >= 95% of a sample of string values, if any."""
    sample = values.dropna()
    sample = sample.iloc[: min(len(sample), 500)].astype(str)
    if sample.empty or not sample.str.contains(r"\d", regex=True).all():
        return None
    if sample.str.len().max() > 40:
        return None
    for fmt in _DATE_FORMATS:
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        if parsed.notna().mean() >= 0.95:
            return fmt
    return None


def _is_bool_object(values: pd.Series) -> bool:
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, (bool, np.bool_)) for v in present.unique())


def infer_column(name: str, series: pd.Series) -> ColumnSpec:
    """Infer the spec of one column from its values."""
    dtype = str(series.dtype)
    present = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = [_jsonable(v) for v in series.cat.categories]
        kind = ColumnKind.EMPTY if present.empty else ColumnKind.CATEGORICAL
        return ColumnSpec(
            name, kind, dtype, {"categories": cats, "ordered": bool(series.cat.ordered)}
        )
    if pd.api.types.is_bool_dtype(series.dtype) or (
        series.dtype == object and _is_bool_object(series)
    ):
        if present.nunique() <= 1 and len(present) == len(series) and len(present):
            return ColumnSpec(name, ColumnKind.CONSTANT, dtype)
        return ColumnSpec(name, ColumnKind.BOOLEAN, dtype)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        tz = str(series.dt.tz) if getattr(series.dt, "tz", None) is not None else None
        kind = ColumnKind.EMPTY if present.empty else ColumnKind.DATETIME
        return ColumnSpec(name, kind, dtype, {"tz": tz, "unit": _unit(series.dtype)})
    if present.empty:
        return ColumnSpec(name, ColumnKind.EMPTY, dtype)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = present.to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values)]
        distinct = np.unique(values)
        if len(distinct) == 1 and len(present) == len(series):
            return ColumnSpec(name, ColumnKind.CONSTANT, dtype)
        integral = finite.size > 0 and bool(np.all(finite == np.round(finite)))
        if integral and len(np.unique(finite)) <= DISCRETE_INT_MAX and finite.size == values.size:
            return ColumnSpec(name, ColumnKind.CATEGORICAL, dtype)
        if len(distinct) == 1 or finite.size == 0:
            return ColumnSpec(name, ColumnKind.CATEGORICAL, dtype)
        return ColumnSpec(name, ColumnKind.INTEGER if integral else ColumnKind.CONTINUOUS, dtype)
    # text-like
    if present.nunique() == 1 and len(present) == len(series):
        return ColumnSpec(name, ColumnKind.CONSTANT, dtype)
    fmt = _date_format(present)
    if fmt is not None:
        return ColumnSpec(
            name, ColumnKind.DATETIME, dtype, {"format": fmt, "tz": None, "unit": "ns"}
        )
    kinds = {type(v) for v in present.iloc[:10_000]}
    if len(kinds) > 1 and str in kinds:
        warnings.warn(
            f"column {name!r} mixes numbers and text; it is treated as categorical",
            UserWarning,
            stacklevel=3,
        )
    return ColumnSpec(name, ColumnKind.CATEGORICAL, dtype)


def _unit(dtype: Any) -> str:
    return str(getattr(dtype, "unit", "ns"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def infer_schema(df: pd.DataFrame, discrete_columns: Sequence[str] | None = None) -> Schema:
    """Infer a :class:`Schema` for ``df``; ``discrete_columns`` are forced to categorical.

    Raises
    ------
    InvalidDataError
        ``df`` is not a DataFrame, or a name in ``discrete_columns`` is not a column.
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(f"expected a pandas DataFrame, got {type(df).__name__}")
    names = [str(c) for c in df.columns]
    forced = list(discrete_columns or [])
    for name in forced:
        if name not in names:
            raise InvalidDataError(
                f"unknown column {name!r} in discrete_columns; columns are: {_list(names)}"
            )
    specs = []
    for name, col in zip(names, df.columns, strict=True):
        spec = infer_column(name, df[col])
        if name in forced and spec.kind in (
            ColumnKind.CONTINUOUS,
            ColumnKind.INTEGER,
            ColumnKind.DATETIME,
        ):
            spec = ColumnSpec(name, ColumnKind.CATEGORICAL, spec.dtype)
        specs.append(spec)
    return Schema(specs)
