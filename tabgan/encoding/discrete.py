"""One-hot encoding of categorical and boolean columns.

Categories are ordered by descending training frequency; a missing value (None/NaN) is a category
of its own. High-cardinality policy: a column with more than ``max_categories`` distinct values
keeps its ``max_categories - 1`` most frequent ones, and the rest share one "other" bucket; decoding
that bucket draws one of up to ``RARE_KEEP`` stored rare values, by frequency. So an ID-like
column costs at most ``max_categories`` encoded columns, however many rows the table has (its
rarest values are not reproduced, and the stored ones are in the model file: drop real IDs
before sharing a model).

ID-like columns (:func:`tabgan.encoding.schema.id_like`: names, ticket or order numbers, free
text) pool more: their values seen in a single row join the "other" bucket too, whatever
``max_categories``. A value seen once cannot be learned, only memorised with its row, and each
cost the generator and the critic an input: 638 rows of Canadian senators (names, terms of office,
end dates as text) encoded 1,565 columns with every value learned and 96 with these pooled
(benchmarks/results/id-columns-*). A pooled value comes back as one of the stored values, drawn
at random; values seen twice or more are learned as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tabgan.errors import ConditionError, InvalidDataError

RARE_KEEP = 1_000
_MISSING = {"__tabgan_missing__": True}


def to_json_value(value: Any) -> Any:
    """A category value as plain JSON (missing values become a marker dict)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return dict(_MISSING)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return {"__tabgan_float__": repr(value)}
    if isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def from_json_value(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get("__tabgan_missing__"):
            return None
        if "__tabgan_float__" in value:
            return float(value["__tabgan_float__"])
    return value


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


@dataclass
class CategoricalCodec:
    """Learned categories of one discrete column."""

    categories: list[Any]  # python values, None = missing, by descending frequency
    counts: list[int]
    rare_values: list[Any] = field(default_factory=list)  # behind the "other" bucket
    rare_counts: list[int] = field(default_factory=list)

    @property
    def has_other(self) -> bool:
        return bool(self.rare_values)

    @property
    def width(self) -> int:
        return len(self.categories) + int(self.has_other)

    @classmethod
    def fit(
        cls, series: pd.Series, max_categories: int, pool_singles: bool = False
    ) -> CategoricalCodec:
        """Count the categories of ``series`` (missing values are one category);
        ``pool_singles``: an ID-like column, whose values seen once share the "other" bucket."""
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        raw_counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        # merge values that are equal once made plain (e.g. 1 and 1.0 in an object column)
        merged: dict[Any, list] = {}
        for value, count in zip(uniques, raw_counts, strict=True):
            plain = _plain(value)
            merged.setdefault(_key(plain), [plain, 0])[1] += int(count)
        n_missing = int((codes < 0).sum())
        if n_missing:
            merged.setdefault(_key(None), [None, 0])[1] += n_missing
        values = [v for v, _ in merged.values()]
        counts = np.array([c for _, c in merged.values()], dtype=np.int64)
        order = np.argsort(-counts, kind="stable")
        values = [values[i] for i in order]
        counts = counts[order]
        # values seen once, at the end by descending count (missing values are never pooled)
        single = (counts == 1) & np.array([v is not None for v in values], dtype=bool)
        pooled = pool_singles and bool(single.any())
        if pooled:  # the singles go to "other", the rest are learned
            order = np.r_[np.flatnonzero(~single), np.flatnonzero(single)]
            values, counts = [values[i] for i in order], counts[order]
        elif len(values) <= max_categories:
            return cls(values, [int(c) for c in counts])
        keep = max(max_categories - 1, 0)
        if pooled:
            keep = min(keep, int((~single).sum()))
        missing_at = next((i for i, v in enumerate(values) if v is None), None)
        if missing_at is not None and keep and missing_at >= keep:
            # missing values are a state of their own, learned at their rate: never lumped
            # into "other", whose decoding would otherwise turn rare values into missing ones
            order = [*range(keep - 1), missing_at]
            order += [i for i in range(keep - 1, len(values)) if i != missing_at]
            values = [values[i] for i in order]
            counts = counts[order]
        rare = list(range(keep, min(len(values), keep + RARE_KEEP)))
        return cls(
            values[:keep],
            [int(c) for c in counts[:keep]],
            [values[i] for i in rare],
            [int(counts[i]) for i in rare],
        )

    def indices(self, series: pd.Series, column: str) -> np.ndarray:
        """Category index of every value (the "other" bucket for unseen ones, if any).

        Values are matched in their plain (JSON) form, one lookup per distinct value.
        """
        lookup = {_key(c): i for i, c in enumerate(self.categories)}
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        table = np.array([lookup.get(_key(_plain(v)), -1) for v in uniques], dtype=np.int64)
        out = np.full(len(codes), lookup.get(_key(None), -1), dtype=np.int64)
        present = codes >= 0
        out[present] = table[codes[present]]
        unknown = out < 0
        if unknown.any():
            if not self.has_other:
                value = series.iloc[int(np.flatnonzero(unknown)[0])]
                raise InvalidDataError(
                    f"column {column!r} has value {value!r} that was not seen in training"
                )
            out[unknown] = len(self.categories)
        return out

    def transform(self, series: pd.Series, column: str) -> np.ndarray:
        idx = self.indices(series, column)
        out = np.zeros((len(idx), self.width), dtype=np.float32)
        out[np.arange(len(idx)), idx] = 1.0
        return out

    def inverse(self, block: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(n, width) -> (n,)`` object array of category values."""
        return self.decode(np.argmax(block, axis=1), rng)

    def decode(self, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Category indices -> ``(n,)`` object array of values (the "other" bucket draws a
        rare value by its training frequency)."""
        table = np.empty(len(self.categories), dtype=object)
        table[:] = self.categories
        out = (
            table[np.minimum(idx, len(self.categories) - 1)]
            if self.categories
            else (np.empty(len(idx), dtype=object))
        )
        if self.has_other:
            other = idx == len(self.categories)
            if other.any():
                p = np.asarray(self.rare_counts, dtype=np.float64)
                rare = np.empty(len(self.rare_values), dtype=object)
                rare[:] = self.rare_values
                out[other] = rare[rng.choice(len(rare), size=int(other.sum()), p=p / p.sum())]
        return out

    def index_of(self, value: Any, column: str) -> int:
        for i, cat in enumerate(self.categories):
            if _is_missing(cat) or _is_missing(value):
                if _is_missing(cat) and _is_missing(value):
                    return i
            elif cat == value:
                return i
        shown = ", ".join(repr(c) for c in self.categories[:8])
        if any(_key(_plain(value)) == _key(v) for v in self.rare_values):
            raise ConditionError(
                f"value {value!r} of column {column!r} is one of its rare values, which the "
                "model does not learn one by one (they share one bucket, drawn by frequency), "
                f"so it cannot be conditioned on; learned values include {shown or 'none'}"
            )
        raise ConditionError(
            f"value {value!r} of column {column!r} was never seen in training; "
            f"known values include {shown}"
        )

    def to_dict(self) -> dict:
        return {
            "categories": [to_json_value(v) for v in self.categories],
            "counts": self.counts,
            "rare_values": [to_json_value(v) for v in self.rare_values],
            "rare_counts": self.rare_counts,
        }

    @classmethod
    def from_dict(cls, d: dict) -> CategoricalCodec:
        """Rebuild from :meth:`to_dict`; ``ValueError`` if the state is inconsistent."""
        try:
            codec = cls(
                [from_json_value(v) for v in d["categories"]],
                [int(c) for c in d["counts"]],
                [from_json_value(v) for v in d["rare_values"]],
                [int(c) for c in d["rare_counts"]],
            )
        except OverflowError as exc:  # int()/float() of JSON 1e400
            raise ValueError(f"categorical codec: {exc}") from exc
        if len(codec.counts) != len(codec.categories) or len(codec.rare_counts) != len(
            codec.rare_values
        ):
            raise ValueError("categorical codec: values and counts differ in length")
        if min(codec.counts + codec.rare_counts, default=0) < 0 or (
            codec.rare_counts and sum(codec.rare_counts) <= 0
        ):
            raise ValueError("categorical codec: counts must be non-negative")
        return codec


def value_key(value: Any) -> tuple:
    """Hashable identity of a category value as the codecs match it: 1 and 1.0 match, True and
    1 do not, every missing value is one."""
    return _key(_plain(value))


def _plain(value: Any) -> Any:
    """numpy scalars to python; values JSON cannot hold exactly become their JSON form."""
    return from_json_value(to_json_value(value))


def _key(plain: Any) -> tuple:
    """Hashable identity of a plain value: 1 and 1.0 match, True and 1 do not."""
    if plain is None:
        return ("missing",)
    if isinstance(plain, bool):
        return ("bool", plain)
    if isinstance(plain, (int, float)):
        return ("number", plain)
    return ("text", str(plain))
