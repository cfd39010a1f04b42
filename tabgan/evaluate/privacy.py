"""Privacy: are synthetic rows copies of (or suspiciously close to) training rows?

Two checks. Exact copies: the share of synthetic rows equal, in every column, to some
training row (on the full tables). Distance to closest record (DCR): for each synthetic row,
the distance to the nearest training row, compared with the same distance for real holdout
rows; synthetic rows much closer to the training rows than fresh real rows are memorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from tabgan.evaluate.columns import NUMERIC, ColumnInfo, subsample

# Bounds that keep the neighbour search to a few seconds on two cores.
MAX_QUERY = 5_000
MAX_REFERENCE = 30_000
# Flag rules: copies above this share (or twice what fresh real rows show), or a median
# synthetic DCR below this fraction of the holdout's.
EXACT_MATCH_LIMIT = 0.05
DCR_RATIO_LIMIT = 0.5
_MAX_ONEHOT = 50
_NA_TEXT = "\x00<NA>"


def row_hashes(df: pd.DataFrame, infos: list[ColumnInfo]) -> np.ndarray:
    """A 64-bit hash per row over all columns, equal for rows equal in every value.

    Missing values are made explicit (NaN bit patterns vary), so two missing cells match.
    """
    parts = {}
    for info in infos:
        col = df[info.name]
        if info.kind == NUMERIC:
            missing = col.isna()
            parts[f"{info.name}\x00v"] = col.fillna(0.0).astype("float64") + 0.0  # -0.0 -> 0.0
            parts[f"{info.name}\x00m"] = missing.astype("uint8")
        else:
            parts[str(info.name)] = col.astype(object).where(col.notna(), _NA_TEXT).astype(str)
    return pd.util.hash_pandas_object(pd.DataFrame(parts), index=False).to_numpy()


def exact_match_rate(
    query: pd.DataFrame, reference: pd.DataFrame, infos: list[ColumnInfo]
) -> float:
    """Share of ``query`` rows identical to at least one ``reference`` row."""
    if len(query) == 0:
        return 0.0
    return float(np.isin(row_hashes(query, infos), row_hashes(reference, infos)).mean())


class _Encoder:
    """Rows to points: robustly scaled numbers plus one-hot categories.

    Numbers are centred on the training median and divided by the interquartile range, so one
    unit is "a typical spread" in every column; a missing number adds a 1 in an indicator.
    A category mismatch costs a distance of 1, like a one-IQR difference.
    """

    def __init__(self, train: pd.DataFrame, infos: list[ColumnInfo]) -> None:
        self.infos = infos
        self.stats = {}
        for info in infos:
            col = train[info.name]
            if info.kind == NUMERIC:
                present = col.dropna()
                med = float(present.median()) if len(present) else 0.0
                q1, q3 = present.quantile([0.25, 0.75]) if len(present) else (0.0, 0.0)
                scale = float(q3 - q1) or float(present.std() or 0.0) or 1.0
                self.stats[info.name] = (med, scale)
            else:
                self.stats[info.name] = list(col.value_counts().index[:_MAX_ONEHOT])

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        parts = []
        for info in self.infos:
            col = df[info.name]
            if info.kind == NUMERIC:
                med, scale = self.stats[info.name]
                missing = col.isna().to_numpy()
                parts.append(((col.fillna(med).to_numpy(dtype=float) - med) / scale)[:, None])
                parts.append(missing[:, None].astype(float))
            else:
                cats = self.stats[info.name]
                codes = pd.Categorical(col, categories=cats).codes
                onehot = np.zeros((len(df), len(cats) + 2))
                # Extra slots: rare/unseen category and missing, each a value of its own.
                codes = np.where(codes >= 0, codes, len(cats))
                codes[col.isna().to_numpy()] = len(cats) + 1
                onehot[np.arange(len(df)), codes] = np.sqrt(0.5)
                parts.append(onehot)
        return np.hstack(parts)


def _summary(d: np.ndarray) -> dict[str, float]:
    return {
        "median": float(np.median(d)),
        "p05": float(np.percentile(d, 5)),
        "mean": float(np.mean(d)),
    }


def privacy(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    infos: list[ColumnInfo],
    seed: int,
    all_real: pd.DataFrame | None = None,
) -> tuple[dict, dict[str, np.ndarray]]:
    """Exact-copy rate and distance to closest record (canonical tables in).

    Parameters
    ----------
    train, holdout : DataFrame
        Real rows the distances are measured to, and fresh real rows used as the yardstick.
    synthetic : DataFrame
        The rows under judgement.
    all_real : DataFrame, optional
        Every row the synthesizer may have seen (defaults to ``train``); exact copies are
        counted against these.

    Returns
    -------
    scores : dict
        ``exact_match_rate``, ``holdout_exact_match_rate``, ``dcr_synthetic``,
        ``dcr_holdout`` (median, p05, mean), ``dcr_ratio``, ``flag``, ``reasons``.
    distances : dict
        The raw DCR arrays ``synthetic`` and ``holdout`` (for the histogram).
    """
    rng = np.random.default_rng(seed)
    seen = train if all_real is None else all_real
    exact = exact_match_rate(synthetic, seen, infos)
    holdout_exact = exact_match_rate(holdout, train, infos)

    reference = subsample(train, MAX_REFERENCE, rng)
    enc = _Encoder(train, infos)
    nn = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(enc.transform(reference))
    dist = {}
    for name, df in (("synthetic", synthetic), ("holdout", holdout)):
        points = enc.transform(subsample(df, MAX_QUERY, rng))
        dist[name] = nn.kneighbors(points, return_distance=True)[0][:, 0]

    d_syn, d_hold = _summary(dist["synthetic"]), _summary(dist["holdout"])
    ratio = d_syn["median"] / d_hold["median"] if d_hold["median"] > 0 else None
    reasons = []
    limit = max(EXACT_MATCH_LIMIT, 2 * holdout_exact)
    if exact > limit:
        reasons.append(
            f"{exact:.1%} of synthetic rows copy a training row exactly "
            f"(fresh real rows: {holdout_exact:.1%}; limit {limit:.1%})"
        )
    if ratio is not None and ratio < DCR_RATIO_LIMIT:
        reasons.append(
            f"synthetic rows lie much closer to training rows than fresh real rows do "
            f"(median DCR ratio {ratio:.2f} < {DCR_RATIO_LIMIT})"
        )
    scores = {
        "exact_match_rate": exact,
        "holdout_exact_match_rate": holdout_exact,
        "dcr_synthetic": d_syn,
        "dcr_holdout": d_hold,
        "dcr_ratio": ratio,
        "flag": bool(reasons),
        "reasons": reasons,
        "rows": {
            "reference": len(reference),
            "synthetic": len(dist["synthetic"]),
            "holdout": len(dist["holdout"]),
        },
    }
    return scores, dist
