"""Utility: train on synthetic, test on real (TSTR) against train on real, test on real (TRTR).

Every model family is trained twice on one feature space (fitted on the real training rows):
once on the real training rows, once on the synthetic rows; both are scored on the same
real holdout the synthesizer never saw. A ratio TSTR/TRTR near 1 means the synthetic rows
teach what the real ones teach.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import clone
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import f1_score, r2_score, roc_auc_score

from tabgan.errors import InvalidDataError, InvalidParameterError
from tabgan.evaluate.columns import ColumnInfo, as_labels, feature_transformer

CLASSIFICATION = "classification"
REGRESSION = "regression"
# Integer targets with at most this many distinct values are read as classes.
_MAX_INT_CLASSES = 20
# The headline metric per task, and its value for a model that learned nothing.
HEADLINE = {CLASSIFICATION: "roc_auc", REGRESSION: "r2"}
CHANCE = {"roc_auc": 0.5, "r2": 0.0}


def infer_task(values: pd.Series, task: str = "auto") -> str:
    """``"classification"`` or ``"regression"`` for a target column of the real table."""
    if task in (CLASSIFICATION, REGRESSION):
        if task == REGRESSION and not ptypes.is_numeric_dtype(values):
            raise InvalidDataError(
                f"target {values.name!r} is not numeric, so it cannot be a regression target; "
                "use task='classification'"
            )
        return task
    if task != "auto":
        raise InvalidParameterError(f"task={task!r}; use 'auto', 'classification' or 'regression'")
    if ptypes.is_bool_dtype(values) or not ptypes.is_numeric_dtype(values):
        return CLASSIFICATION
    present = values.dropna().astype(float)
    whole = bool((present == np.round(present)).all())
    if whole and present.nunique() <= _MAX_INT_CLASSES:
        return CLASSIFICATION
    return REGRESSION


def default_models(task: str, seed: int) -> dict[str, object]:
    """Three model families per task, seeded; sizes chosen to stay fast on two cores."""
    if task == CLASSIFICATION:
        return {
            "logistic_regression": LogisticRegression(max_iter=1000),
            "hist_gradient_boosting": HistGradientBoostingClassifier(random_state=seed),
            "random_forest": RandomForestClassifier(
                n_estimators=100, min_samples_leaf=2, n_jobs=-1, random_state=seed
            ),
        }
    return {
        "ridge": Ridge(alpha=1.0),
        "hist_gradient_boosting": HistGradientBoostingRegressor(random_state=seed),
        "random_forest": RandomForestRegressor(
            n_estimators=100, min_samples_leaf=2, n_jobs=-1, random_state=seed
        ),
    }


def target_values(values: pd.Series, task: str) -> pd.Series:
    """Target as class labels (text) or floats; missing or unreadable values become NaN."""
    if task == CLASSIFICATION:
        return as_labels(values)
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _auc(y: np.ndarray, proba: np.ndarray, classes: list) -> float:
    """ROC AUC: one-vs-rest macro average over the classes present in ``y``.

    For two classes this equals the usual binary AUC. Classes absent from ``y`` are left out
    (their AUC is undefined) instead of raising.
    """
    scores = []
    for k, c in enumerate(classes):
        pos = y == c
        if pos.all() or not pos.any():
            continue
        scores.append(roc_auc_score(pos, proba[:, k]))
        if len(classes) == 2:
            break
    return float(np.mean(scores)) if scores else float("nan")


def _classify(model, X_train, y_train, X_test, classes: list) -> tuple[np.ndarray, np.ndarray]:
    """Fit and return (predicted labels, probabilities aligned to ``classes``)."""
    seen = np.unique(y_train)
    proba = np.zeros((X_test.shape[0], len(classes)))
    if len(seen) == 1:
        # A constant model is what a single-class table can teach; its AUC is 0.5.
        proba[:, classes.index(seen[0])] = 1.0
        return np.full(X_test.shape[0], seen[0], dtype=object), proba
    fitted = clone(model).fit(X_train, y_train)
    p = fitted.predict_proba(X_test)
    for k, c in enumerate(fitted.classes_):
        proba[:, classes.index(c)] = p[:, k]
    return fitted.predict(X_test), proba


def brier_skill(y: np.ndarray, proba: np.ndarray, classes: list, prior: np.ndarray) -> float:
    """1 - Brier(model) / Brier(always predicting ``prior``): 0 = no skill, 1 = perfect.

    Unlike AUC, which only reads the ranking, it cannot be flattered by luck: a model trained
    on rows where the target is unrelated to the features predicts about the prior (skill 0)
    or worse, while its ranking, by chance, may still line up with real signal.
    """
    onehot = (y[:, None] == np.asarray(classes, dtype=object)[None, :]).astype(float)
    model = float(((proba - onehot) ** 2).sum(axis=1).mean())
    base = float(((prior[None, :] - onehot) ** 2).sum(axis=1).mean())
    return 1.0 - model / base if base > 0 else float("nan")


def _score_classifier(
    model, X_tr, y_tr, X_te, y_te, classes: list, prior: np.ndarray
) -> dict[str, float]:
    pred, proba = _classify(model, X_tr, y_tr, X_te, classes)
    return {
        "roc_auc": _auc(y_te, proba, classes),
        "f1_macro": float(f1_score(y_te, pred.astype(str), average="macro", zero_division=0)),
        "brier_skill": brier_skill(y_te, proba, classes, prior),
    }


def utility(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    test: pd.DataFrame,
    infos: list[ColumnInfo],
    target: str,
    task: str,
    seed: int,
    models: dict[str, object] | None = None,
) -> tuple[dict, list[str]]:
    """Score TSTR and TRTR for each model on the real ``test`` rows.

    All three tables are canonical (see :func:`tabgan.evaluate.columns.canonical`), with the
    raw target column replaced by :func:`target_values`. Rows with a missing target are
    dropped.

    Returns
    -------
    scores : dict
        ``{model: {"tstr", "trtr", "metric", "ratio", "scores": {metric: {"tstr", "trtr"}}}}``.
    notes : list of str
        Plain-language remarks (dropped rows, single-class synthetic target...).
    """
    notes: list[str] = []
    tables = {}
    for name, df in (("real training", train), ("synthetic", synthetic), ("test", test)):
        kept = df[df[target].notna()]
        if len(kept) < len(df):
            notes.append(f"{len(df) - len(kept)} {name} rows without a target value were left out")
        tables[name] = kept
    tr, syn, te = tables["real training"], tables["synthetic"], tables["test"]
    if len(tr) < 2 or len(te) < 1:
        raise InvalidDataError(f"too few rows with a value in target {target!r} to score utility")
    if len(syn) == 0:
        raise InvalidDataError(f"the synthetic table has no value in target {target!r}")

    if task == CLASSIFICATION:
        classes = sorted(set(tr[target]) | set(te[target]))
        if tr[target].nunique() < 2:
            raise InvalidDataError(
                f"target {target!r} has a single class in the real training rows; "
                "nothing to predict"
            )
        unknown = ~syn[target].isin(classes)
        if unknown.any():
            notes.append(
                f"{int(unknown.sum())} synthetic rows with target classes unseen in the real "
                "data were left out"
            )
            syn = syn[~unknown]
            if len(syn) == 0:
                raise InvalidDataError(f"no synthetic row has a real class of target {target!r}")
        if syn[target].nunique() == 1:
            notes.append(
                f"the synthetic target has a single class ({syn[target].iloc[0]!r}); "
                "train-on-synthetic models can only predict it (AUC 0.5)"
            )
    elif tr[target].nunique() < 2:
        raise InvalidDataError(f"target {target!r} is constant in the real training rows")

    features = feature_transformer(infos, exclude=target)
    features.fit(tr.drop(columns=[target]))
    X_tr = features.transform(tr.drop(columns=[target]))
    X_syn = features.transform(syn.drop(columns=[target]))
    X_te = features.transform(te.drop(columns=[target]))
    y_tr, y_syn, y_te = (d[target].to_numpy() for d in (tr, syn, te))

    headline = HEADLINE[task]
    if task == CLASSIFICATION:
        # The no-skill yardstick: always predict the real training class shares.
        prior = np.array([np.mean(y_tr == c) for c in classes])
    out = {}
    for name, model in (models or default_models(task, seed)).items():
        if task == CLASSIFICATION:
            trtr = _score_classifier(
                model, X_tr, y_tr.astype(str), X_te, y_te.astype(str), classes, prior
            )
            tstr = _score_classifier(
                model, X_syn, y_syn.astype(str), X_te, y_te.astype(str), classes, prior
            )
        else:
            trtr = {"r2": float(r2_score(y_te, clone(model).fit(X_tr, y_tr).predict(X_te)))}
            tstr = {"r2": float(r2_score(y_te, clone(model).fit(X_syn, y_syn).predict(X_te)))}
        out[name] = {
            "tstr": tstr[headline],
            "trtr": trtr[headline],
            "metric": headline,
            "ratio": _ratio(tstr[headline], trtr[headline], headline),
            "scores": {m: {"tstr": tstr[m], "trtr": trtr[m]} for m in trtr},
        }
    weak = [n for n, m in out.items() if m["ratio"] is None]
    if weak:
        notes.append(
            f"models trained on real rows barely beat chance at predicting {target!r} "
            f"({', '.join(weak)}); no TSTR/TRTR ratio is reported for them"
        )
    return out, notes


# Below this gain over chance on real rows, the target is barely predictable and a TSTR/TRTR
# ratio is a quotient of noise (0.01 / -0.03 reads as -3): it is not reported.
MIN_SIGNAL = 0.05


def _ratio(tstr: float, trtr: float, metric: str) -> float | None:
    if not np.isfinite(tstr) or not np.isfinite(trtr) or trtr - CHANCE[metric] < MIN_SIGNAL:
        return None
    return float(tstr / trtr)


def lift_ratio(tstr: float, trtr: float, metric: str) -> float | None:
    """Share of the real model's gain over chance that the synthetic model keeps.

    ``(tstr - chance) / (trtr - chance)`` with chance 0.5 for AUC and 0 for R²: 0 means the
    synthetic rows taught nothing, 1 means as much as the real rows. Unlike the plain ratio,
    it does not flatter a useless model (AUC 0.5 / 0.9 is a plain ratio of 0.56).
    """
    chance = CHANCE[metric]
    if not np.isfinite(tstr) or not np.isfinite(trtr) or trtr - chance < MIN_SIGNAL:
        return None
    return float((tstr - chance) / (trtr - chance))
