"""TableEncoder: a whole table <-> a float matrix described by spans.

Column order is kept; each column contributes, in order:

* CONTINUOUS / INTEGER / DATETIME (and durations): a TANH VALUE span of width 1, a SOFTMAX MODE
  span (one per active mixture mode, :mod:`tabgan.encoding.numeric`), then a SOFTMAX MISSING span
  over ``["finite", "nan", "+inf", "-inf"]`` (only the states seen in training) if the training
  column had any non-finite value;
* CATEGORICAL / BOOLEAN: one SOFTMAX CATEGORY span, ``conditional=True``
  (:mod:`tabgan.encoding.discrete`, which also documents the high-cardinality policy);
* CONSTANT / EMPTY: nothing (decoded to the constant, or to all-missing).

Decoding also enforces the rules found at fit (:mod:`tabgan.encoding.rules`), so that every
sampling path returns rows that keep them.
"""

from __future__ import annotations

import copy
import itertools
import os
import warnings
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from tabgan import errors
from tabgan.encoding import numtext
from tabgan.encoding.convert import from_numeric, numeric_values, resolution, restore
from tabgan.encoding.discrete import CategoricalCodec, from_json_value, to_json_value, value_key
from tabgan.encoding.numeric import NumericCodec
from tabgan.encoding.pairs import PairCounts
from tabgan.encoding.rules import Rule, RuleSet, find_rules, hash_uniforms
from tabgan.encoding.schema import ColumnKind, ColumnSpec, Schema, infer_schema
from tabgan.encoding.spans import Activation, Draw, Span, SpanRole
from tabgan.errors import ConditionError, InvalidDataError, InvalidParameterError

NUMERIC_KINDS = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)
DISCRETE_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
ENCODER_VERSION = 1


def _as_frame(df: Any) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if not all(isinstance(c, str) for c in df.columns):
        df = df.rename(columns=str)  # the schema names columns by their text
    return df


class TableEncoder:
    """Reversible encoding of a mixed-type table into a float matrix described by spans.

    Parameters
    ----------
    max_modes : int
        Most mixture modes per numeric column.
    max_categories : int
        Most encoded categories per discrete column (see :mod:`tabgan.encoding.discrete`).
    fit_rows : int
        Each numeric mixture is fitted on at most this many randomly chosen values. The default
        keeps fitting Adult-sized tables under a second on two cores; sklearn's variational
        mixture costs ~1 s per column at 20,000 values there, for no visible gain in the modes.
    seed : int or None
        Seed of the subsampling and the mixtures (``None``: fresh entropy).
    detect_rules : bool
        Find exact dependencies between columns at fit (``education -> education-num``,
        ``relationship=Husband -> sex=Male``) and enforce them when decoding, so that no
        decoded row breaks one (:mod:`tabgan.encoding.rules`).

    Attributes
    ----------
    schema_ : Schema
        The fitted schema (a copy of the one given to :meth:`fit`, if any).
    spans : tuple of Span
        The layout of the encoded matrix.
    output_dim : int
        Width of the encoded matrix.
    rules_ : RuleSet
        The rules found at fit (empty without ``detect_rules``, and for states saved before
        rules); ``rules_.describe()`` lists them.
    pairs_ : PairCounts
        How often each pair of categories of two discrete columns occurs in training (sampling
        warns about conditions that combine rare or unseen pairs; empty for a private fit and
        for states saved before them).

    Examples
    --------
    >>> enc = TableEncoder(seed=0).fit(df)  # doctest: +SKIP
    >>> matrix = enc.transform(df, rng=np.random.default_rng(0))  # doctest: +SKIP
    >>> again = enc.inverse_transform(matrix)  # doctest: +SKIP
    """

    def __init__(
        self,
        max_modes: int = 10,
        max_categories: int = 500,
        fit_rows: int = 5_000,
        seed: int | None = None,
        detect_rules: bool = True,
    ) -> None:
        self.max_modes = max_modes
        self.max_categories = max_categories
        self.fit_rows = fit_rows
        self.seed = seed
        self.detect_rules = detect_rules

    # -------------------------------------------------------------- fitting
    def fit(
        self,
        df: pd.DataFrame,
        schema: Schema | None = None,
        discrete_columns: Sequence[str] | None = None,
        privacy: Any = None,
    ) -> TableEncoder:
        """Infer (or take) the schema and learn every column's codec.

        Parameters
        ----------
        df : pandas.DataFrame
            The training table.
        schema : Schema, optional
            A schema to use instead of inferring one (it is copied, not modified).
        discrete_columns : sequence of str, optional
            Columns forced to be categorical when the schema is inferred.
        privacy : optional
            A hook that fits columns instead (from :mod:`tabgan.privacy.preprocess`: noisy
            statistics, or rare categories left out): ``begin(schema, n_rows, seed)`` once,
            then ``categorical(series, spec, max_categories, seed)`` and ``numeric(values,
            spec, max_modes, seed)`` return a codec, or ``None`` to fit the column as usual;
            its ``exact_rules`` says whether the table's rules may be found (not under
            differential privacy: a rule is an exact statistic of the rows).

        Returns
        -------
        TableEncoder
            ``self``.

        Raises
        ------
        InvalidDataError
            ``df`` is not a DataFrame, lacks a schema column, or a column's values do not fit
            its kind.
        """
        df = _as_frame(df)
        self._check_params()
        if schema is None:
            schema = infer_schema(df, discrete_columns)
        elif not isinstance(schema, Schema):
            raise InvalidDataError(f"schema must be a Schema, got {type(schema).__name__}")
        schema = copy.deepcopy(schema)
        self._check_columns(df, schema)
        seeds = np.random.SeedSequence(self.seed).spawn(len(schema))
        if privacy is not None:  # one seed more, for the hook's own release
            privacy.begin(
                schema, len(df), np.random.SeedSequence(self.seed).spawn(len(seeds) + 1)[-1]
            )
        codecs: list[Any] = [None] * len(schema)
        numeric_jobs = []
        for i, spec in enumerate(schema):
            series = df[spec.name]
            if spec.kind in NUMERIC_KINDS:
                values = numeric_values(series, spec)
                if spec.kind is ColumnKind.DATETIME:
                    spec.options["step"] = resolution(values)
                numeric_jobs.append((i, values, seeds[i]))
            elif spec.kind in DISCRETE_KINDS:
                if privacy is not None:
                    codecs[i] = privacy.categorical(
                        series, spec, int(self.max_categories), seeds[i]
                    )
                if codecs[i] is None:
                    codecs[i] = CategoricalCodec.fit(
                        series, int(self.max_categories), bool(spec.options.get("id_like"))
                    )
            elif spec.kind is ColumnKind.CONSTANT:
                present = series.dropna()
                spec.options["value"] = to_json_value(present.iloc[0] if len(present) else None)

        def fit_one(job: tuple) -> tuple[int, NumericCodec]:
            i, values, seed = job
            codec = None
            if privacy is not None:
                spec = schema[schema.names[i]]
                codec = privacy.numeric(values, spec, int(self.max_modes), seed)
            if codec is None:
                codec = NumericCodec.fit(values, int(self.max_modes), int(self.fit_rows), seed)
            return i, codec

        # sklearn's mixture is partly GIL-bound: threads gain ~20% on 2 cores, and processes
        # cost more to start than a whole fit of a table this size
        from sklearn.exceptions import ConvergenceWarning  # here: reading a model needs none

        workers = max(1, min(len(numeric_jobs), os.cpu_count() or 1, 4))
        with warnings.catch_warnings(), ThreadPoolExecutor(max_workers=workers) as pool:
            warnings.simplefilter("ignore", ConvergenceWarning)  # a few EM steps suffice here
            for i, codec in pool.map(fit_one, numeric_jobs):
                codecs[i] = codec
        self.schema_ = schema
        self.codecs_ = codecs
        self._build_spans()
        rules = self.detect_rules and (privacy is None or privacy.exact_rules)
        self.rules_ = self._find_rules(df, numeric_jobs) if rules else RuleSet()
        # exact joint counts would leak what a private fit's protection hides: none then
        self.pairs_ = PairCounts() if privacy is not None else self._count_pairs(df)
        return self

    def _count_pairs(self, df: pd.DataFrame) -> PairCounts:
        """Co-occurrence counts of every pair of discrete columns (:mod:`.pairs`)."""
        codes = {
            spec.name: codec.indices(df[spec.name], spec.name)
            for spec, codec in zip(self.schema_, self.codecs_, strict=True)
            if isinstance(codec, CategoricalCodec)
        }
        return PairCounts.fit(codes)

    def _find_rules(self, df: pd.DataFrame, numeric_jobs: list) -> RuleSet:
        """The rules of the training table, in the encoder's index space (a premise or
        conclusion in an "other" bucket is dropped: it has no index of its own)."""
        discrete = {
            spec.name: df[spec.name]
            for spec, codec in zip(self.schema_, self.codecs_, strict=True)
            if isinstance(codec, CategoricalCodec)
        }
        numeric = {self.schema_.columns[i].name: values for i, values, _ in numeric_jobs}
        found = find_rules(discrete, numeric)
        rules = []
        for rule in found:
            det = self._codec(rule.determinant)
            index = {value_key(c): i for i, c in enumerate(det.categories)}
            dep = None if rule.numeric else self._codec(rule.dependent)
            dep_index = (
                {} if dep is None else {value_key(c): i for i, c in enumerate(dep.categories)}
            )
            keep = []
            for k, (p, c) in enumerate(zip(rule.premises, rule.conclusions, strict=True)):
                pi = index.get(value_key(p))
                ci = None if rule.numeric else dep_index.get(value_key(c))
                if pi is not None and (rule.numeric or ci is not None):
                    keep.append((k, pi, ci))
            if not keep:
                continue
            rules.append(
                Rule(
                    rule.determinant,
                    rule.dependent,
                    tuple(rule.premises[k] for k, _, _ in keep),
                    tuple(rule.conclusions[k] for k, _, _ in keep),
                    tuple(rule.rows[k] for k, _, _ in keep),
                    complete=len(keep) == len(det.categories) and not det.has_other,
                    numeric=rule.numeric,
                    premise_index=tuple(pi for _, pi, _ in keep),
                    conclusion_index=() if rule.numeric else tuple(ci for _, _, ci in keep),
                    exceptions=tuple(rule.exceptions[k] for k, _, _ in keep),
                    values=rule.values,
                )
            )
        if not rules:
            return RuleSet()
        ruleset = RuleSet(rules)
        arrays = {}
        for name in ruleset.columns:
            codec = self.codecs_[self.schema_.names.index(name)]
            if isinstance(codec, CategoricalCodec):
                arrays[name] = codec.indices(df[name], name)
            else:
                arrays[name] = numeric[name]
        # the fallback row: the most common training combination of the rule columns among
        # the rows that keep every rule (not an exception's)
        keep = ruleset.keeps(arrays, self._category_widths())
        if not keep.any():  # cannot happen for rules found on these rows; stay safe
            return RuleSet()
        combos = pd.DataFrame(arrays)[keep].value_counts(dropna=False)
        top = combos.index[0] if isinstance(combos.index[0], tuple) else (combos.index[0],)
        prototype = {}
        for name, value in zip(combos.index.names, top, strict=True):
            prototype[str(name)] = (
                float(value) if np.asarray(arrays[name]).dtype.kind == "f" else int(value)
            )
        return RuleSet(rules, prototype)

    def _category_widths(self) -> dict[str, int]:
        return {
            spec.name: codec.width
            for spec, codec in zip(self.schema_, self.codecs_, strict=True)
            if isinstance(codec, CategoricalCodec)
        }

    def _enforced(self, draw: Draw, hold: Collection[str] = ()) -> dict[str, np.ndarray]:
        """Each rule column's category indices (discrete) or float values (numeric) after the
        rules are enforced (``hold``: see :meth:`RuleSet.enforce`); empty without rules."""
        rules = getattr(self, "rules_", None)
        if not rules:
            return {}
        arrays = {}
        names = self.schema_.names
        for name in rules.columns:
            i = names.index(name)
            codec, slot = self.codecs_[i], self._slots[i]
            if isinstance(codec, CategoricalCodec):
                arrays[name] = np.array(draw.choices[slot[0]], dtype=np.int64)
            else:
                arrays[name] = np.array(self._number(draw, codec, slot), dtype=np.float64)
        widths = self._category_widths()
        rules.enforce(arrays, widths, lambda rows: _row_uniforms(draw, rows), hold)
        return arrays

    def _check_params(self) -> None:
        for name, low in (("max_modes", 1), ("max_categories", 1), ("fit_rows", 10)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise InvalidParameterError(f"{name} must be an integer >= {low}, got {value!r}")
        if not isinstance(self.detect_rules, (bool, np.bool_)):
            raise InvalidParameterError(
                f"detect_rules must be True or False, got {self.detect_rules!r}"
            )

    @staticmethod
    def _check_columns(df: pd.DataFrame, schema: Schema) -> None:
        missing = [n for n in schema.names if n not in df.columns]
        if missing:
            raise InvalidDataError(
                f"the table lacks column(s) {missing} that the encoder was fitted on"
            )

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
        # each column's positions in a Draw: (value row, mode row, missing row or None) for a
        # numeric codec, (choice row,) for a categorical one
        tanh = soft = 0
        slots: list[tuple] = []
        for codec in self.codecs_:
            if isinstance(codec, NumericCodec):
                slots.append((tanh, soft, soft + 1 if codec.states else None))
                tanh, soft = tanh + 1, soft + (2 if codec.states else 1)
            elif isinstance(codec, CategoricalCodec):
                slots.append((soft,))
                soft += 1
            else:
                slots.append(())
        self._slots = slots
        self._draw_shape = (tanh, soft)
        self._typed_cache: dict[str, pd.Series | None] = {}

    def _check_fitted(self) -> None:
        if not hasattr(self, "codecs_"):
            # errors.NotFittedError loads scikit-learn: only here, when it is raised
            raise errors.NotFittedError("this TableEncoder is not fitted yet; call fit(df) first")

    @property
    def spans(self) -> tuple[Span, ...]:
        """The layout of the encoded matrix: contiguous spans tiling ``[0, output_dim)``."""
        self._check_fitted()
        return self._spans

    @property
    def output_dim(self) -> int:
        """Width of the encoded matrix."""
        self._check_fitted()
        return self._output_dim

    @property
    def column_names(self) -> list[str]:
        """The training columns, in order."""
        self._check_fitted()
        return self.schema_.names

    # -------------------------------------------------------------- transform
    def transform(self, df: pd.DataFrame, rng: np.random.Generator | None = None) -> np.ndarray:
        """Encode a table.

        Parameters
        ----------
        df : pandas.DataFrame
            A table with (at least) the training columns; extra columns are ignored.
        rng : numpy.random.Generator, optional
            Draws each numeric value's mode from its posterior; ``None`` takes the most likely
            mode (deterministic).

        Returns
        -------
        numpy.ndarray
            float32 matrix of shape ``(len(df), output_dim)``.

        Raises
        ------
        InvalidDataError
            Not a DataFrame, a column is missing, or a value cannot be encoded (e.g. a category
            never seen in training, in a column without an "other" bucket).
        """
        self._check_fitted()
        df = _as_frame(df)
        self._check_columns(df, self.schema_)
        parts = [np.zeros((len(df), 0), dtype=np.float32)]
        for spec, codec in zip(self.schema_, self.codecs_, strict=True):
            if isinstance(codec, NumericCodec):
                parts.append(codec.transform(numeric_values(df[spec.name], spec), rng))
            elif isinstance(codec, CategoricalCodec):
                parts.append(codec.transform(df[spec.name], spec.name))
        return np.concatenate(parts, axis=1)

    def inverse_transform(
        self, matrix: np.ndarray, rng: np.random.Generator | None = None
    ) -> pd.DataFrame:
        """Decode an encoded (or generated, "soft") matrix into a table like the training one.

        SOFTMAX blocks are read by argmax (probabilities are fine), TANH values are clipped to
        [-1, 1], numbers are reflected back into the training range and rounded to the decimals
        the column is written with, the rules found at fit are enforced, and every column gets
        its training dtype back, in the training order.

        Parameters
        ----------
        matrix : numpy.ndarray
            Shape ``(n, output_dim)``.
        rng : numpy.random.Generator, optional
            Draws the values behind a high-cardinality column's "other" bucket.

        Returns
        -------
        pandas.DataFrame
            ``n`` rows with the training columns and dtypes.
        """
        self._check_fitted()
        try:
            matrix = np.asarray(matrix)
            # float32 (a generator's output) stays float32: argmax reads it exactly, and the
            # numeric codecs widen their own few columns; a whole-matrix float64 copy was a
            # third of decoding time
            if matrix.dtype not in (np.float32, np.float64):
                matrix = matrix.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidDataError(f"the matrix must hold numbers: {exc}") from exc
        if matrix.ndim != 2 or matrix.shape[1] != self._output_dim:
            raise InvalidDataError(
                f"expected a matrix with {self._output_dim} columns, got shape {matrix.shape}"
            )
        # a diverged generator may emit NaN: read it as 0 rather than leak it into the values
        if not np.isfinite(matrix).all():
            matrix = np.nan_to_num(matrix, nan=0.0, posinf=1e30, neginf=-1e30)
        return self.decode(Draw.from_matrix(matrix, self._spans), rng)

    def decode(
        self, draw: Draw, rng: np.random.Generator | None = None, hold: Collection[str] = ()
    ) -> pd.DataFrame:
        """Decode rows in span form (:class:`~tabgan.encoding.spans.Draw`) into a table like
        the training one: what :meth:`inverse_transform` does after its argmax.

        Parameters
        ----------
        draw : Draw
            Each TANH span's value and each SOFTMAX span's chosen index.
        rng : numpy.random.Generator, optional
            Draws the values behind a high-cardinality column's "other" bucket.
        hold : collection of str
            Columns whose drawn values the rules must not change (those a condition asks for):
            a rule mended by redrawing its determinant sets its dependent instead where the
            determinant is held.

        Returns
        -------
        pandas.DataFrame
            One row per drawn row, with the training columns and dtypes.
        """
        self._check_draw(draw)
        rng = rng if rng is not None else np.random.default_rng()
        n = len(draw)
        enforced = self._enforced(draw, hold)
        columns: dict[str, pd.Series] = {}
        for spec, codec, slot in zip(self.schema_, self.codecs_, self._slots, strict=True):
            if isinstance(codec, NumericCodec):
                number = enforced.get(spec.name)
                if number is None:
                    number = self._number(draw, codec, slot)
                values = from_numeric(number, spec)
            elif isinstance(codec, CategoricalCodec):
                idx = enforced.get(spec.name)
                if idx is None:
                    idx = draw.choices[slot[0]]
                typed = self._typed_categories(spec, codec)
                if typed is not None and not (codec.has_other and (idx >= len(typed)).any()):
                    # the array's own take: Series.take also builds an index, only to drop it
                    taken = typed.array.take(np.minimum(idx, len(typed) - 1))
                    columns[spec.name] = pd.Series(taken, dtype=typed.dtype, copy=False)
                    continue
                values = codec.decode(idx, rng)
            elif spec.kind is ColumnKind.CONSTANT:
                values = np.full(n, from_json_value(spec.options.get("value")), dtype=object)
            else:  # EMPTY
                values = np.full(n, None, dtype=object)
            columns[spec.name] = restore(values, spec).reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # copy=False: the columns are fresh, and consolidating them would copy each once more
            return pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)

    @property
    def slots(self) -> list[tuple]:
        """Per column, where its values sit in a :class:`~tabgan.encoding.spans.Draw`: for a
        numeric column ``(value row, mode row, state row or None)``."""
        self._check_fitted()
        return list(self._slots)

    def _typed_categories(self, spec: ColumnSpec, codec: CategoricalCodec) -> pd.Series | None:
        """A column's categories already in its training dtype, so that decoding is a take
        (far cheaper than casting a Python-object column: unrecorded micro-benchmark), or None
        where the cast depends on which values were drawn (it falls back to object) and
        decoding must cast the drawn values."""
        cache = self._typed_cache
        if spec.name not in cache:
            typed = None
            if codec.categories:
                table = np.empty(len(codec.categories), dtype=object)
                table[:] = codec.categories
                typed = restore(table, spec).reset_index(drop=True)
                if str(typed.dtype) != str(spec.dtype):
                    typed = None
            cache[spec.name] = typed
        return cache[spec.name]

    def numbers(self, draw: Draw) -> dict[str, np.ndarray]:
        """Each numeric column's values as :meth:`decode` would give them, read back as the
        float64 numbers :func:`~tabgan.encoding.convert.numeric_values` sees (rounded integers,
        dates in seconds), without building the other columns."""
        self._check_draw(draw)
        enforced = self._enforced(draw)
        out = {}
        for spec, codec, slot in zip(self.schema_, self.codecs_, self._slots, strict=True):
            if isinstance(codec, NumericCodec):
                number = enforced.get(spec.name)
                if number is None:
                    number = self._number(draw, codec, slot)
                decoded = restore(from_numeric(number, spec), spec)
                out[spec.name] = numeric_values(decoded, spec)
        return out

    @staticmethod
    def _number(draw: Draw, codec: NumericCodec, slot: tuple) -> np.ndarray:
        value, mode, missing = slot
        state = None if missing is None else draw.choices[missing]
        return codec.decode(draw.values[value], draw.choices[mode], state)

    def _check_draw(self, draw: Draw) -> None:
        self._check_fitted()
        if not isinstance(draw, Draw) or draw.values.ndim != 2 or draw.choices.ndim != 2:
            raise InvalidDataError("expected a Draw of 2-d values and choices")
        shape = (draw.values.shape[0], draw.choices.shape[0])
        if shape != self._draw_shape or draw.values.shape[1] != draw.choices.shape[1]:
            raise InvalidDataError(
                f"expected a Draw of {self._draw_shape} value and choice rows, got {shape}"
            )

    # -------------------------------------------------------------- conditions
    def codec(self, column: str) -> Any:
        """The fitted codec of ``column`` (its training range, states, categories and rare
        values), for callers that resolve conditions against what the encoder learned.

        Raises
        ------
        ConditionError
            ``column`` is unknown.
        """
        self._check_fitted()
        names = self.schema_.names
        if column not in names:
            raise ConditionError(f"unknown column {column!r}; columns are: {names}")
        return self.codecs_[names.index(column)]

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
        """Decoded category values of a discrete column, in span order.

        ``None`` stands for the missing-value category. A high-cardinality column's CATEGORY
        span has one more slot than this list: the trailing "other" bucket.

        Raises
        ------
        ConditionError
            ``column`` is unknown or not discrete.
        """
        return list(self._codec(column).categories)

    def category_index(self, column: str, value: Any) -> int:
        """Index of ``value`` within ``column``'s CATEGORY span.

        Raises
        ------
        ConditionError
            ``column`` is unknown or not discrete, or ``value`` is not one of its categories.
        """
        return self._codec(column).index_of(value, column)

    # -------------------------------------------------------------- persistence
    def to_dict(self) -> dict:
        """The fitted state as plain JSON-able data (``json.dumps(..., allow_nan=False)`` works).

        Returns
        -------
        dict
            Parameters, schema and per-column codecs; :meth:`from_dict` is its exact inverse.
        """
        self._check_fitted()
        return {
            "version": ENCODER_VERSION,
            "params": {
                "max_modes": int(self.max_modes),
                "max_categories": int(self.max_categories),
                "fit_rows": int(self.fit_rows),
                "seed": None if self.seed is None else int(self.seed),
                "detect_rules": bool(self.detect_rules),
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
            "rules": self.rules_.to_dict(),
            "pairs": self.pairs_.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> TableEncoder:
        """Rebuild a fitted encoder from :meth:`to_dict` output.

        Raises
        ------
        ValueError
            The state is from a newer encoder or inconsistent (a corrupt file must fail here,
            not later while sampling).
        """
        version = d.get("version", ENCODER_VERSION)
        if not isinstance(version, int) or version > ENCODER_VERSION:
            raise ValueError(f"encoder state version {version!r} is newer than this tabgan's")
        enc = cls(**d["params"])
        enc.schema_ = Schema.from_dict(d["schema"])
        if len(d["codecs"]) != len(enc.schema_):
            raise ValueError("encoder state: one codec per schema column expected")
        codecs: list[Any] = []
        for spec, c in zip(enc.schema_, d["codecs"], strict=True):
            if "number_format" in spec.options:
                if spec.kind not in (ColumnKind.INTEGER, ColumnKind.CONTINUOUS):
                    raise ValueError(f"encoder state: {spec.name!r} has a number format")
                numtext.check(spec.options["number_format"])
            expected = (
                "numeric"
                if spec.kind in NUMERIC_KINDS
                else "categorical"
                if spec.kind in DISCRETE_KINDS
                else None
            )
            found = None if c is None else c.get("type")
            if found != expected:
                raise ValueError(
                    f"encoder state: column {spec.name!r} is {spec.kind.value} but has a "
                    f"{found or 'missing'} codec"
                )
            if c is None:
                codecs.append(None)
            elif found == "numeric":
                codecs.append(NumericCodec.from_dict(c))
            else:
                codecs.append(CategoricalCodec.from_dict(c))
        enc.codecs_ = codecs
        enc._build_spans()
        # absent in states saved before rules: no rules
        enc.rules_ = enc._load_rules(d.get("rules", {}))
        # absent in states saved before pair counts: none (no combination warnings)
        enc.pairs_ = PairCounts.from_dict(d.get("pairs", {}), enc._category_widths())
        return enc

    def _load_rules(self, d: dict) -> RuleSet:
        rules = RuleSet.from_dict(d)
        widths = self._category_widths()
        names = self.schema_.names
        for rule in rules:
            for name in (rule.determinant, rule.dependent):
                if name not in names:
                    raise ValueError(f"encoder state: rule on unknown column {name!r}")
            if rule.determinant not in widths or (not rule.numeric) != (rule.dependent in widths):
                raise ValueError(
                    f"encoder state: rule {rule.determinant} -> {rule.dependent} on wrong kinds"
                )
            if not rule.premise_index or max(rule.premise_index) >= widths[rule.determinant]:
                raise ValueError(f"encoder state: rule on {rule.determinant!r} has bad indices")
            if not rule.numeric and (
                not rule.conclusion_index
                or max(rule.conclusion_index) >= widths[rule.dependent]
                or min(rule.conclusion_index) < 0
            ):
                raise ValueError(f"encoder state: rule on {rule.dependent!r} has bad indices")
            if min(rule.premise_index) < 0:
                raise ValueError(f"encoder state: rule on {rule.determinant!r} has bad indices")
        if rules.rules and set(rules.prototype) != set(rules.columns):
            raise ValueError("encoder state: the rules' fallback row lacks columns")
        return rules


def _row_uniforms(draw: Draw, rows: np.ndarray) -> np.ndarray:
    """A number in [0, 1) for each of ``rows``, hashed from everything drawn for the row: the
    same row gives the same number however the rows were batched, so :meth:`TableEncoder.decode`
    and :meth:`TableEncoder.numbers` mend a broken rule alike."""
    values = (v[rows].astype(np.float64).view(np.uint64) for v in draw.values)
    choices = (c[rows].astype(np.uint64) for c in draw.choices)
    return hash_uniforms(itertools.chain(values, choices), rows.size)
