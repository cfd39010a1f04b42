"""What TabGANResampler uses to judge its own rows: a label check and a choice of amount.

- :class:`LabelModel` is a gradient-boosted classifier fitted on the real rows. A synthetic row
  labelled ``c`` is *plausible* when the model gives ``c`` at least the probability that a share
  of the real rows of class ``c`` get from a model that never saw them (the ``quantile`` of the
  out-of-fold probabilities of ``c`` on the real rows of ``c``; :data:`LABEL_QUANTILE`, the
  median, by default). The threshold is per class, so a minority class is held to the standard
  of its own real rows, not to "the model predicts it": with imbalanced classes most real
  minority rows are not predicted as minority either.
- :func:`holdout_split` and :func:`choose` pick how many rows to add: candidates (no rows, the
  asked balancing, joint rows) are each added to the kept part of the training rows, a
  classifier trained on the result is scored by macro-F1 on the held-out part, and a candidate
  wins only if it beats adding nothing by more than one bootstrap standard error of the paired
  difference. Scores on a few dozen held-out rows are noisy; the margin makes "add nothing" the
  answer unless the gain shows through the noise.

numpy, pandas and scikit-learn only (no torch): this module judges rows, it does not make them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tabgan.encoding import numtext

MAX_NATIVE_CATEGORIES = 250  # HistGradientBoosting's categorical limit (255 bins, some spare)
#: the label filter's default threshold: a synthetic row's label must be at least as plausible
#: as for half the real rows of its class. 0.1 (as plausible as for 90% of them) kept rows that
#: cost the random forest and logistic regression on the augmentation benchmark
#: (benchmarks/README.md, "A stricter label filter")
LABEL_QUANTILE = 0.5


def _column_codes(values: pd.Series, categories: list | None, fmt: dict | None) -> np.ndarray:
    if fmt is not None:  # numbers written as text ("$1,234"): the numbers
        return numtext.parse(values, fmt)
    if categories is None:  # a number, a boolean or a date: its value
        if pd.api.types.is_datetime64_any_dtype(values):
            stamp = pd.to_datetime(values, errors="coerce")
            out = stamp.astype("int64").to_numpy(dtype=float)
            out[stamp.isna().to_numpy()] = np.nan
            return out
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    index = {v: i for i, v in enumerate(categories)}
    return np.array([index.get(v, np.nan) for v in values.astype(object)], dtype=float)


@dataclass
class FeatureCodes:
    """Feature columns as floats a tree model reads: numbers as they are (also numbers written
    as text, such as "$1,234"), other columns as the codes of the categories seen when fitting
    (unseen ones and missing values as NaN)."""

    columns: list[str]
    categories: dict[str, list] = field(default_factory=dict)
    formats: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def fit(cls, frame: pd.DataFrame) -> FeatureCodes:
        cats, formats = {}, {}
        for c in frame.columns:
            col = frame[c]
            numeric = pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)
            if not numeric and not pd.api.types.is_datetime64_any_dtype(col):
                fmt = numtext.detect(col)
                if fmt is not None:
                    formats[c] = fmt
                else:
                    cats[c] = sorted(col.dropna().astype(object).unique(), key=str)
        return cls(list(frame.columns), cats, formats)

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        if not self.columns:
            return np.zeros((len(frame), 0))
        return np.column_stack(
            [
                _column_codes(frame[c], self.categories.get(c), self.formats.get(c))
                for c in self.columns
            ]
        )

    def native_mask(self) -> np.ndarray:
        """Which columns the tree model splits as categories (few enough of them)."""
        return np.array(
            [
                c in self.categories and len(self.categories[c]) <= MAX_NATIVE_CATEGORIES
                for c in self.columns
            ],
            dtype=bool,
        )


def make_classifier(codes: FeatureCodes, seed: int) -> Any:
    """The classifier this module trains: HistGradientBoosting with native categories."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    mask = codes.native_mask()
    return HistGradientBoostingClassifier(
        categorical_features=mask if mask.any() else None, random_state=seed
    )


class LabelModel:
    """Whether synthetic rows' labels agree with what the real rows say about their features.

    Parameters
    ----------
    quantile : float
        A class's threshold is this quantile of the out-of-fold probabilities of that class on
        its own real rows: 0.5 (the default) keeps a synthetic row whose label is at least as
        plausible as for half the real rows of its class, 0.1 one that is at least as
        plausible as for 90% of them.
    seed : int
        Seeds the folds and the classifier.
    """

    def __init__(self, quantile: float = LABEL_QUANTILE, seed: int = 0) -> None:
        self.quantile = quantile
        self.seed = seed

    def fit(self, x: pd.DataFrame, y: np.ndarray) -> LabelModel:
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        self.codes_ = FeatureCodes.fit(x)
        data = self.codes_.transform(x)
        labels = np.asarray(y).astype(str)
        self.classes_ = np.unique(labels)
        counts = pd.Series(labels).value_counts()
        folds = int(min(5, counts.min()))
        clf = make_classifier(self.codes_, self.seed)
        self.thresholds_: dict[str, float] = {}
        if folds >= 2 and len(self.classes_) >= 2:
            cv = StratifiedKFold(folds, shuffle=True, random_state=self.seed)
            oof = cross_val_predict(clf, data, labels, cv=cv, method="predict_proba")
            for j, c in enumerate(self.classes_):
                own = oof[labels == c, j]
                self.thresholds_[c] = float(np.quantile(own, self.quantile))
        else:  # a class with a single row: nothing to judge it by, every row passes
            self.thresholds_ = {c: 0.0 for c in self.classes_}
        self.model_ = clf.fit(data, labels) if len(self.classes_) >= 2 else None
        return self

    def plausibility(self, x: pd.DataFrame, y: np.ndarray) -> np.ndarray:
        """Each row's probability of its label minus its class's threshold (>= 0: plausible;
        labels the real rows never had: -1)."""
        labels = np.asarray(y).astype(str)
        out = np.full(len(labels), -1.0)
        if self.model_ is None:
            out[np.isin(labels, self.classes_)] = 0.0
            return out
        if len(labels) == 0:
            return out
        proba = self.model_.predict_proba(self.codes_.transform(x))
        for j, c in enumerate(self.classes_):
            mine = labels == c
            out[mine] = proba[mine, j] - self.thresholds_[c]
        return out


def keep_plausible(
    draw: Callable[[int, int], pd.DataFrame],
    wanted: int,
    target: str,
    judge: LabelModel,
    rounds: int = 4,
) -> tuple[pd.DataFrame, int]:
    """``wanted`` rows from ``draw(count, round)``, keeping the plausible ones.

    Draws again (more, by the acceptance seen so far) while fewer than ``wanted`` rows passed,
    at most ``rounds`` times; then fills up with the most plausible of the rejected rows, so
    the caller always gets ``wanted`` rows. Returns the rows and how many were drawn in all.
    """
    kept: list[pd.DataFrame] = []
    spare: list[tuple[np.ndarray, pd.DataFrame]] = []
    have = drawn = 0
    for r in range(rounds):
        if have >= wanted:
            break
        rate = max(have / drawn, 0.1) if drawn else 1.0
        count = int(np.ceil((wanted - have) / rate * 1.1))
        rows = draw(count, r).reset_index(drop=True)
        drawn += len(rows)
        score = judge.plausibility(rows.drop(columns=[target]), rows[target].to_numpy())
        good = score >= 0
        kept.append(rows[good])
        spare.append((score[~good], rows[~good]))
        have += int(good.sum())
    out = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()
    if len(out) >= wanted:
        return out.iloc[:wanted].reset_index(drop=True), drawn
    scores = np.concatenate([s for s, _ in spare])
    rest = pd.concat([f for _, f in spare], ignore_index=True)
    best = rest.iloc[np.argsort(-scores, kind="stable")[: wanted - len(out)]]
    return pd.concat([out, best], ignore_index=True), drawn


def holdout_split(y: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row positions ``(kept, held)``: ``share`` of each class held out (rounded down, so a
    class of fewer than ``1 / share`` rows stays whole in the kept part)."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(y).astype(str)
    held = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        k = int(len(rows) * share)
        if k:
            held.append(rng.choice(rows, size=k, replace=False))
    held_rows = np.sort(np.concatenate(held)) if held else np.array([], dtype=int)
    kept = np.setdiff1d(np.arange(len(labels)), held_rows)
    return kept, held_rows


def _macro_f1(truth: np.ndarray, pred: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, pred, labels=labels, average="macro", zero_division=0))


@dataclass
class Choice:
    """The outcome of :func:`choose`: the winning candidate's name and every candidate's
    held-out macro-F1, its difference from adding nothing and that difference's standard
    error."""

    chosen: str
    scores: dict[str, dict[str, float]]


def choose(
    kept: pd.DataFrame,
    held: pd.DataFrame,
    target: str,
    candidates: Mapping[str, pd.DataFrame],
    seed: int,
    boot: int = 200,
) -> Choice:
    """Score each candidate's synthetic rows (added to ``kept``) on ``held``; ``"none"`` (no
    rows) is always a candidate and wins unless another beats it by more than one standard
    error."""
    codes = FeatureCodes.fit(kept.drop(columns=[target]))
    truth = held[target].astype(str).to_numpy()
    labels = np.unique(np.concatenate([kept[target].astype(str).to_numpy(), truth]))
    test = codes.transform(held.drop(columns=[target]))

    def predict(extra: pd.DataFrame | None) -> np.ndarray:
        table = kept if extra is None or extra.empty else pd.concat([kept, extra[kept.columns]])
        clf = make_classifier(codes, seed)
        clf.fit(codes.transform(table.drop(columns=[target])), table[target].astype(str))
        return clf.predict(test)

    base = predict(None)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(truth), size=(boot, len(truth)))
    base_f1 = _macro_f1(truth, base, labels)
    scores = {"none": {"f1": base_f1, "gain": 0.0, "se": 0.0}}
    chosen, best = "none", 0.0
    for name, rows in candidates.items():
        pred = predict(rows)
        f1 = _macro_f1(truth, pred, labels)
        diffs = [
            _macro_f1(truth[p], pred[p], labels) - _macro_f1(truth[p], base[p], labels)
            for p in picks
        ]
        se = float(np.std(diffs, ddof=1))
        gain = f1 - base_f1
        scores[name] = {"f1": f1, "gain": gain, "se": se}
        if gain > se and gain > best:
            chosen, best = name, gain
    return Choice(chosen, scores)


__all__ = ["Choice", "FeatureCodes", "LabelModel", "choose", "holdout_split", "keep_plausible"]
