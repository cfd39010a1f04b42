"""TableEncoder: a whole table <-> a float matrix described by spans."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from tabgan.encoding.discrete import CategoricalCodec, from_json_value, to_json_value
from tabgan.encoding.numeric import NumericCodec
from tabgan.encoding.schema import ColumnKind, ColumnSpec, Schema, infer_schema
from tabgan.encoding.spans import Activation, Span, SpanRole
from tabgan.errors import ConditionError, InvalidDataError

NUMERIC_KINDS = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)
DISCRETE_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
ENCODER_VERSION = 1


def _to_seconds(series: pd.Series, spec: ColumnSpec) -> np.ndarray:
    """Datetime values (dtype or strings in ``spec.options['format']``) as float seconds."""
    if spec.options.get("format"):
        parsed = pd.to_datetime(series, format=spec.options["format"], errors="coerce")
    else:
        parsed = pd.to_datetime(series, errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = parsed.to_numpy(dtype="datetime64[ns]")
    out = ns.astype(np.int64).astype(np.float64) / 1e9
    out[np.isnat(ns)] = np.nan
    return out


def _resolution(seconds: np.ndarray) -> float:
    """The coarsest unit (a day down to a nanosecond) in which every value is whole."""
    finite = seconds[np.isfinite(seconds)]
    for step in (86_400.0, 3_600.0, 60.0, 1.0, 1e-3, 1e-6):
        if np.allclose(finite / step, np.round(finite / step), rtol=0, atol=1e-6):
            return step
    return 1e-9


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


def _restore(values: Any, spec: ColumnSpec, n: int) -> pd.Series:
    """Cast decoded values back to the training dtype."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    dtype = spec.dtype
    if dtype == "category":
        cats = [from_json_value(c) for c in spec.options.get("categories", [])]
        return pd.Series(
            pd.Categorical(series, categories=cats, ordered=spec.options.get("ordered", False))
        )
    try:
        if dtype == "bool" and series.isna().any():
            return series
        return series.astype(dtype)
    except (TypeError, ValueError):
        return series


class TableEncoder:
    """Reversible encoding of a mixed-type table into a float matrix.

    Parameters
    ----------
    max_modes : int
        Most mixture modes per numeric column.
    max_categories : int
        Most encoded categories per discrete column (see :mod:`tabgan.encoding.discrete`).
    fit_rows : int
        Numeric mixtures are fitted on at most this many randomly chosen values.
    seed : int or None
        Seed of the subsampling and the mixtures.
    """

    def __init__(
        self,
        max_modes: int = 10,
        max_categories: int = 500,
        fit_rows: int = 5_000,
        seed: int | None = None,
    ) -> None:
        self.max_modes = max_modes
        self.max_categories = max_categories
        self.fit_rows = fit_rows
        self.seed = seed

    # -------------------------------------------------------------- fitting
    def fit(
        self,
        df: pd.DataFrame,
        schema: Schema | None = None,
        discrete_columns: Sequence[str] | None = None,
    ) -> TableEncoder:
        """Infer (or take) the schema and learn every column's codec."""
        if not isinstance(df, pd.DataFrame):
            raise InvalidDataError(f"expected a pandas DataFrame, got {type(df).__name__}")
        schema = schema if schema is not None else infer_schema(df, discrete_columns)
        self._check_columns(df, schema)
        seeds = np.random.SeedSequence(self.seed).spawn(len(schema))
        codecs: list[Any] = [None] * len(schema)
        numeric_jobs = []
        for i, spec in enumerate(schema):
            series = df[spec.name]
            if spec.kind in NUMERIC_KINDS:
                values = self._numeric_values(series, spec)
                if spec.kind is ColumnKind.DATETIME:
                    spec.options["step"] = _resolution(values)
                numeric_jobs.append((i, values, seeds[i]))
            elif spec.kind in DISCRETE_KINDS:
                codecs[i] = CategoricalCodec.fit(series, self.max_categories)
            elif spec.kind is ColumnKind.CONSTANT:
                present = series.dropna()
                spec.options["value"] = to_json_value(present.iloc[0] if len(present) else None)

        def fit_one(job):
            i, values, seed = job
            return i, NumericCodec.fit(values, self.max_modes, self.fit_rows, seed)

        # mixtures are numpy-heavy and release the GIL in BLAS: threads overlap them
        with warnings.catch_warnings(), ThreadPoolExecutor(max_workers=2) as pool:
            warnings.simplefilter("ignore", ConvergenceWarning)  # a few EM steps suffice here
            for i, codec in pool.map(fit_one, numeric_jobs):
                codecs[i] = codec
        self.schema_ = schema
        self.codecs_ = codecs
        self._build_spans()
        return self

    @staticmethod
    def _check_columns(df: pd.DataFrame, schema: Schema) -> None:
        missing = [n for n in schema.names if n not in df.columns]
        if missing:
            raise InvalidDataError(f"the table lacks column(s) {missing}")

    @staticmethod
    def _numeric_values(series: pd.Series, spec: ColumnSpec) -> np.ndarray:
        if spec.kind is ColumnKind.DATETIME:
            return _to_seconds(series, spec)
        try:
            return pd.to_numeric(series, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise InvalidDataError(
                f"column {spec.name!r} is {spec.kind.value} but holds non-numeric values"
            ) from exc

    def _build_spans(self) -> None:
        spans: list[Span] = []
        offset = 0
        for spec, codec in zip(self.schema_, self.codecs_, strict=True):
            if isinstance(codec, NumericCodec):
                spans.append(Span(offset, 1, Activation.TANH, SpanRole.VALUE, spec.name))
                spans.append(
                    Span(offset + 1, codec.n_modes, Activation.SOFTMAX, SpanRole.MODE, spec.name)
                )
                offset += 1 + codec.n_modes
                if codec.states:
                    spans.append(
                        Span(
                            offset,
                            len(codec.states),
                            Activation.SOFTMAX,
                            SpanRole.MISSING,
                            spec.name,
                        )
                    )
                    offset += len(codec.states)
            elif isinstance(codec, CategoricalCodec):
                spans.append(
                    Span(
                        offset,
                        codec.width,
                        Activation.SOFTMAX,
                        SpanRole.CATEGORY,
                        spec.name,
                        conditional=True,
                    )
                )
                offset += codec.width
        self._spans = tuple(spans)
        self._output_dim = offset

    def _check_fitted(self) -> None:
        if not hasattr(self, "codecs_"):
            from tabgan.errors import NotFittedError

            raise NotFittedError("this TableEncoder is not fitted yet; call fit(df) first")

    @property
    def spans(self) -> tuple[Span, ...]:
        self._check_fitted()
        return self._spans

    @property
    def output_dim(self) -> int:
        self._check_fitted()
        return self._output_dim

    @property
    def column_names(self) -> list[str]:
        self._check_fitted()
        return self.schema_.names

    # -------------------------------------------------------------- transform
    def transform(self, df: pd.DataFrame, rng: np.random.Generator | None = None) -> np.ndarray:
        """Encode ``df`` into a float32 matrix ``(len(df), output_dim)``."""
        self._check_fitted()
        if not isinstance(df, pd.DataFrame):
            raise InvalidDataError(f"expected a pandas DataFrame, got {type(df).__name__}")
        self._check_columns(df, self.schema_)
        parts = [np.zeros((len(df), 0), dtype=np.float32)]
        for spec, codec in zip(self.schema_, self.codecs_, strict=True):
            if isinstance(codec, NumericCodec):
                parts.append(codec.transform(self._numeric_values(df[spec.name], spec), rng))
            elif isinstance(codec, CategoricalCodec):
                parts.append(codec.transform(df[spec.name], spec.name))
        return np.concatenate(parts, axis=1)

    def inverse_transform(
        self, matrix: np.ndarray, rng: np.random.Generator | None = None
    ) -> pd.DataFrame:
        """Decode a (possibly soft) encoded matrix into a table shaped like the training one."""
        self._check_fitted()
        matrix = np.asarray(matrix)
        if matrix.ndim != 2 or matrix.shape[1] != self._output_dim:
            raise InvalidDataError(
                f"expected a matrix with {self._output_dim} columns, got shape {matrix.shape}"
            )
        rng = rng if rng is not None else np.random.default_rng()
        n = matrix.shape[0]
        columns: dict[str, pd.Series] = {}
        offset = 0
        for spec, codec in zip(self.schema_, self.codecs_, strict=True):
            if isinstance(codec, NumericCodec):
                block = matrix[:, offset : offset + codec.width]
                offset += codec.width
                values = codec.inverse(block)
                if spec.kind is ColumnKind.DATETIME:
                    columns[spec.name] = _restore(_from_seconds(values, spec), spec, n)
                    continue
                if spec.kind is ColumnKind.INTEGER:
                    values = np.round(values)
                columns[spec.name] = _restore(pd.Series(values), spec, n)
            elif isinstance(codec, CategoricalCodec):
                block = matrix[:, offset : offset + codec.width]
                offset += codec.width
                columns[spec.name] = _restore(codec.inverse(block, rng), spec, n)
            elif spec.kind is ColumnKind.CONSTANT:
                value = from_json_value(spec.options.get("value"))
                values = np.empty(n, dtype=object)
                values[:] = [value] * n
                columns[spec.name] = _restore(values, spec, n)
            else:  # EMPTY
                columns[spec.name] = _restore(np.full(n, None, dtype=object), spec, n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.DataFrame({k: v.reset_index(drop=True) for k, v in columns.items()})

    # -------------------------------------------------------------- conditions
    def _codec(self, column: str) -> CategoricalCodec:
        self._check_fitted()
        names = self.schema_.names
        if column not in names:
            raise ConditionError(f"unknown column {column!r}; columns are: {names}")
        codec = self.codecs_[names.index(column)]
        if not isinstance(codec, CategoricalCodec):
            raise ConditionError(f"column {column!r} is not discrete")
        return codec

    def categories(self, column: str) -> list:
        """Decoded category values of a discrete column, in span order."""
        return list(self._codec(column).categories)

    def category_index(self, column: str, value: Any) -> int:
        """Index of ``value`` within ``column``'s CATEGORY span."""
        return self._codec(column).index_of(value, column)

    # -------------------------------------------------------------- persistence
    def to_dict(self) -> dict:
        """Plain JSON-able state (no pickles)."""
        self._check_fitted()
        return {
            "version": ENCODER_VERSION,
            "params": {
                "max_modes": self.max_modes,
                "max_categories": self.max_categories,
                "fit_rows": self.fit_rows,
                "seed": self.seed,
            },
            "schema": self.schema_.to_dict(),
            "codecs": [
                None
                if c is None
                else {
                    "type": "numeric" if isinstance(c, NumericCodec) else "categorical",
                    **c.to_dict(),
                }
                for c in self.codecs_
            ],
        }

    @classmethod
    def from_dict(cls, d: dict) -> TableEncoder:
        """Rebuild an encoder from :meth:`to_dict` output."""
        enc = cls(**d["params"])
        enc.schema_ = Schema.from_dict(d["schema"])
        codecs: list[Any] = []
        for c in d["codecs"]:
            if c is None:
                codecs.append(None)
            elif c["type"] == "numeric":
                codecs.append(NumericCodec.from_dict(c))
            else:
                codecs.append(CategoricalCodec.from_dict(c))
        enc.codecs_ = codecs
        enc._build_spans()
        return enc
