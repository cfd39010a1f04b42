"""Logic and utility figures of ``compare.py`` that ``common.py`` lacks: exact functional
dependencies between discrete columns, value pairs never seen in training, the numeric correlation
difference, and a linear TSTR model. Runs in tabgan's environment; reads tables only.
"""

from __future__ import annotations

import itertools
from typing import Any

import common
import numpy as np
import pandas as pd

# an integer column with at most this many distinct values counts as discrete for the logic
# figures (Adult's education-num: 16), as it does for a reader of the table
MAX_LOGIC_VALUES = 32
MISSING = "<NA>"


def logic_columns(train: pd.DataFrame) -> list[str]:
    """Discrete columns of the real training table: non-numeric ones, and whole-number columns
    with at most :data:`MAX_LOGIC_VALUES` distinct values."""
    out = []
    discrete = set(common.discrete_columns(train))
    for c in train.columns:
        col = train[c]
        if c in discrete:
            out.append(c)
        elif col.dropna().nunique() <= MAX_LOGIC_VALUES:
            values = pd.to_numeric(col, errors="coerce").dropna()
            if len(values) and (values == values.round()).all():
                out.append(c)
    return out


def _tokens(df: pd.DataFrame, columns: list[str], numeric: set[str]) -> pd.DataFrame:
    """Each value as text, the same for the same value in every table (2.0 and 2 alike)."""
    out = pd.DataFrame(index=df.index)
    for c in columns:
        col = df[c]
        if c in numeric:
            num = pd.to_numeric(col, errors="coerce")
            text = num.map(lambda v: MISSING if pd.isna(v) else repr(float(v)))
        else:
            text = col.astype(object).map(lambda v: MISSING if pd.isna(v) else str(v))
        out[c] = text
    return out


class LogicScorer:
    """Rows breaking the real table's exact dependencies, and rows with unseen value pairs.

    A functional dependency ``A -> B`` is kept when, in the real training rows, every value of
    the discrete column ``A`` goes with exactly one value of ``B``, ``A`` has at least two
    values, and ``A`` is not an identifier (its values repeat: fewer distinct values than half
    the rows). A row breaks it when its ``A`` value is one seen in training and its ``B`` value
    differs from the one that ``A`` value always had. A value pair is unseen when the two
    values of a pair of discrete columns never occur together in a training row.

    Parameters
    ----------
    train : DataFrame
        The real training rows.
    """

    def __init__(self, train: pd.DataFrame) -> None:
        self.columns = logic_columns(train)
        discrete = set(common.discrete_columns(train))
        self.numeric = {c for c in self.columns if c not in discrete}
        real = _tokens(train, self.columns, self.numeric)
        self.dependencies: dict[tuple[str, str], pd.Series] = {}
        for a, b in itertools.permutations(self.columns, 2):
            n_a = real[a].nunique()
            if n_a < 2 or n_a > len(real) / 2:
                continue
            per_a = real.groupby(a)[b].nunique()
            if (per_a == 1).all() and real[b].nunique() > 1:
                self.dependencies[(a, b)] = real.groupby(a)[b].first()
        self.pairs: dict[tuple[str, str], set[tuple[str, str]]] = {
            (a, b): set(zip(real[a], real[b], strict=True))
            for a, b in itertools.combinations(self.columns, 2)
        }

    def score(self, other: pd.DataFrame) -> dict[str, Any]:
        """``fd_break_share`` (rows breaking at least one dependency; None without any),
        ``unseen_pair_share`` (rows with at least one unseen pair; None with fewer than two
        discrete columns), and per dependency and per pair the share of rows concerned."""
        tokens = _tokens(other, self.columns, self.numeric)
        n = max(1, len(tokens))
        broken_any = np.zeros(len(tokens), dtype=bool)
        per_fd = {}
        for (a, b), mapping in self.dependencies.items():
            expected = tokens[a].map(mapping)
            broken = (expected.notna() & (expected != tokens[b])).to_numpy()
            broken_any |= broken
            per_fd[f"{a} -> {b}"] = float(broken.sum() / n)
        unseen_any = np.zeros(len(tokens), dtype=bool)
        per_pair = {}
        for (a, b), seen in self.pairs.items():
            unseen = np.fromiter(
                (pair not in seen for pair in zip(tokens[a], tokens[b], strict=True)),
                dtype=bool,
                count=len(tokens),
            )
            unseen_any |= unseen
            per_pair[f"{a} x {b}"] = float(unseen.sum() / n)
        return {
            "fd_break_share": float(broken_any.sum() / n) if self.dependencies else None,
            "unseen_pair_share": float(unseen_any.sum() / n) if self.pairs else None,
            "fd_count": len(self.dependencies),
            "fd": per_fd,
            "unseen_pair": per_pair,
        }


def correlation_diff(train: pd.DataFrame, other: pd.DataFrame) -> float | None:
    """Mean absolute difference of the Pearson correlations between the real training table's
    numeric columns (upper triangle), the two tables' rows alike; None with fewer than two."""
    numeric = [c for c in train.columns if c not in common.discrete_columns(train)]
    if len(numeric) < 2:
        return None

    def corr(df: pd.DataFrame) -> np.ndarray:
        x = df[numeric].apply(pd.to_numeric, errors="coerce")
        return x.corr().to_numpy()

    iu = np.triu_indices(len(numeric), k=1)
    diff = np.abs(corr(train)[iu] - corr(other)[iu])
    # a constant column has no correlation: count it as the largest difference
    return float(np.nan_to_num(diff, nan=1.0).mean())


class LinearScorer:
    """The linear counterpart of ``common.TSTRScorer``: ``LogisticRegression`` (macro-F1) or
    ``Ridge`` (R²) on one-hot categories (unknown values ignored) and standardised numbers
    (missing ones imputed by the median), the pipeline fitted on each training table, real or
    synthetic, and scored on the real test rows. Rows whose target is missing or unknown are
    left out, as ``TSTRScorer`` does."""

    def __init__(self, train: pd.DataFrame, test: pd.DataFrame, target: str, task: str) -> None:
        self.target = target
        self.task = task
        self.features = [c for c in train.columns if c != target]
        self.categorical = [c for c in self.features if c in common.discrete_columns(train)]
        self.classes = (
            sorted(pd.concat([train, test])[target].dropna().astype(str).unique())
            if task == common.CLASSIFICATION
            else []
        )
        self.test_x, self.test_y = self._xy(test)

    def _xy(self, df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        x = pd.DataFrame(index=df.index)
        for c in self.features:
            if c in self.categorical:
                x[c] = df[c].astype(object).map(lambda v: MISSING if pd.isna(v) else str(v))
            else:
                x[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
        if self.task == common.REGRESSION:
            y = pd.to_numeric(df[self.target], errors="coerce").to_numpy(dtype=float)
            keep = np.isfinite(y)
        else:
            labels = df[self.target].astype(object).map(lambda v: None if pd.isna(v) else str(v))
            y = np.array([self.classes.index(v) if v in self.classes else -1 for v in labels])
            keep = y >= 0
        return x[keep], y[keep]

    def score(self, train: pd.DataFrame) -> float:
        """Macro-F1 or R² on the real test rows of the linear model trained on ``train``."""
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.metrics import f1_score, r2_score
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        x, y = self._xy(train)
        numeric = [c for c in self.features if c not in self.categorical]
        prep = ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore"), self.categorical),
                ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ]
        )
        if self.task == common.REGRESSION:
            if len(y) < 2:
                pred = np.full(len(self.test_y), y[0] if len(y) else 0.0)
            else:
                pred = make_pipeline(prep, Ridge(alpha=1.0)).fit(x, y).predict(self.test_x)
            return float(r2_score(self.test_y, pred))
        if len(np.unique(y)) < 2:
            pred = np.full(len(self.test_y), y[0] if len(y) else 0)
        else:
            model = make_pipeline(prep, LogisticRegression(max_iter=2000))
            pred = model.fit(x, y).predict(self.test_x)
        return float(f1_score(self.test_y, pred, average="macro"))
