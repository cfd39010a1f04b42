"""The report's pictures, drawn with matplotlib's object API (no pyplot, no global state).

Each function returns PNG bytes, ready to embed in the HTML report or save as a file. The
conventions: real data in blue, synthetic in orange; where both are drawn on one axis the real
rows are filled bars and the synthetic rows an outline, so nothing blends into a colour the
legend does not show; every y-axis is labelled and scaled in share of rows; category labels
are horizontal, wrapped rather than cut.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from tabgan.evaluate.columns import NUMERIC, ColumnInfo
from tabgan.evaluate.quality import PAIR_BINS

REAL_COLOR = "#1f77b4"
SYN_COLOR = "#e8710a"
#: the marginal charts shown at most (worst first); the report says when some are left out
MAX_MARGINALS = 60
#: categories drawn per categorical chart (by real share); the rest pool into "other"
TOP_CATEGORIES = 8
_DPI = 96
_FONT = 9
_PANEL_COLUMNS = 3
_PAGE_INCHES = 12.0


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    return buffer.getvalue()


def wrap_label(text: object, width: int = 22, lines: int = 2) -> str:
    """A category or column label on at most ``lines`` lines of ``width`` characters."""
    parts = textwrap.wrap(str(text), width=width, break_long_words=True) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1] + "…"
    return "\n".join(parts)


def _days_formatter(span_days: float) -> FuncFormatter:
    def fmt(value, _pos):
        try:
            stamp = pd.Timestamp("1970-01-01") + pd.Timedelta(days=float(value))
        except (OverflowError, ValueError):
            return ""
        return stamp.strftime("%Y-%m-%d" if span_days < 3 * 365 else "%Y")

    return FuncFormatter(fmt)


def histogram_bins(base: np.ndarray, most: int = 30) -> np.ndarray:
    """Bin edges for a numeric panel: one bar per whole number where the values are a few whole
    numbers close together (a count, a rating), else ``most`` equal bins over the real bulk (the
    0.5-99.5th percentile, so one wild value cannot flatten the plot; values beyond are counted
    in the end bins). A few whole numbers far apart (capital-gain's 0 and 99,999) get equal
    bins too: a bar per whole number between them would be 100,000 bars."""
    distinct = np.unique(base)
    whole = np.all(distinct == np.round(distinct))
    if len(distinct) <= most and whole and distinct.max() - distinct.min() < 2 * most:
        return np.arange(distinct.min() - 0.5, distinct.max() + 1.0)
    lo, hi = np.percentile(base, [0.5, 99.5])
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, most + 1)


def _numeric_panel(ax, real: pd.Series, syn: pd.Series, source: str) -> None:
    r, s = real.dropna().to_numpy(float), syn.dropna().to_numpy(float)
    if len(r) == 0 and len(s) == 0:
        ax.text(0.5, 0.5, "all values missing", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return
    bins = histogram_bins(r if len(r) else s)
    lo, hi = bins[0], bins[-1]
    n_r, n_s = max(len(real), 1), max(len(syn), 1)
    if len(r):
        ax.hist(
            np.clip(r, lo, hi),
            bins=bins,
            weights=np.full(len(r), 1.0 / n_r),
            color=REAL_COLOR,
            alpha=0.45,
            label="real",
        )
    if len(s):
        ax.hist(
            np.clip(s, lo, hi),
            bins=bins,
            weights=np.full(len(s), 1.0 / n_s),
            histtype="step",
            linewidth=1.8,
            color=SYN_COLOR,
            label="synthetic",
        )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("share of rows", fontsize=_FONT - 1)
    if source == "datetime":
        ax.xaxis.set_major_formatter(_days_formatter(hi - lo))
    elif max(abs(lo), abs(hi)) >= 10_000:
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
    ax.locator_params(axis="x", nbins=6)


def _compact(value: float, _pos=None) -> str:
    """Large tick values as 150k, 2.5M."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def category_shares(real: pd.Series, syn: pd.Series, top: int = TOP_CATEGORIES):
    """Labels and real/synthetic shares of the top real categories, plus "other" and
    "(missing)" only where either table has some."""
    keep = list(real.value_counts().index[:top])

    def shares(values: pd.Series) -> list[float]:
        n = max(len(values), 1)
        counts = values.value_counts()
        kept = [float(counts.get(c, 0)) / n for c in keep]
        missing = float(values.isna().sum()) / n
        return [*kept, max(0.0, 1.0 - sum(kept) - missing), missing]

    labels = [str(c) for c in keep]
    others = len(set(real.dropna()) | set(syn.dropna())) - len(keep)
    labels += [f"(other: {others} values)", "(missing)"]
    a, b = shares(real), shares(syn)
    used = [i for i in range(len(labels)) if i < len(keep) or a[i] > 1e-9 or b[i] > 1e-9]
    return [labels[i] for i in used], [a[i] for i in used], [b[i] for i in used]


def _categorical_panel(ax, real: pd.Series, syn: pd.Series) -> None:
    labels, a, b = category_shares(real, syn)
    y = np.arange(len(labels))
    ax.barh(y - 0.2, a, height=0.4, color=REAL_COLOR, alpha=0.85, label="real")
    ax.barh(
        y + 0.2, b, height=0.4, color="white", edgecolor=SYN_COLOR, linewidth=1.6,
        label="synthetic",
    )  # fmt: skip
    ax.set_yticks(y)
    ax.set_yticklabels([wrap_label(t) for t in labels], fontsize=_FONT - 1)
    ax.invert_yaxis()  # the most common category on top
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("share of rows", fontsize=_FONT - 1)


def marginals_png(
    real: pd.DataFrame, synthetic: pd.DataFrame, infos: list[ColumnInfo], scores: dict
) -> bytes:
    """A grid of real-vs-synthetic marginals in the order of ``infos`` (give them worst first).

    ``scores`` maps a column to its ``{"score", "metric"}`` (column shape), shown in the title.
    """
    shown = infos[:MAX_MARGINALS]
    ncols = min(_PANEL_COLUMNS, len(shown))
    nrows = int(np.ceil(len(shown) / ncols))
    fig = Figure(figsize=(4.4 * ncols, 3.1 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, info in zip(axes, shown, strict=False):
        if info.kind == NUMERIC:
            _numeric_panel(ax, real[info.name], synthetic[info.name], info.source)
        else:
            _categorical_panel(ax, real[info.name], synthetic[info.name])
        col = scores.get(str(info.name), {})
        score = col.get("score")
        stat = "1-KS" if col.get("metric") == "KSComplement" else "1-TVD"
        title = wrap_label(info.name, 34, 1)
        if score is not None:
            title += f"\n{stat} = {score:.3f}"
        ax.set_title(title, fontsize=_FONT)
        ax.tick_params(labelsize=_FONT - 1)
        ax.grid(axis="x" if info.kind != NUMERIC else "y", alpha=0.25)
    for ax in axes[len(shown) :]:
        ax.set_axis_off()
    handles = [
        _patch(REAL_COLOR, filled=True, label="real"),
        _patch(SYN_COLOR, filled=False, label="synthetic"),
    ]
    fig.legend(handles=handles, loc="outside upper center", fontsize=_FONT, ncols=2)
    return _png(fig)


def _patch(color: str, filled: bool, label: str):
    from matplotlib.patches import Patch

    if filled:
        return Patch(facecolor=color, alpha=0.6, label=label)
    return Patch(facecolor="white", edgecolor=color, linewidth=1.8, label=label)


def _heat(ax, mat, labels, vmin, vmax, cmap, title, numbers: bool):
    k = len(labels)
    # many columns: rows taller than wide (the figure grows down), so each label has its line
    image = ax.imshow(mat, vmin=vmin, vmax=vmax, cmap=cmap, aspect="equal" if k <= 40 else "auto")
    font = _FONT if k <= 10 else 7.5 if k <= 20 else 7 if k <= 60 else 6.5
    short = [wrap_label(c, 20, 1) for c in labels]
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xticklabels(short, rotation=90, fontsize=font)
    ax.set_yticklabels(short, fontsize=font)
    if numbers:
        span = vmax - vmin
        for i in range(k):
            for j in range(k):
                v = mat[i, j]
                dark = abs(v - (vmin + vmax) / 2) > 0.3 * span if vmin < 0 else v > 0.55 * vmax
                ax.text(
                    j, i, f"{v:.2f}", ha="center", va="center", fontsize=_FONT - 2,
                    color="white" if dark else "black",
                )  # fmt: skip
    ax.set_title(title, fontsize=_FONT + 1)
    return image


#: at most this many columns get the three matrices side by side (more: stacked)
SIDE_BY_SIDE_MAX = 20
#: at most this many columns get the values written in the cells
NUMBERS_MAX = 10


def matrices_png(columns: list[str], real: np.ndarray, synthetic: np.ndarray) -> bytes:
    """Real and synthetic association matrices side by side, and their absolute difference.

    Up to :data:`SIDE_BY_SIDE_MAX` columns: three panels in a row (values written in the cells
    up to :data:`NUMBERS_MAX`); more: the three stacked, each as large as its labels need.
    """
    real, synthetic = np.asarray(real), np.asarray(synthetic)
    diff = np.abs(real - synthetic)
    k = len(columns)
    small = k <= NUMBERS_MAX
    # sized to the page (about 12 in at 96 dpi), so the browser shows it unscaled
    if k <= SIDE_BY_SIDE_MAX:
        fig = Figure(figsize=(_PAGE_INCHES, 4.6), layout="constrained")
        axes = fig.subplots(1, 3)
    else:
        panel = max(_PAGE_INCHES - 1.2, 0.16 * k + 2.0)
        fig = Figure(figsize=(_PAGE_INCHES, 3 * panel), layout="constrained")
        axes = fig.subplots(3, 1)
    im = _heat(axes[0], real, columns, -1, 1, "RdBu_r", "Real", small)
    _heat(axes[1], synthetic, columns, -1, 1, "RdBu_r", "Synthetic", small)
    im_d = _heat(axes[2], diff, columns, 0, 1, "Reds", "|Real - synthetic| (0 is ideal)", small)
    fig.colorbar(im, ax=list(axes[:2]), shrink=0.7, label="association")
    fig.colorbar(im_d, ax=axes[2], shrink=0.7, label="difference")
    return _png(fig)


def _pair_codes(values: pd.Series, real_values: pd.Series, numeric: bool):
    """Labels and codes of one column of a pair: bins of the real range, or top categories."""
    if numeric:
        present = real_values.dropna().to_numpy(float)
        edges = np.histogram_bin_edges(present, bins=PAIR_BINS) if len(present) else [0.0, 1.0]
        inner = np.asarray(edges[1:-1])
        v = values.to_numpy(float)
        codes = np.searchsorted(inner, v, side="right")
        labels = [f"{edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(len(edges) - 1)]
        codes[np.isnan(v)] = len(labels)
        return codes, [*labels, "(missing)"]
    keep = list(real_values.value_counts().index[:TOP_CATEGORIES])
    cat = pd.Categorical(values, categories=keep)
    codes = cat.codes.astype(np.int64)
    codes[(codes < 0) & values.notna().to_numpy()] = len(keep)
    codes[values.isna().to_numpy()] = len(keep) + 1
    return codes, [str(c) for c in keep] + ["(other)", "(missing)"]


def pair_png(
    real: pd.DataFrame, synthetic: pd.DataFrame, a: ColumnInfo, b: ColumnInfo, score: float
) -> bytes:
    """One pair, real beside synthetic: scatter plots for two numbers, else heat tables of
    the two-way shares (numbers in the 10 bins the pair score uses)."""
    fig = Figure(figsize=(9.6, 4.0), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    title = f"{wrap_label(a.name, 30, 1)} × {wrap_label(b.name, 30, 1)}   (pair score {score:.3f})"
    fig.suptitle(title, fontsize=_FONT + 1)
    if a.kind == NUMERIC and b.kind == NUMERIC:
        ra, rb = real[a.name].to_numpy(float), real[b.name].to_numpy(float)
        lims = []
        for v in (ra, rb):
            p = v[~np.isnan(v)]
            lo, hi = np.percentile(p, [0.5, 99.5]) if len(p) else (0.0, 1.0)
            pad = 0.05 * (hi - lo or 1.0)
            lims.append((lo - pad, hi + pad))
        rng = np.random.default_rng(0)  # which points are drawn: a picture, not a statistic
        for ax, df, color, name in (
            (axes[0], real, REAL_COLOR, "real"),
            (axes[1], synthetic, SYN_COLOR, "synthetic"),
        ):
            x, y = df[a.name].to_numpy(float), df[b.name].to_numpy(float)
            idx = rng.permutation(len(x))[:2500]
            ax.scatter(x[idx], y[idx], s=5, alpha=0.35, color=color, linewidths=0)
            ax.set_xlim(*lims[0])
            ax.set_ylim(*lims[1])
            ax.set_title(f"{name} ({min(len(x), 2500)} of {len(x)} rows)", fontsize=_FONT)
            ax.set_xlabel(wrap_label(a.name, 40, 1), fontsize=_FONT)
            ax.grid(alpha=0.25)
        axes[0].set_ylabel(wrap_label(b.name, 40, 1), fontsize=_FONT)
        return _png(fig)
    tables = []
    for df in (real, synthetic):
        ca, la = _pair_codes(df[a.name], real[a.name], a.kind == NUMERIC)
        cb, lb = _pair_codes(df[b.name], real[b.name], b.kind == NUMERIC)
        t = np.bincount(ca * len(lb) + cb, minlength=len(la) * len(lb)).reshape(len(la), len(lb))
        tables.append(t / max(len(df), 1))
    # drop rows/columns empty in both tables (no empty "(missing)" slots)
    rows = np.flatnonzero(tables[0].sum(1) + tables[1].sum(1) > 0)
    cols = np.flatnonzero(tables[0].sum(0) + tables[1].sum(0) > 0)
    vmax = max(float(t.max()) for t in tables) or 1.0
    for ax, t, name in ((axes[0], tables[0], "real"), (axes[1], tables[1], "synthetic")):
        sub = t[np.ix_(rows, cols)]
        image = ax.imshow(sub, cmap="Blues", vmin=0, vmax=vmax, aspect="auto")
        if sub.size <= 120:
            for i in range(sub.shape[0]):
                for j in range(sub.shape[1]):
                    ax.text(
                        j, i, f"{sub[i, j]:.0%}", ha="center", va="center", fontsize=_FONT - 2,
                        color="white" if sub[i, j] > 0.6 * vmax else "black",
                    )  # fmt: skip
        ax.set_xticks(range(len(cols)))
        ax.set_xticklabels([wrap_label(lb[j], 12) for j in cols], rotation=90, fontsize=_FONT - 1)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([wrap_label(la[i], 18) for i in rows], fontsize=_FONT - 1)
        ax.set_title(f"{name}: share of rows per cell", fontsize=_FONT)
        ax.set_xlabel(wrap_label(b.name, 40, 1), fontsize=_FONT)
    axes[0].set_ylabel(wrap_label(a.name, 40, 1), fontsize=_FONT)
    fig.colorbar(image, ax=list(axes), shrink=0.8, format=PercentFormatter(1.0, decimals=0))
    return _png(fig)


def tells_png(tells: list[dict], top: int = 15) -> bytes:
    """Horizontal bars: how much the detector's AUC drops without each column, largest first."""
    shown = tells[:top]
    fig = Figure(figsize=(7.5, 0.34 * len(shown) + 1.2), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(shown))
    drops = [max(t["auc_drop"], 0.0) for t in shown]
    errs = [t.get("auc_drop_std", 0.0) for t in shown]
    ax.barh(y, drops, xerr=errs, color=SYN_COLOR, alpha=0.85, error_kw={"elinewidth": 0.8})
    ax.set_yticks(y)
    ax.set_yticklabels([wrap_label(t["column"], 28, 1) for t in shown], fontsize=_FONT)
    ax.invert_yaxis()
    ax.set_xlabel("detector AUC lost when the column is shuffled (larger = bigger give-away)")
    ax.grid(axis="x", alpha=0.25)
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
        ax.text(xi - 0.2, a, f"{a:.3f}", ha="center", va="bottom", fontsize=_FONT - 1)
        ax.text(xi + 0.2, b, f"{b:.3f}", ha="center", va="bottom", fontsize=_FONT - 1)
    ax.set_xticks(x)
    ax.set_xticklabels([n.replace("_", " ") for n in names], fontsize=_FONT)
    ax.set_ylabel({"roc_auc": "ROC AUC", "r2": "R²"}.get(metric, metric))
    ax.set_title("Utility on the real holdout", fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3)
    return _png(fig)


def dcr_png(distances: dict[str, np.ndarray]) -> bytes:
    """Distance to the closest training row: real holdout (bars) vs synthetic (outline)."""
    syn, hold = distances["synthetic"], distances["holdout"]
    both = np.concatenate([syn, hold])
    hi = float(np.percentile(both, 99)) if len(both) else 1.0
    bins = np.linspace(0.0, hi if hi > 0 else 1.0, 41)
    fig = Figure(figsize=(7.0, 3.4), layout="constrained")
    ax = fig.subplots()
    for values, kw in (
        (hold, {"color": REAL_COLOR, "alpha": 0.45, "label": "real holdout rows"}),
        (
            syn,
            {"color": SYN_COLOR, "histtype": "step", "linewidth": 1.8, "label": "synthetic rows"},
        ),
    ):
        if len(values):
            ax.hist(
                np.clip(values, 0, bins[-1]),
                bins=bins,
                weights=np.full(len(values), 1.0 / len(values)),
                **kw,
            )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("share of rows")
    ax.set_xlabel("distance to the closest training row (DCR; values past the 99th pct. at right)")
    ax.set_title("Distance to closest record (a spike at 0 means copies)", fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1)
    ax.grid(axis="y", alpha=0.25)
    return _png(fig)
