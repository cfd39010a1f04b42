"""Membership inference: can an attacker holding the synthetic rows tell training rows apart?

Candidates are equal numbers of training rows (members) and real holdout rows the synthesizer
never saw (non-members). Each attack gives every candidate a score, higher meaning "was in
the training table", and is judged by the area under the ROC curve: 0.5 means the synthetic
rows tell the attacker nothing about membership, 1.0 that they give every member away.

* ``distance``: the score is minus the distance from the candidate to its closest synthetic
  row (numbers robustly scaled on the synthetic table, categories one-hot), the attack that
  memorised or near-copied rows fall to.
* ``classifier``: a gradient-boosted classifier learns synthetic rows against a separate
  reference set of real holdout rows; a candidate's score is its predicted odds of looking
  synthetic (a density-ratio attack in the manner of DOMIAS, van Breugel et al. 2023): if the
  generator over-fits its training rows, members look "more synthetic" than fresh rows.

Standard errors come from a seeded bootstrap over the candidates. An AUC near 0.5 is evidence
against these attacks only, not a guarantee; differential privacy is the guarantee (an
epsilon-DP model bounds any attack's true-positive rate by ``e^epsilon`` times its
false-positive rate plus delta).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from tabgan.errors import InvalidDataError
from tabgan.evaluate.columns import (
    NUMERIC,
    ColumnInfo,
    canonical,
    check_columns,
    infer_columns,
    subsample,
)

ATTACKS = ("distance", "classifier")
MAX_CANDIDATES = 2_000  # per side; keeps both attacks to seconds on two cores
MAX_SYNTHETIC = 20_000
BOOTSTRAP = 200
TOP_CATEGORIES = 50
# readings of the larger AUC of the attacks
WEAK, STRONG = 0.55, 0.6


def _features(fit_on: pd.DataFrame, infos: list[ColumnInfo]):
    """Rows -> points, scaled on ``fit_on``: numbers by median and IQR (plus a missing
    indicator), categories one-hot (each mismatch costs 1) with slots for other and missing."""
    stats: dict[str, object] = {}
    for info in infos:
        col = fit_on[info.name]
        if info.kind == NUMERIC:
            present = col.dropna()
            med = float(present.median()) if len(present) else 0.0
            q1, q3 = present.quantile([0.25, 0.75]) if len(present) else (0.0, 0.0)
            stats[info.name] = (med, float(q3 - q1) or float(present.std() or 0.0) or 1.0)
        else:
            stats[info.name] = list(col.value_counts().index[:TOP_CATEGORIES])

    def transform(df: pd.DataFrame) -> np.ndarray:
        parts = []
        for info in infos:
            col = df[info.name]
            if info.kind == NUMERIC:
                med, scale = stats[info.name]
                parts.append(((col.fillna(med).to_numpy(dtype=float) - med) / scale)[:, None])
                parts.append(col.isna().to_numpy(dtype=float)[:, None])
            else:
                cats = stats[info.name]
                codes = pd.Categorical(col, categories=cats).codes
                codes = np.where(codes >= 0, codes, len(cats))
                codes[col.isna().to_numpy()] = len(cats) + 1
                onehot = np.zeros((len(df), len(cats) + 2))
                onehot[np.arange(len(df)), codes] = np.sqrt(0.5)
                parts.append(onehot)
        return np.hstack(parts) if parts else np.zeros((len(df), 0))

    return transform


def _auc(labels: np.ndarray, scores: np.ndarray, rng: np.random.Generator) -> dict:
    auc = float(roc_auc_score(labels, scores))
    members, others = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    boots = []
    for _ in range(BOOTSTRAP):  # resample each side, keeping the classes balanced
        idx = np.concatenate([rng.choice(members, len(members)), rng.choice(others, len(others))])
        boots.append(roc_auc_score(labels[idx], scores[idx]))
    se = float(np.std(boots, ddof=1))
    return {"auc": auc, "se": se, "ci95": [auc - 1.96 * se, auc + 1.96 * se]}


MIN_ROWS = 10  # members, non-members and synthetic rows each attack needs at least


def feasible_attacks(
    n_train: int, n_holdout: int, n_synthetic: int, attacks: Sequence[str] = ATTACKS
) -> list[str]:
    """The ``attacks`` that tables of these sizes allow: every attack needs :data:`MIN_ROWS`
    training, holdout and synthetic rows; the classifier splits the holdout into non-members
    and reference rows, so it needs twice as many holdout rows."""
    if min(n_train, n_synthetic) < MIN_ROWS:
        return []
    return [a for a in attacks if n_holdout >= (2 * MIN_ROWS if a == "classifier" else MIN_ROWS)]


def reading(auc: float) -> str:
    """A one-line reading of a membership-inference AUC."""
    if auc < WEAK:
        return "no measurable membership signal (AUC near 0.5, the ideal)"
    if auc < STRONG:
        return "a weak membership signal: some training rows are recognisable"
    return "a strong membership signal: the synthetic rows give training rows away"


def membership_inference(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    infos: list[ColumnInfo] | None = None,
    seed: int = 0,
    attacks: Sequence[str] = ATTACKS,
    max_candidates: int = MAX_CANDIDATES,
) -> dict:
    """Run membership-inference attacks on a synthetic table.

    Parameters
    ----------
    train : DataFrame
        The rows the synthesizer was trained on (members).
    holdout : DataFrame
        Real rows from the same source it never saw (non-members; the classifier attack also
        takes its reference rows from here).
    synthetic : DataFrame
        The rows under judgement, with the columns of ``train``.
    infos : list of ColumnInfo, optional
        How to read each column (default: inferred from ``train``).
    seed : int
        Seeds the subsamples, the split of the holdout, the classifier and the bootstrap.
    attacks : sequence of str
        Any of ``"distance"`` and ``"classifier"``.
    max_candidates : int
        At most this many members and as many non-members.

    Returns
    -------
    dict
        Per attack ``{"auc", "se", "ci95"}``; ``auc`` (the largest attack's), ``attack``
        (which), ``reading`` and ``rows`` (members, non-members, synthetic, reference).

    Raises
    ------
    InvalidDataError
        Unknown attack, mismatched columns, or too few rows for the attack.
    """
    unknown = [a for a in attacks if a not in ATTACKS]
    if unknown or not attacks:
        raise InvalidDataError(f"unknown attack(s) {unknown}; choose from {list(ATTACKS)}")
    holdout = check_columns(train, holdout, "holdout")
    synthetic = check_columns(train, synthetic, "synthetic")
    infos = infer_columns(train) if infos is None else infos
    train, holdout, synthetic = (canonical(df, infos) for df in (train, holdout, synthetic))
    rng = np.random.default_rng(seed)
    need_reference = "classifier" in attacks
    # the holdout gives the non-member candidates and, for the classifier, its reference rows
    shuffled = holdout.iloc[rng.permutation(len(holdout))]
    half = len(shuffled) // 2 if need_reference else len(shuffled)
    n = min(len(train), half, int(max_candidates))
    if n < MIN_ROWS or len(synthetic) < MIN_ROWS:
        raise InvalidDataError(
            f"membership inference needs at least {MIN_ROWS} training, {MIN_ROWS} holdout "
            f"({2 * MIN_ROWS} for the classifier attack) and {MIN_ROWS} synthetic rows"
        )
    members = subsample(train, n, rng)
    non_members = shuffled.iloc[:n]
    reference = shuffled.iloc[half:] if need_reference else shuffled.iloc[:0]
    candidates = pd.concat([members, non_members], ignore_index=True)
    labels = np.r_[np.ones(n), np.zeros(n)]
    synth = subsample(synthetic, MAX_SYNTHETIC, rng)
    transform = _features(synth, infos)
    points = transform(candidates)
    out: dict = {}
    if "distance" in attacks:
        nn = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(transform(synth))
        dist = nn.kneighbors(points, return_distance=True)[0][:, 0]
        out["distance"] = _auc(labels, -dist, rng)
    if "classifier" in attacks:
        ref = subsample(reference, len(synth), rng)
        x = np.vstack([transform(synth), transform(ref)])
        y = np.r_[np.ones(len(synth)), np.zeros(len(ref))]
        clf = HistGradientBoostingClassifier(max_iter=200, random_state=int(rng.integers(2**31)))
        # one OpenMP thread: on a few shared cores, spinning worker threads made this fit
        # ~80x slower (60 s against 0.7 s for 600 rows, measured while writing this)
        with threadpool_limits(limits=1, user_api="openmp"):
            clf.fit(x, y)
            proba = clf.predict_proba(points)[:, 1]
        out["classifier"] = _auc(labels, proba, rng)
    best = max((a for a in ATTACKS if a in out), key=lambda a: out[a]["auc"])
    out.update(
        auc=out[best]["auc"],
        attack=best,
        reading=reading(out[best]["auc"]),
        rows={
            "members": n,
            "non_members": n,
            "synthetic": len(synth),
            "reference": len(reference) if need_reference else 0,
        },
    )
    return out
