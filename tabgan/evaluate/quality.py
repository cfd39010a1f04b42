"""The overall quality score: column shapes and column pair trends, defined as SDMetrics does.

**Column shapes** (one score per column, 1 is identical): ``1 - KS`` (two-sample
Kolmogorov-Smirnov statistic) for numbers and dates, ``1 - TVD`` (total variation distance of
the category shares) for categories; both on the present values.

**Column pair trends** (one score per pair of columns): for two numeric columns
``1 - |r_real - r_synthetic| / 2`` with Pearson's ``r`` on the rows where both are present;
otherwise ``1 - TVD`` of the two-way table of shares, numbers cut into the 10 equal-width bins
of the real column (``numpy.histogram_bin_edges``, ends open) and missing a value of its own.
Only pairs with a trend in the real data count towards the property score, as in SDMetrics'
QualityReport (0.32): ``|r_real| > 0.5`` for two numbers, Cramér's V of the real two-way table
``> 0.3`` otherwise. Every pair is still scored and listed. A pair whose correlation is
undefined (a constant column) is left out.

**Overall** = the mean of the two property scores (each the mean of its column or pair scores);
when no pair has a real trend (or there is one column), the column shapes score alone. All
scores lie in [0, 1].

This follows SDMetrics' ``QualityReport`` (KSComplement, TVComplement, CorrelationSimilarity,
ContingencySimilarity, with its default thresholds), so the figures can be set side by side;
docs/evaluate.md records the comparison on a few tables. One deliberate difference: SDMetrics
cuts each table's numbers into bins of that table's own range, so a shifted synthetic column
can look perfect; here both tables use the real column's bins.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from tabgan.evaluate.columns import NUMERIC, ColumnInfo
from tabgan.evaluate.fidelity import ks_statistic, total_variation

#: equal-width bins a number is cut into for a pair with a category (SDMetrics' default)
PAIR_BINS = 10
#: a numeric pair counts towards the score when the real |Pearson r| exceeds this
PAIR_CORRELATION_MIN = 0.5
#: any other pair counts when the real two-way table's Cramér's V exceeds this
PAIR_ASSOCIATION_MIN = 0.3
# Two-way tables up to this many cells are counted densely; larger ones by their used cells.
_DENSE_CELLS = 1 << 18


def column_shapes(
    real: pd.DataFrame, synthetic: pd.DataFrame, infos: list[ColumnInfo]
) -> dict[str, dict]:
    """``{column: {"score", "metric"}}``: 1-KS for numbers, 1-TVD for categories."""
    out = {}
    for info in infos:
        r, s = real[info.name], synthetic[info.name]
        if info.kind == NUMERIC:
            out[str(info.name)] = {"score": 1.0 - ks_statistic(r, s), "metric": "KSComplement"}
        else:
            out[str(info.name)] = {
                "score": 1.0 - total_variation(r, s),
                "metric": "TVComplement",
            }
    return out


def _codes(real: pd.Series, synthetic: pd.Series, numeric: bool) -> tuple[np.ndarray, ...]:
    """Shared integer codes of two columns, missing as a code of its own (the last)."""
    if numeric:
        r = real.to_numpy(dtype=float)
        s = synthetic.to_numpy(dtype=float)
        present = r[~np.isnan(r)]
        if present.size == 0:
            edges = np.array([-np.inf, np.inf])
        else:
            edges = np.histogram_bin_edges(present, bins=PAIR_BINS)
        inner = edges[1:-1]
        k = len(inner) + 1
        rc, sc = np.searchsorted(inner, r, side="right"), np.searchsorted(inner, s, side="right")
        rc[np.isnan(r)] = k
        sc[np.isnan(s)] = k
        return rc.astype(np.int64), sc.astype(np.int64), k + 1
    both = pd.concat([real, synthetic], ignore_index=True)
    codes, uniques = pd.factorize(both, use_na_sentinel=True)
    k = len(uniques)
    codes = np.where(codes < 0, k, codes).astype(np.int64)
    return codes[: len(real)], codes[len(real) :], k + 1


def _joint_tvd(a_r, b_r, a_s, b_s, kb: int, size: int) -> tuple[float, float]:
    """TVD of the two tables' two-way shares, and Cramér's V of the real table."""
    jr, js = a_r * kb + b_r, a_s * kb + b_s
    if size > _DENSE_CELLS:  # ID-like columns: count only the cells that occur
        _, inverse = np.unique(np.concatenate([jr, js]), return_inverse=True)
        jr, js = inverse[: len(jr)], inverse[len(jr) :]
        size = int(inverse.max()) + 1 if len(inverse) else 1
        v = _cramers_v(a_r, b_r)
    else:
        v = _cramers_v_table(np.bincount(a_r * kb + b_r, minlength=size).reshape(-1, kb))
    p = np.bincount(jr, minlength=size) / max(len(jr), 1)
    q = np.bincount(js, minlength=size) / max(len(js), 1)
    return float(0.5 * np.abs(p - q).sum()), v


def _cramers_v(a: np.ndarray, b: np.ndarray) -> float:
    ua, ia = np.unique(a, return_inverse=True)
    ub, ib = np.unique(b, return_inverse=True)
    if len(ua) * len(ub) > 4 * _DENSE_CELLS:
        return float("nan")  # two ID-like columns: no trend worth a score
    table = np.bincount(ia * len(ub) + ib, minlength=len(ua) * len(ub)).reshape(len(ua), -1)
    return _cramers_v_table(table)


def _cramers_v_table(table: np.ndarray) -> float:
    """Cramér's V without bias correction (as ``scipy.stats.contingency.association``)."""
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0].astype(float)
    if min(table.shape) < 2:
        return float("nan")
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return float(np.sqrt(chi2 / (n * (min(table.shape) - 1))))


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    both = ~(np.isnan(a) | np.isnan(b))
    a, b = a[both], b[both]
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def column_pair_trends(
    real: pd.DataFrame, synthetic: pd.DataFrame, infos: list[ColumnInfo]
) -> dict[tuple[str, str], dict]:
    """``{(a, b): {"score", "metric", "real", "synthetic"}}`` for every pair of columns.

    ``real``/``synthetic`` hold Pearson's r for a numeric pair (``None`` otherwise),
    ``real_association`` the real Cramér's V of other pairs, ``counted`` whether the pair has
    a real trend and so counts towards the property score. Pairs with an undefined
    correlation are left out.
    """
    codes = {}
    for info in infos:
        rc, sc, k = _codes(real[info.name], synthetic[info.name], info.kind == NUMERIC)
        codes[info.name] = (rc, sc, k)
    values = {
        i.name: (real[i.name].to_numpy(dtype=float), synthetic[i.name].to_numpy(dtype=float))
        for i in infos
        if i.kind == NUMERIC
    }
    out: dict[tuple[str, str], dict] = {}
    for a, b in combinations(infos, 2):
        key = (str(a.name), str(b.name))
        if a.kind == NUMERIC and b.kind == NUMERIC:
            r = _pearson(*[values[a.name][0], values[b.name][0]])
            s = _pearson(*[values[a.name][1], values[b.name][1]])
            if np.isnan(r) or np.isnan(s):
                continue
            out[key] = {
                "score": 1.0 - abs(r - s) / 2.0,
                "metric": "CorrelationSimilarity",
                "real": r,
                "synthetic": s,
                "counted": abs(r) > PAIR_CORRELATION_MIN,
            }
        else:
            ar, as_, ka = codes[a.name]
            br, bs, kb = codes[b.name]
            tvd, v = _joint_tvd(ar, br, as_, bs, kb, ka * kb)
            out[key] = {
                "score": 1.0 - tvd,
                "metric": "ContingencySimilarity",
                "real": None,
                "synthetic": None,
                "real_association": None if np.isnan(v) else v,
                "counted": bool(v > PAIR_ASSOCIATION_MIN),
            }
    return out


def _mean(scores) -> float | None:
    values = [v["score"] for v in scores]
    return float(np.mean(values)) if values else None


def quality(real: pd.DataFrame, synthetic: pd.DataFrame, infos: list[ColumnInfo]) -> dict:
    """The overall quality score and its parts (canonical tables in).

    Returns
    -------
    dict
        ``score`` (overall, in [0, 1], 1 is identical), ``column_shapes`` and
        ``column_pair_trends`` (property means; the latter over the pairs with a real trend,
        ``None`` when there are none), ``pairs_counted``, ``columns`` (per column, worst
        first) and ``pairs`` (every pair as ``{"columns": [a, b], "score", "metric",
        "counted", ...}``, worst first).
    """
    shapes = column_shapes(real, synthetic, infos)
    pairs = column_pair_trends(real, synthetic, infos)
    shape_score = _mean(shapes.values())
    pair_score = _mean(v for v in pairs.values() if v["counted"])
    parts = [v for v in (shape_score, pair_score) if v is not None]
    worst_cols = dict(sorted(shapes.items(), key=lambda kv: (kv[1]["score"], kv[0])))
    worst_pairs = [
        {"columns": list(k), **v}
        for k, v in sorted(pairs.items(), key=lambda kv: (kv[1]["score"], kv[0]))
    ]
    return {
        "score": float(np.mean(parts)) if parts else None,
        "column_shapes": shape_score,
        "column_pair_trends": pair_score,
        "pairs_counted": sum(v["counted"] for v in pairs.values()),
        "columns": worst_cols,
        "pairs": worst_pairs,
        "definition": "mean of Column Shapes (1-KS, 1-TVD) and Column Pair Trends "
        "(1-|corr diff|/2, 1-TVD of the two-way table; pairs with a real trend), as "
        "SDMetrics' QualityReport",
    }


__all__ = [
    "PAIR_ASSOCIATION_MIN",
    "PAIR_BINS",
    "PAIR_CORRELATION_MIN",
    "column_pair_trends",
    "column_shapes",
    "quality",
]
