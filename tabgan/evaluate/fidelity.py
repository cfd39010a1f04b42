"""Fidelity: do single columns and pairs of columns look like the real ones?

Per column: Kolmogorov-Smirnov statistic (numeric) or total variation distance (categorical)
on the present values, plus the difference in missing rates. Per pair: an association
matrix (Pearson for numeric pairs, Cramér's V for categorical pairs, correlation ratio for
mixed pairs) for each table, compared cell by cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from tabgan.evaluate.columns import NUMERIC, ColumnInfo

# Categories beyond this many (by real frequency) are pooled for the association matrix:
# Cramér's V on ID-like columns is noise, and the pooled table stays small and fast.
_ASSOC_TOP = 20


def ks_statistic(real: pd.Series, synthetic: pd.Series) -> float:
    """Two-sample KS statistic of the present values (1.0 if only one side has any)."""
    a = real.dropna().to_numpy(dtype=float)
    b = synthetic.dropna().to_numpy(dtype=float)
    if len(a) == 0 or len(b) == 0:
        return 0.0 if len(a) == len(b) else 1.0
    # the statistic does not depend on the p-value method; "asymp" skips the exact p-value
    # (slow, and scipy warns when it cannot compute it)
    return float(ks_2samp(a, b, method="asymp").statistic)


def total_variation(real: pd.Series, synthetic: pd.Series) -> float:
    """Total variation distance between the category frequencies of the present values."""
    p = real.dropna().value_counts(normalize=True)
    q = synthetic.dropna().value_counts(normalize=True)
    if len(p) == 0 or len(q) == 0:
        return 0.0 if len(p) == len(q) else 1.0
    p, q = p.align(q, fill_value=0.0)
    return float(0.5 * np.abs(p.to_numpy() - q.to_numpy()).sum())


def column_scores(
    real: pd.DataFrame, synthetic: pd.DataFrame, infos: list[ColumnInfo]
) -> dict[str, dict]:
    """Per-column statistic and missing rates, keyed by column name."""
    out = {}
    for info in infos:
        r, s = real[info.name], synthetic[info.name]
        if info.kind == NUMERIC:
            name, value = "ks", ks_statistic(r, s)
        else:
            name, value = "tvd", total_variation(r, s)
        miss_r, miss_s = float(r.isna().mean()), float(s.isna().mean())
        out[str(info.name)] = {
            "kind": info.kind,
            "statistic": name,
            "value": value,
            "missing_real": miss_r,
            "missing_synthetic": miss_s,
            "missing_diff": abs(miss_r - miss_s),
        }
    return out


def _codes(values: pd.Series, keep: list) -> np.ndarray:
    """Integer codes: kept categories 0..k-1, then "other" and "missing" last."""
    cat = pd.Categorical(values, categories=keep)
    codes = cat.codes.astype(np.int64)
    codes[(codes < 0) & values.notna().to_numpy()] = len(keep)
    codes[values.isna().to_numpy()] = len(keep) + 1
    return codes


def _cramers_v(a: np.ndarray, b: np.ndarray) -> float:
    ka, kb = int(a.max()) + 1, int(b.max()) + 1
    table = np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb).astype(float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    r, c = table.shape
    if min(r, c) < 2:
        return 0.0
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return float(np.sqrt(min(1.0, chi2 / n / (min(r, c) - 1))))


def _correlation_ratio(codes: np.ndarray, values: np.ndarray) -> float:
    present = ~np.isnan(values)
    g, x = codes[present], values[present]
    if len(x) < 2:
        return 0.0
    total = float(((x - x.mean()) ** 2).sum())
    if total <= 0:
        return 0.0
    counts = np.bincount(g)
    sums = np.bincount(g, weights=x)
    used = counts > 0
    means = sums[used] / counts[used]
    between = float((counts[used] * (means - x.mean()) ** 2).sum())
    return float(np.sqrt(min(1.0, between / total)))


def association_matrix(
    df: pd.DataFrame, infos: list[ColumnInfo], top_categories: dict[str, list]
) -> np.ndarray:
    """Symmetric matrix of pairwise associations, in the order of ``infos``.

    Pearson (signed) for numeric pairs, Cramér's V for categorical pairs, the correlation
    ratio for mixed pairs; 1 on the diagonal and 0 where a column is constant.
    """
    names = [i.name for i in infos]
    kinds = {i.name: i.kind for i in infos}
    k = len(names)
    mat = np.eye(k)
    numeric = [n for n in names if kinds[n] == NUMERIC]
    if len(numeric) > 1:
        pearson = df[numeric].corr(method="pearson", min_periods=3).fillna(0.0)
    codes = {n: _codes(df[n], top_categories[n]) for n in names if kinds[n] != NUMERIC}
    values = {n: df[n].to_numpy(dtype=float) for n in numeric}
    for i in range(k):
        for j in range(i + 1, k):
            a, b = names[i], names[j]
            if kinds[a] == NUMERIC and kinds[b] == NUMERIC:
                v = float(pearson.loc[a, b])
            elif kinds[a] != NUMERIC and kinds[b] != NUMERIC:
                v = _cramers_v(codes[a], codes[b])
            elif kinds[a] == NUMERIC:
                v = _correlation_ratio(codes[b], values[a])
            else:
                v = _correlation_ratio(codes[a], values[b])
            mat[i, j] = mat[j, i] = v
    return mat


def top_categories(real: pd.DataFrame, infos: list[ColumnInfo]) -> dict[str, list]:
    """The most frequent real categories per categorical column (shared by both tables)."""
    return {
        i.name: list(real[i.name].value_counts().index[:_ASSOC_TOP])
        for i in infos
        if i.kind != NUMERIC
    }


def mean_offdiag_abs(diff: np.ndarray) -> float | None:
    """Mean absolute value of the upper triangle (None with fewer than two columns)."""
    iu = np.triu_indices(diff.shape[0], k=1)
    return float(np.abs(diff[iu]).mean()) if len(iu[0]) else None


def _means(columns: dict[str, dict]) -> dict[str, float | None]:
    ks = [c["value"] for c in columns.values() if c["statistic"] == "ks"]
    tvd = [c["value"] for c in columns.values() if c["statistic"] == "tvd"]
    miss = [c["missing_diff"] for c in columns.values()]
    return {
        "ks_mean": float(np.mean(ks)) if ks else None,
        "tvd_mean": float(np.mean(tvd)) if tvd else None,
        "missing_diff_mean": float(np.mean(miss)) if miss else None,
    }


def fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    infos: list[ColumnInfo],
    holdout: pd.DataFrame | None = None,
) -> tuple[dict, dict]:
    """Score column and pair fidelity of ``synthetic`` against ``real`` (both canonical).

    Returns
    -------
    scores : dict
        ``ks_mean``, ``tvd_mean``, ``missing_diff_mean``, ``association_diff``, ``columns``
        (per column) and ``baseline`` (the same figures for the real holdout against the real
        training rows: what two samples of the same real data score, a floor to compare to).
    matrices : dict
        ``columns`` (names), ``real`` and ``synthetic`` association matrices.
    """
    columns = column_scores(real, synthetic, infos)
    top = top_categories(real, infos)
    m_real = association_matrix(real, infos, top)
    m_syn = association_matrix(synthetic, infos, top)
    scores: dict = {**_means(columns)}
    scores["association_diff"] = mean_offdiag_abs(m_real - m_syn)
    scores["columns"] = columns
    if holdout is not None and len(holdout) > 1:
        base = _means(column_scores(real, holdout, infos))
        base["association_diff"] = mean_offdiag_abs(
            m_real - association_matrix(holdout, infos, top)
        )
        base["note"] = "real holdout vs real training rows: the noise floor of these figures"
        scores["baseline"] = base
    matrices = {
        "columns": [str(i.name) for i in infos],
        "real": m_real,
        "synthetic": m_syn,
    }
    return scores, matrices
