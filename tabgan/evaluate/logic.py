"""The logic judge: does a synthetic table keep the real table's own logic?

Four checks, each next to what a fresh real sample (the holdout) scores where there is one:

* rules: the functional dependencies of the real training table
  (:func:`tabgan.encoding.rules.detect_rules`, same thresholds as the encoder) and the share of
  synthetic rows breaking each;
* unseen pairs: the share of rows holding a pair of discrete values never seen together in the
  training rows (columns with more than ``MAX_PAIR_VALUES`` distinct values, ID-like, are left
  out: nearly every pair of theirs is new);
* decimals: per numeric column, the share of synthetic values written with more decimals than
  the real column ever has (14.843109411134801 for an age);
* range edges: per numeric column, the share of values exactly at the training minimum and
  maximum, synthetic against real (clipping piles mass there).

Only pandas/numpy and the encoding layer's detection: nothing of the synthesizer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from tabgan.encoding.discrete import value_key
from tabgan.encoding.numeric import MAX_DECIMALS, decimals_of
from tabgan.encoding.rules import detect_rules
from tabgan.encoding.schema import ColumnKind, infer_schema
from tabgan.errors import InvalidDataError

MAX_PAIR_VALUES = 100
#: column pairs listed under "worst_pairs"
WORST_PAIRS = 5


def logic_checks(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame | None = None,
    discrete_columns: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Judge how well ``synthetic`` keeps the logic of ``train``.

    Parameters
    ----------
    train : pandas.DataFrame
        The real rows the synthesizer learned from.
    synthetic : pandas.DataFrame
        The rows to judge (same columns; extra ones are ignored).
    holdout : pandas.DataFrame, optional
        Real rows not used for training: the same measures on them are the yardstick.
    discrete_columns : sequence of str, optional
        The discrete columns; inferred as tabgan's encoder would (text, booleans, integers with
        few values) when not given. The other numeric columns are the numeric ones.

    Returns
    -------
    dict
        JSON-able: ``rules``, ``unseen_pairs``, ``decimals``, ``edges`` and a ``summary``.

    Raises
    ------
    InvalidDataError
        A table is not a DataFrame or lacks a column of ``train``.
    """
    for what, table in (("train", train), ("synthetic", synthetic), ("holdout", holdout)):
        if table is not None and not isinstance(table, pd.DataFrame):
            raise InvalidDataError(f"{what} must be a pandas DataFrame, got {type(table).__name__}")
    discrete, numeric = _kinds(train, discrete_columns)
    for what, table in (("synthetic", synthetic), ("holdout", holdout)):
        if table is None:
            continue
        missing = [c for c in [*discrete, *numeric] if c not in table.columns]
        if missing:
            raise InvalidDataError(f"the {what} table lacks column(s) {missing} of the real one")
    rules = _rules(train, synthetic, holdout, discrete, numeric)
    pairs = _unseen_pairs(train, synthetic, holdout, discrete)
    decimals = _decimals(train, synthetic, numeric)
    edges = _edges(train, synthetic, numeric)
    summary = {
        "rules_found": len(rules["rules"]),
        "synthetic_rows_breaking_a_rule": rules["synthetic_broken"],
        "holdout_rows_breaking_a_rule": rules["holdout_broken"],
        "synthetic_rows_with_unseen_pair": pairs["synthetic"],
        "holdout_rows_with_unseen_pair": pairs["holdout"],
        "worst_excess_decimals": max(
            (d["synthetic_share"] for d in decimals.values()), default=0.0
        ),
        "worst_extra_edge_mass": max((e["extra"] for e in edges.values()), default=0.0),
    }
    return {
        "summary": summary,
        "rules": rules,
        "unseen_pairs": pairs,
        "decimals": decimals,
        "edges": edges,
    }


def logic_rows(logic: dict[str, Any]) -> list[dict[str, Any]]:
    """:func:`logic_checks`' result as rows for a report: each check, the synthetic rows'
    figure, the fresh real rows' figure and a reading."""

    def share(x: float | None) -> str:
        return "" if x is None else f"{x:.2%}"

    rows = []
    rules = logic["rules"]
    broken = [r for r in rules["rules"] if r["synthetic_broken"] > 0]
    rows.append(
        {
            "check": f"rows breaking one of the {len(rules['rules'])} rules found",
            "synthetic": share(rules["synthetic_broken"]),
            "real holdout": share(rules["holdout_broken"]),
            "reading": "every rule kept"
            if not broken
            else "broken most: " + "; ".join(r["rule"] for r in broken[:3]),
        }
    )
    pairs = logic["unseen_pairs"]
    worse = (pairs["synthetic"] or 0) > 1.5 * (pairs["holdout"] or 0) + 0.005
    rows.append(
        {
            "check": "rows with a pair of values never seen together in training",
            "synthetic": share(pairs["synthetic"]),
            "real holdout": share(pairs["holdout"]),
            "reading": "invents combinations fresh real rows do not have"
            if worse
            else "no more than fresh real rows",
        }
    )
    for name, d in logic["decimals"].items():
        if d["synthetic_share"] > 0:
            rows.append(
                {
                    "check": f"{name}: values with more than {d['real_decimals']} decimals",
                    "synthetic": share(d["synthetic_share"]),
                    "real holdout": share(0.0),
                    "reading": f"e.g. {d['example']}",
                }
            )
    for name, e in logic["edges"].items():
        if e["extra"] > 0.005:
            rows.append(
                {
                    "check": f"{name}: extra mass at the range edges",
                    "synthetic": share(e["synthetic_at_min"] + e["synthetic_at_max"]),
                    "real holdout": share(e["real_at_min"] + e["real_at_max"]),
                    "reading": "values pile up at the training minimum or maximum",
                }
            )
    return rows


def _kinds(train: pd.DataFrame, discrete_columns: Sequence[str] | None) -> tuple[list, list]:
    names = [str(c) for c in train.columns]
    frame = train.set_axis(names, axis=1)
    if discrete_columns is not None:
        discrete = [str(c) for c in discrete_columns]
        unknown = [c for c in discrete if c not in names]
        if unknown:
            raise InvalidDataError(f"discrete column(s) {unknown} are not in the real table")
        numeric = [
            c
            for c in names
            if c not in discrete
            and pd.api.types.is_numeric_dtype(frame[c].dtype)
            and not pd.api.types.is_bool_dtype(frame[c].dtype)
        ]
        return discrete, numeric
    schema = infer_schema(frame)
    discrete = [s.name for s in schema if s.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)]
    numeric = [
        s.name
        for s in schema
        if s.kind in (ColumnKind.CONTINUOUS, ColumnKind.INTEGER)
        and pd.api.types.is_numeric_dtype(frame[s.name].dtype)
    ]
    return discrete, numeric


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else 0.0


def _rules(train, synthetic, holdout, discrete, numeric) -> dict:
    found = detect_rules(train, discrete, numeric)
    items = []
    any_syn = np.zeros(len(synthetic), dtype=bool)
    any_hold = None if holdout is None else np.zeros(len(holdout), dtype=bool)
    for rule in found:
        syn = rule.broken(synthetic)
        any_syn |= syn
        item = {
            "rule": "; ".join(rule.describe()),
            "determinant": rule.determinant,
            "dependent": rule.dependent,
            "synthetic_broken": _share(syn),
            "holdout_broken": None,
        }
        if holdout is not None:
            hold = rule.broken(holdout)
            any_hold |= hold
            item["holdout_broken"] = _share(hold)
        items.append(item)
    return {
        "rules": items,
        "synthetic_broken": _share(any_syn),
        "holdout_broken": None if any_hold is None else _share(any_hold),
    }


def _codes(values: pd.Series, vocab: dict) -> np.ndarray:
    """Codes of ``values`` in ``vocab`` (value key -> code, grown for new values)."""
    codes, uniques = pd.factorize(values.reset_index(drop=True), use_na_sentinel=False)
    table = np.array([vocab.setdefault(value_key(u), len(vocab)) for u in uniques], dtype=np.int64)
    return table[codes] if len(uniques) else np.zeros(len(codes), dtype=np.int64)


def _unseen_pairs(train, synthetic, holdout, discrete) -> dict:
    used = [c for c in discrete if train[c].nunique(dropna=False) <= MAX_PAIR_VALUES]
    left_out = [c for c in discrete if c not in used]
    tables = {"synthetic": synthetic, "holdout": holdout}
    codes: dict[str, dict[str, np.ndarray]] = {"train": {}}
    for name in tables:
        codes[name] = {}
    sizes = {}
    for c in used:
        vocab: dict = {}
        codes["train"][c] = _codes(train[c], vocab)
        for name, table in tables.items():
            if table is not None:
                codes[name][c] = _codes(table[c], vocab)
        sizes[c] = max(len(vocab), 1)
    unseen = {name: np.zeros(len(t), dtype=bool) for name, t in tables.items() if t is not None}
    per_pair = []
    for i, a in enumerate(used):
        for b in used[i + 1 :]:
            width = sizes[b]
            seen = np.unique(codes["train"][a] * width + codes["train"][b])
            shares = {}
            for name in unseen:
                new = ~np.isin(codes[name][a] * width + codes[name][b], seen)
                unseen[name] |= new
                shares[name] = _share(new)
            per_pair.append((shares["synthetic"], a, b, shares.get("holdout")))
    per_pair.sort(key=lambda t: -t[0])
    return {
        "synthetic": _share(unseen["synthetic"]),
        "holdout": _share(unseen["holdout"]) if "holdout" in unseen else None,
        "columns_left_out": left_out,
        "worst_pairs": [
            {"columns": [a, b], "synthetic": s, "holdout": h}
            for s, a, b, h in per_pair[:WORST_PAIRS]
            if s > 0
        ],
    }


def _numbers(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def decimals_each(values: np.ndarray, cap: int = MAX_DECIMALS) -> np.ndarray:
    """Decimals each value is written with (``cap + 1`` for more than ``cap``; -1 for NaN and
    infinities), by the same test as :func:`tabgan.encoding.numeric.decimals_of`."""
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape, cap + 1, dtype=np.int64)
    out[~np.isfinite(x)] = -1
    todo = np.isfinite(x)
    for d in range(cap + 1):
        scaled = x[todo] * 10.0**d
        exact = np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))
        idx = np.flatnonzero(todo)[exact]
        out[idx] = d
        todo[idx] = False
    return out


def _decimals(train, synthetic, numeric) -> dict:
    out = {}
    for c in numeric:
        real = decimals_of(_numbers(train[c]))
        syn = decimals_each(_numbers(synthetic[c]))
        limit = MAX_DECIMALS if real is None else real
        finite = syn >= 0
        over = (syn > limit) & finite
        out[c] = {
            "real_decimals": real,  # None: more than MAX_DECIMALS (written at full precision)
            "synthetic_share": 0.0 if real is None else _share(over[finite]),
            "example": None
            if real is None or not over.any()
            else float(_numbers(synthetic[c])[int(np.flatnonzero(over)[0])]),
        }
    return out


def _edges(train, synthetic, numeric) -> dict:
    out = {}
    for c in numeric:
        real = _numbers(train[c])
        real = real[np.isfinite(real)]
        syn = _numbers(synthetic[c])
        syn = syn[np.isfinite(syn)]
        if real.size == 0:
            continue
        lo, hi = float(real.min()), float(real.max())
        item = {
            "min": lo,
            "max": hi,
            "real_at_min": _share(real == lo),
            "synthetic_at_min": _share(syn == lo),
            "real_at_max": _share(real == hi),
            "synthetic_at_max": _share(syn == hi),
            "synthetic_outside": _share((syn < lo) | (syn > hi)),
        }
        item["extra"] = max(item["synthetic_at_min"] - item["real_at_min"], 0.0) + max(
            item["synthetic_at_max"] - item["real_at_max"], 0.0
        )
        out[c] = item
    return out
