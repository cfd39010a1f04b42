"""Balancing: rows that even out the classes of a discrete column."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tabgan.encoding.schema import ColumnKind
from tabgan.errors import ConditionError
from tabgan.sampling.context import context_of
from tabgan.sampling.draws import iter_samples, sample_conditional
from tabgan.validation import seed_sequence

_DISCRETE = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


def class_counts(source: Any, column: str) -> dict[Any, int]:
    """Training rows per category of a discrete column (the "other" bucket left out).

    ``source`` is a fitted :class:`~tabgan.TabGAN` or its sampling context."""
    ctx = context_of(source)
    schema = ctx.encoder.schema_
    if column not in schema.names:
        raise ConditionError(f"cannot balance unknown column {column!r}")
    if schema[column].kind not in _DISCRETE:
        raise ConditionError(
            f"cannot balance column {column!r}: it is {schema[column].kind.value}, not discrete"
        )
    counts = ctx.condition_sampler.span_counts(ctx.condition_sampler.span_index(column)).numpy()
    cats = ctx.encoder.categories(column)
    return {cat: int(counts[i]) for i, cat in enumerate(cats)}


def balance_plan(counts: Mapping[Any, int], n: int | None = None) -> dict[Any, int]:
    """Rows to generate per class so the classes become as even as possible.

    Parameters
    ----------
    counts : mapping
        Current rows per class.
    n : int, optional
        Total rows to generate. Without it, exactly what lifts every class to the largest one.
        With it, the ``n`` rows go to the smallest classes first (water filling); beyond the
        largest class they are spread evenly. Leftover single rows go to classes in order.

    Returns
    -------
    dict
        Class -> rows to generate (classes needing none are left out).
    """
    keys = list(counts)
    c = np.asarray([int(counts[k]) for k in keys], dtype=np.int64)
    if c.size == 0:
        return {}
    if n is None:
        need = c.max() - c
        return {k: int(v) for k, v in zip(keys, need, strict=True) if v > 0}
    if n < 0:
        raise ConditionError(f"cannot generate a negative number of rows ({n})")
    order = np.argsort(c, kind="stable")
    sorted_c = c[order]
    prefix = np.concatenate([[0], np.cumsum(sorted_c)])
    level = 0.0
    k = len(c)
    for j in range(1, len(c) + 1):
        level = (n + prefix[j]) / j
        if j == len(c) or level <= sorted_c[j]:
            k = j
            break
    floor = math.floor(level)
    alloc = np.zeros(len(c), dtype=np.int64)
    alloc[order[:k]] = np.maximum(floor - sorted_c[:k], 0)
    extra = n - int(alloc.sum())
    for i in order[:k]:  # at most k - 1 single rows left; give them in class order
        if extra <= 0:
            break
        alloc[i] += 1
        extra -= 1
    return {k_: int(v) for k_, v in zip(keys, alloc, strict=True) if v > 0}


def sample_balanced(
    source: Any,
    column: str,
    n: int | None = None,
    seed: int | np.random.SeedSequence | None = None,
    *,
    conditions: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Synthetic rows that even out the classes of ``column`` (see :func:`balance_plan`).

    ``conditions`` on other columns apply to every generated row. The rows come back shuffled;
    an already balanced column with no ``n`` gives an empty table with the right columns.
    """
    ctx = context_of(source)
    plan = balance_plan(class_counts(ctx, column), n)
    ss = seed_sequence(seed)
    child_ss = ss.spawn(len(plan) + 1)
    parts = []
    for (cls, k), child in zip(plan.items(), child_ss, strict=False):
        conds = dict(conditions or {})
        if column in conds:
            raise ConditionError(f"--balance {column} and a condition on {column!r} conflict")
        conds[column] = ("==", cls)
        parts.append(sample_conditional(ctx, k, conds, seed=child))
    if not parts:
        return next(iter_samples(ctx, 1, seed=0)).iloc[:0]
    out = pd.concat(parts, ignore_index=True)
    perm = np.random.default_rng(child_ss[-1]).permutation(len(out))
    return out.iloc[perm].reset_index(drop=True)


__all__ = ["balance_plan", "class_counts", "sample_balanced"]
