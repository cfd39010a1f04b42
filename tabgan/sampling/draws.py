"""Draws a user asks for: plain rows (streamed) and rows that satisfy conditions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from tabgan.sampling.conditions import check_consistency, resolve, steering, warn_if_thin
from tabgan.sampling.context import context_of
from tabgan.sampling.engine import SAMPLE_CHUNK, RowFilter, default_budget, draw_rows
from tabgan.validation import positive_int, seed_sequence


def iter_samples(
    source: Any,
    n: int,
    seed: int | np.random.SeedSequence | None = None,
    chunk: int = SAMPLE_CHUNK,
) -> Iterator[pd.DataFrame]:
    """``n`` synthetic rows as DataFrames of at most ``chunk`` rows (bounded memory).

    ``source`` is a fitted :class:`~tabgan.TabGAN` or a
    :class:`~tabgan.sampling.SamplingContext`. Arguments are checked now, not on the first
    ``next()``.
    """
    ctx = context_of(source)
    n = positive_int("n", n)
    chunk = positive_int("chunk", chunk)
    return draw_rows(ctx, n, seed_sequence(seed), chunk=chunk)


def sample_conditional(
    source: Any,
    n: int,
    conditions: Mapping[str, Any],
    seed: int | np.random.SeedSequence | None = None,
    *,
    budget: int | None = None,
) -> pd.DataFrame:
    """Exactly ``n`` synthetic rows that satisfy every condition.

    Parameters
    ----------
    source : TabGAN or SamplingContext
        A fitted model (or its sampling context).
    n : int
        Rows wanted.
    conditions : mapping
        ``{column: value | (op, value) | [(op, value), ...]}`` (see
        :mod:`tabgan.sampling.conditions`).
    seed : int or SeedSequence, optional
        Makes the draw reproducible on the CPU, whatever the number of torch threads.
    budget : int, optional
        Most rows to generate in the search; default ``max(100 n, 100_000)``.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows, same columns and dtypes as the training table.

    Raises
    ------
    ConditionError
        A condition is impossible, or the budget ran out before ``n`` rows matched; the
        message names the condition that rejected most rows and the acceptance rate.
    """
    ctx = context_of(source)
    n = positive_int("n", n)
    columns = resolve(ctx, conditions)
    check_consistency(ctx, columns)
    warn_if_thin(ctx, columns, n)
    budget = default_budget(n) if budget is None else positive_int("budget", budget)
    rows = RowFilter(columns=columns, steer=steering(ctx, columns))
    parts = list(draw_rows(ctx, n, seed_sequence(seed), rows, budget=budget))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


__all__ = ["iter_samples", "sample_conditional"]
