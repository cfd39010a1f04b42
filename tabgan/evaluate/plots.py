"""The report's pictures, drawn with matplotlib's object API (no pyplot, no global state).

Each function returns PNG bytes, ready to embed in the HTML report or save as a file.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tabgan.evaluate.columns import NUMERIC, ColumnInfo

REAL_COLOR = "#1f77b4"
SYN_COLOR = "#ff7f0e"
# The marginal grid shows at most this many columns; the report says when some are left out.
MAX_MARGINALS = 48
_TOP_CATEGORIES = 10
_DPI = 90


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    return buffer.getvalue()


def _short(text: str, n: int = 14) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _numeric_panel(ax, real: pd.Series, syn: pd.Series, source: str) -> None:
    r, s = real.dropna().to_numpy(float), syn.dropna().to_numpy(float)
    if len(r) == 0 and len(s) == 0:
        ax.text(0.5, 0.5, "all missing", ha="center", va="center", transform=ax.transAxes)
        return
    # Bins span the real bulk (0.5-99.5th percentile) so one wild value cannot flatten the plot.
    base = r if len(r) else s
    lo, hi = np.percentile(base, [0.5, 99.5])
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    bins = np.linspace(lo, hi, 31)
    for values, color, label in ((r, REAL_COLOR, "real"), (s, SYN_COLOR, "synthetic")):
        if len(values):
            ax.hist(
                np.clip(values, lo, hi),
                bins=bins,
                density=True,
                alpha=0.5,
                color=color,
                label=label,
            )
    if source == "datetime":
        ax.set_xlabel("days since 1970-01-01", fontsize=7)


def _categorical_panel(ax, real: pd.Series, syn: pd.Series) -> None:
    top = list(real.value_counts().index[:_TOP_CATEGORIES])

    def shares(values: pd.Series) -> list[float]:
        n = max(len(values), 1)
        counts = values.value_counts()
        kept = [float(counts.get(c, 0)) / n for c in top]
        missing = float(values.isna().sum()) / n
        return [*kept, max(0.0, 1.0 - sum(kept) - missing), missing]

    labels = [_short(c) for c in top] + ["(other)", "(missing)"]
    x = np.arange(len(labels))
    ax.bar(x - 0.2, shares(real), width=0.4, color=REAL_COLOR, label="real")
    ax.bar(x + 0.2, shares(syn), width=0.4, color=SYN_COLOR, label="synthetic")
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=6)


def marginals_png(
    real: pd.DataFrame, synthetic: pd.DataFrame, infos: list[ColumnInfo], scores: dict
) -> bytes:
    """A grid of real-vs-synthetic marginals: histograms for numbers, bars for categories."""
    shown = infos[:MAX_MARGINALS]
    ncols = 4
    nrows = int(np.ceil(len(shown) / ncols))
    fig = Figure(figsize=(3.2 * ncols, 2.6 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, info in zip(axes, shown, strict=False):
        if info.kind == NUMERIC:
            _numeric_panel(ax, real[info.name], synthetic[info.name], info.source)
        else:
            _categorical_panel(ax, real[info.name], synthetic[info.name])
        col = scores.get(str(info.name), {})
        stat = f"{col.get('statistic', '').upper()} {col.get('value', float('nan')):.3f}"
        ax.set_title(f"{_short(info.name, 24)}  ({stat})", fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_yticks([])
    for ax in axes[len(shown) :]:
        ax.set_axis_off()
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside upper right", fontsize=8, ncols=2)
    return _png(fig)


def heatmap_png(columns: list[str], real: np.ndarray, synthetic: np.ndarray) -> bytes:
    """Heatmap of |association(real) - association(synthetic)| for every column pair."""
    diff = np.abs(np.asarray(real) - np.asarray(synthetic))
    k = len(columns)
    size = min(12.0, max(4.0, 0.45 * k + 2))
    fig = Figure(figsize=(size + 1.2, size), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(diff, vmin=0.0, vmax=1.0, cmap="Reds")
    labels = [_short(c, 18) for c in columns]
    fontsize = 8 if k <= 20 else 6 if k <= 40 else 4
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xticklabels(labels, rotation=90, fontsize=fontsize)
    ax.set_yticklabels(labels, fontsize=fontsize)
    if k <= 20:
        for i in range(k):
            for j in range(k):
                if i != j:
                    ax.text(
                        j,
                        i,
                        f"{diff[i, j]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=5.5,
                        color="white" if diff[i, j] > 0.5 else "black",
                    )
    ax.set_title("Association difference |real - synthetic| (0 is ideal)", fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8)
    return _png(fig)


def utility_png(utility: dict) -> bytes:
    """Grouped bars: train-on-real vs train-on-synthetic score per model family."""
    names = list(utility)
    metric = utility[names[0]]["metric"]
    trtr = [utility[n]["trtr"] for n in names]
    tstr = [utility[n]["tstr"] for n in names]
    x = np.arange(len(names))
    fig = Figure(figsize=(1.8 * len(names) + 2.5, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.bar(x - 0.2, trtr, width=0.4, color=REAL_COLOR, label="train real, test real (TRTR)")
    ax.bar(x + 0.2, tstr, width=0.4, color=SYN_COLOR, label="train synthetic, test real (TSTR)")
    if metric == "roc_auc":
        ax.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="chance (AUC 0.5)")
        ax.set_ylim(0.0, 1.05)
    else:
        ax.axhline(0.0, color="grey", linewidth=1)
    for xi, (a, b) in enumerate(zip(trtr, tstr, strict=True)):
        ax.text(xi - 0.2, a, f"{a:.3f}", ha="center", va="bottom", fontsize=7)
        ax.text(xi + 0.2, b, f"{b:.3f}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x)
    ax.set_xticklabels([n.replace("_", " ") for n in names], fontsize=8)
    ax.set_ylabel({"roc_auc": "ROC AUC", "r2": "R²"}.get(metric, metric))
    ax.set_title("Utility on the real holdout", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3)
    return _png(fig)


def dcr_png(distances: dict[str, np.ndarray]) -> bytes:
    """Histograms of the distance to the closest training row: synthetic vs real holdout."""
    syn, hold = distances["synthetic"], distances["holdout"]
    both = np.concatenate([syn, hold])
    hi = float(np.percentile(both, 99)) if len(both) else 1.0
    bins = np.linspace(0.0, hi if hi > 0 else 1.0, 41)
    fig = Figure(figsize=(6.0, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.hist(
        np.clip(hold, 0, bins[-1]),
        bins=bins,
        density=True,
        alpha=0.5,
        color=REAL_COLOR,
        label="real holdout → training rows",
    )
    ax.hist(
        np.clip(syn, 0, bins[-1]),
        bins=bins,
        density=True,
        alpha=0.5,
        color=SYN_COLOR,
        label="synthetic → training rows",
    )
    ax.set_xlabel("distance to closest training row (DCR)")
    ax.set_yticks([])
    ax.set_title("Distance to closest record (a spike at 0 means copies)", fontsize=10)
    ax.legend(fontsize=7)
    return _png(fig)
