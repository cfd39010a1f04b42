"""Detection: can a classifier tell real rows from synthetic ones?

A gradient-boosted classifier is cross-validated on a balanced mix of real training rows
and synthetic rows. ROC AUC 0.5 means it cannot tell them apart (ideal); 1.0 means every
synthetic row gives itself away. Which columns give them away is measured on the first fold's
held-out rows by permutation importance: how much the detector's AUC drops when one column's
values are shuffled among those rows (0: the column tells nothing the others do not).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import OrdinalEncoder

from tabgan.evaluate.columns import MISSING, NUMERIC, ColumnInfo, subsample

# Rows per side; enough for a stable AUC, small enough to stay within a few seconds.
MAX_ROWS = 10_000
# Native categorical splits in HistGradientBoosting allow at most 255 categories per column.
_MAX_CATEGORIES = 250
# Per-column tells: at most this many held-out rows, and at most _TELL_BUDGET rows scored in
# all (rows x columns x shuffles), which keeps them to a few seconds on two cores even with
# 100 columns (fewer rows and shuffles per column there, so noisier tells).
_TELL_ROWS = 2_000
_TELL_MIN_ROWS = 300
_TELL_BUDGET = 100_000


def _matrix_names(infos: list[ColumnInfo]) -> list[str]:
    """Column names in the order :func:`_matrix` lays them out (numbers first)."""
    return [i.name for i in infos if i.kind == NUMERIC] + [
        i.name for i in infos if i.kind != NUMERIC
    ]


def _matrix(both: pd.DataFrame, infos: list[ColumnInfo]) -> tuple[np.ndarray, np.ndarray]:
    num = [i.name for i in infos if i.kind == NUMERIC]
    cat = [i.name for i in infos if i.kind != NUMERIC]
    parts, is_cat = [], []
    if num:
        # NaN stays NaN: the booster learns from missingness, which is a real tell.
        parts.append(both[num].to_numpy(dtype=float))
        is_cat += [False] * len(num)
    if cat:
        enc = OrdinalEncoder(max_categories=_MAX_CATEGORIES, dtype=np.float64)
        parts.append(enc.fit_transform(both[cat].fillna(MISSING).astype(str)))
        is_cat += [True] * len(cat)
    return np.hstack(parts), np.array(is_cat)


def detection(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    infos: list[ColumnInfo],
    seed: int,
    folds: int = 3,
    max_rows: int = MAX_ROWS,
) -> dict:
    """Cross-validated ROC AUC of a real-vs-synthetic classifier (canonical tables in).

    Returns
    -------
    dict
        ``auc`` (mean over folds), ``auc_std``, ``folds``, ``rows_per_side`` and a ``note``.
    """
    rng = np.random.default_rng(seed)
    n = min(len(real), len(synthetic), max_rows)
    if n < folds:
        return {
            "auc": None,
            "auc_std": None,
            "folds": folds,
            "rows_per_side": n,
            "columns": [],
            "note": "too few rows to cross-validate a detector",
        }
    both = pd.concat([subsample(real, n, rng), subsample(synthetic, n, rng)], ignore_index=True)
    y = np.r_[np.zeros(n), np.ones(n)]
    X, is_cat = _matrix(both, infos)
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    aucs = []
    tells = None
    for fold, (train_idx, test_idx) in enumerate(cv.split(X, y)):
        clf = HistGradientBoostingClassifier(
            max_iter=100,
            categorical_features=is_cat,
            early_stopping=False,
            random_state=seed,
        )
        clf.fit(X[train_idx], y[train_idx])
        aucs.append(roc_auc_score(y[test_idx], clf.predict_proba(X[test_idx])[:, 1]))
        if fold == 0:
            tells = _tells(clf, X[test_idx], y[test_idx], infos, rng, seed)
    return {
        "auc": float(np.mean(aucs)),
        "auc_std": float(np.std(aucs)),
        "folds": folds,
        "rows_per_side": n,
        "columns": tells,
        "note": "0.5 is ideal (indistinguishable); 1.0 means the synthetic rows are easy to spot",
    }


def _tells(clf, X: np.ndarray, y: np.ndarray, infos, rng, seed: int) -> list[dict]:
    """Per column, the detector's AUC drop when the column is shuffled; largest first.

    Permutation importance, with every shuffled copy scored in one ``predict_proba`` call
    (one call per column and repeat costs far more in per-call overhead than in trees).
    """
    k = X.shape[1]
    repeats = 3 if k <= 30 else 2
    rows = max(_TELL_MIN_ROWS, min(_TELL_ROWS, _TELL_BUDGET // (k * repeats)))
    if len(y) > rows:
        keep = np.sort(rng.choice(len(y), rows, replace=False))
        X, y = X[keep], y[keep]
    if len(np.unique(y)) < 2:
        return []
    perm_rng = np.random.default_rng(seed)
    n = len(y)
    copies = np.repeat(X[None], k * repeats, axis=0)
    for j in range(k):
        for r in range(repeats):
            copies[j * repeats + r, :, j] = X[perm_rng.permutation(n), j]
    proba = clf.predict_proba(np.vstack([X, copies.reshape(-1, k)]))[:, 1]
    base = roc_auc_score(y, proba[:n])
    drops = np.array(
        [roc_auc_score(y, proba[n * (1 + c) : n * (2 + c)]) for c in range(k * repeats)]
    )
    drops = base - drops.reshape(k, repeats)
    rows = [
        {"column": str(name), "auc_drop": float(d.mean()), "auc_drop_std": float(d.std())}
        for name, d in zip(_matrix_names(infos), drops, strict=True)
    ]
    return sorted(rows, key=lambda r: -r["auc_drop"])
