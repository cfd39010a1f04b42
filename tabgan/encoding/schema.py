"""Schema inference: each column's kind (and what it takes to restore it), editable before fit.

Rules, in order: category dtype -> CATEGORICAL (CONSTANT/EMPTY when it holds one/no value);
bool, nullable boolean, or object columns of only True/False -> BOOLEAN; datetime64 (tz too) ->
DATETIME; timedelta64 -> INTEGER/CONTINUOUS in seconds; all missing -> EMPTY; numbers: one value
and no missing -> CONSTANT, integral with at most ``DISCRETE_INT_MAX`` distinct values (or one
value plus missing, or only non-finite values) -> CATEGORICAL, else INTEGER or CONTINUOUS; text:
one value and no missing -> CONSTANT, dates in one consistent format -> DATETIME (the format is
kept so values come back as the same kind of string), numbers in one format such as "$1,234.50"
or "12%" (:mod:`tabgan.encoding.numtext`) -> INTEGER or CONTINUOUS by the rule for numbers, with
the format kept as ``options["number_format"]``, else CATEGORICAL (with a warning when numbers
and text are mixed).
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from tabgan.encoding import numtext
from tabgan.errors import InvalidDataError

#: integer-valued numeric columns with at most this many distinct values are categorical
DISCRETE_INT_MAX = 10
#: a text column is ID-like (:func:`id_like`) when its values seen in a single row hold at least
#: this share of its rows ...
ID_SHARE = 0.5
#: ... and number at least this many (fewer cost the networks little)
ID_MIN_VALUES = 20
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
    """One column of a :class:`Schema`.

    Attributes
    ----------
    name : str
        The column name, exactly as in the table.
    kind : ColumnKind
        How the column is modelled.
    dtype : str
        The pandas dtype decoded values are cast back to (e.g. ``"int64"``, ``"Int64"``,
        ``"str"``, ``"category"``, ``"datetime64[ns, UTC]"``).
    options : dict
        Kind-specific JSON-able data: ``format`` of date strings, ``tz`` of datetimes,
        ``categories``/``ordered`` of category dtypes, ``value`` of constants, ...
    """

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
    """The ordered column specs of a table; edit it with :meth:`set_kind` before fitting.

    Parameters
    ----------
    columns : sequence of ColumnSpec
        In table order.

    Examples
    --------
    >>> schema = infer_schema(df)  # doctest: +SKIP
    >>> schema.set_kind("zip_code", ColumnKind.CATEGORICAL)  # doctest: +SKIP
    >>> TableEncoder().fit(df, schema=schema)  # doctest: +SKIP
    """

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

    def set_kind(self, name: str, kind: ColumnKind | str) -> None:
        """Override the inferred kind of a column.

        Raises
        ------
        InvalidDataError
            ``name`` is not a column of the schema, or ``kind`` is not a :class:`ColumnKind`.
        """
        spec = self[name]
        try:
            spec.kind = ColumnKind(kind)
        except ValueError as exc:
            kinds = ", ".join(k.value for k in ColumnKind)
            raise InvalidDataError(
                f"unknown kind {kind!r} for column {name!r}; kinds: {kinds}"
            ) from exc

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
    """The one format that parses >= 95% of a sample of string values, if any.

    The usual formats are tried first; then the format pandas guesses from the first value, but
    only for values with some non-digit character (so "20200101"-like IDs stay categorical).
    """
    sample = values.dropna()
    sample = sample.iloc[: min(len(sample), 500)]
    if sample.empty or not all(isinstance(v, str) for v in sample.iloc[:50]):
        return None
    sample = sample.astype(str)
    if not sample.str.contains(r"\d", regex=True).all() or sample.str.len().max() > 40:
        return None
    candidates = list(_DATE_FORMATS)
    if sample.str.contains(r"\D", regex=True).all():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            guessed = guess_datetime_format(sample.iloc[0])
        if guessed and guessed not in candidates:
            candidates.append(guessed)
    for fmt in candidates:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        if parsed.notna().mean() >= 0.95 and _in_range(parsed):
            return fmt
    return None


def _in_range(parsed: pd.Series) -> bool:
    """Whether parsed dates fit datetime64[ns] (the encoder works in float seconds via ns)."""
    years = parsed.dropna().dt.year
    return bool(years.between(1678, 2261).all())


def _is_bool_object(values: pd.Series) -> bool:
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, (bool, np.bool_)) for v in present.unique())


def _mixes_numbers_and_text(present: pd.Series) -> bool:
    if present.dtype != object:  # str/string dtypes hold text only
        return False
    kinds = {type(v) for v in present.unique()[:10_000]}
    return str in kinds and any(
        issubclass(k, (int, float, np.number)) and not issubclass(k, (bool, np.bool_))
        for k in kinds
    )


def id_like(series: pd.Series) -> bool:
    """Whether a text column is ID-like: names, ticket or order numbers, free text. Its values
    seen in one row hold at least :data:`ID_SHARE` of the rows and number at least
    :data:`ID_MIN_VALUES`; the encoder learns only its values seen twice or more, and draws
    the others from the stored ones (:mod:`tabgan.encoding.discrete`). The schema records the
    verdict as ``options["id_like"]``; a column named in ``discrete_columns`` is never ID-like
    (every value is learned, up to ``max_categories``)."""
    counts = series.value_counts(dropna=True)
    singles = int((counts == 1).sum())
    return singles >= max(ID_MIN_VALUES, ID_SHARE * len(series))


def infer_column(name: str, series: pd.Series) -> ColumnSpec:
    """Infer the spec of one column from its values."""
    dtype = str(series.dtype)
    present = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = [_jsonable(v) for v in series.cat.categories]
        kind = ColumnKind.EMPTY if present.empty else ColumnKind.CATEGORICAL
        if present.nunique() == 1 and len(present) == len(series):
            kind = ColumnKind.CONSTANT
        options = {
            "categories": cats,
            "ordered": bool(series.cat.ordered),
            "categories_dtype": str(series.cat.categories.dtype),
        }
        return ColumnSpec(name, kind, dtype, options)
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
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        seconds = present.dt.total_seconds().to_numpy(dtype=np.float64)
        if present.empty:
            return ColumnSpec(name, ColumnKind.EMPTY, dtype)
        if len(np.unique(seconds)) == 1 and len(present) == len(series):
            return ColumnSpec(name, ColumnKind.CONSTANT, dtype)
        integral = bool(np.all(seconds == np.round(seconds)))
        kind = ColumnKind.INTEGER if integral else ColumnKind.CONTINUOUS
        return ColumnSpec(name, kind, dtype, {"timedelta": True})
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
    numbers = numtext.detect(present)
    if numbers is not None:
        distinct = np.unique(numtext.parse(present, numbers))
        if not (numbers["integral"] and len(distinct) <= DISCRETE_INT_MAX):
            kind = ColumnKind.INTEGER if numbers["integral"] else ColumnKind.CONTINUOUS
            return ColumnSpec(name, kind, dtype, {"number_format": numbers})
    if _mixes_numbers_and_text(present):
        warnings.warn(
            f"column {name!r} mixes numbers and text; it is treated as categorical",
            UserWarning,
            stacklevel=3,
        )
    return ColumnSpec(
        name, ColumnKind.CATEGORICAL, dtype, {"id_like": True} if id_like(series) else {}
    )


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
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise InvalidDataError(f"duplicate column names {dupes}; give every column a unique name")
    if isinstance(discrete_columns, str):
        discrete_columns = [discrete_columns]
    forced = [str(c) for c in (discrete_columns or [])]
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
        if name in forced:  # named categorical: every value is learned
            spec.options.pop("id_like", None)
        specs.append(spec)
    return Schema(specs)
