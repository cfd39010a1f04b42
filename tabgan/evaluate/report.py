"""Human-facing output: the terminal summary table and the self-contained HTML report."""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING

from rich.table import Table

from tabgan.evaluate import plots

if TYPE_CHECKING:
    from tabgan.evaluate.result import EvaluationResult


# Plain-language readings. The cut-offs are rules of thumb, not statistical tests; the
# report always shows the raw figures (and the real-vs-real baseline) next to them.
def read_lift(v: float | None) -> str:
    """Reading of the chance-adjusted utility ratio."""
    if v is None:
        return "n/a"
    if v >= 0.9:
        return "close to real"
    if v >= 0.7:
        return "useful, some loss"
    if v >= 0.4:
        return "weak"
    return "poor: little of what real rows teach"


def read_distance(v: float | None) -> str:
    """Reading of a mean KS / TVD / association difference."""
    if v is None:
        return "n/a"
    if v < 0.05:
        return "close"
    if v < 0.15:
        return "moderate differences"
    return "far apart"


def read_detection(v: float | None) -> str:
    """Reading of the real-vs-synthetic detection AUC."""
    if v is None:
        return "n/a"
    if v <= 0.6:
        return "hard to tell apart"
    if v <= 0.8:
        return "noticeably different"
    if v <= 0.95:
        return "easy to spot"
    return "trivially told apart"


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "n/a"
    return f"{v:.1%}" if pct else f"{v:.3f}"


def _rows(result: EvaluationResult) -> list[tuple[str, str, str, str]]:
    s = result.summary_scores
    base = result.fidelity.get("baseline", {})
    rows = []
    if result.utility:
        metric = s["utility_metric"]
        rows.append(
            (
                "Utility",
                f"mean TSTR/TRTR ({metric})",
                _fmt(s["utility_ratio_mean"]),
                "1.0 = as useful as real rows",
            )
        )
        rows.append(
            (
                "Utility",
                "mean lift over chance",
                _fmt(s["utility_lift_mean"]),
                read_lift(s["utility_lift_mean"]),
            )
        )
        skill = s.get("utility_brier_skill_ratio_mean")
        if skill is not None:
            rows.append(("Utility", "mean TSTR/TRTR (Brier skill)", _fmt(skill), read_lift(skill)))
    else:
        rows.append(("Utility", "skipped", "-", "give a target column to score utility"))
    for key, label in (
        ("ks_mean", "mean KS (numeric)"),
        ("tvd_mean", "mean TVD (categorical)"),
        ("association_diff", "association difference"),
    ):
        if s.get(key) is not None:
            real_real = base.get(key)
            extra = f" (real vs real {real_real:.3f})" if real_real is not None else ""
            rows.append(("Fidelity", label, _fmt(s[key]), read_distance(s[key]) + extra))
    rows.append(
        (
            "Detection",
            "real-vs-synthetic AUC",
            _fmt(s["detection_auc"]),
            read_detection(s["detection_auc"]) + " (0.5 ideal)",
        )
    )
    p = result.privacy
    rows.append(
        (
            "Privacy",
            "exact copies of training rows",
            _fmt(p["exact_match_rate"], True),
            f"fresh real rows: {_fmt(p['holdout_exact_match_rate'], True)}",
        )
    )
    rows.append(
        (
            "Privacy",
            "median DCR synthetic / holdout",
            _fmt(p["dcr_ratio"]),
            "about 1 is expected; near 0 means copies",
        )
    )
    rows.append(
        (
            "Privacy",
            "verdict",
            "FLAGGED" if p["flag"] else "ok",
            "; ".join(p["reasons"])
            if p["flag"]
            else "no sign of copying (not a formal privacy guarantee)",
        )
    )
    return rows


def summary_table(result: EvaluationResult) -> Table:
    """The headline figures as a ``rich`` table, with how the holdout was formed."""
    setup = result.setup
    caption = f"holdout: {setup['holdout']}, {setup['rows']['holdout']} rows"
    table = Table(title="Synthetic data evaluation", caption=caption)
    for name in ("Area", "Figure", "Value", "Reading"):
        table.add_column(name, overflow="fold")
    for area, figure, value, reading in _rows(result):
        style = "bold red" if value == "FLAGGED" else None
        table.add_row(area, figure, value, reading, style=style)
    return table


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;
margin-top:1.6em}table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}th{background:#f4f4f4}
img{max-width:100%;height:auto}.warn{background:#fff4e5;border-left:4px solid #f0a020;
padding:.6em 1em}.flag{background:#fdecea;border-left:4px solid #d93025;padding:.6em 1em}
.muted{color:#666;font-size:.9em}
"""


def _utility_section(result: EvaluationResult) -> list[str]:
    out = ["<h2>Utility: train on synthetic, test on real</h2>"]
    if not result.utility:
        out.append("<p>Skipped: no target column was given.</p>")
        return out
    setup = result.setup
    out.append(
        f"<p>Target <code>{html.escape(str(setup['target']))}</code> ({setup['task']}). "
        "Each model family is trained once on the real training rows (TRTR) and once on the "
        "synthetic rows (TSTR); both are scored on the same real holdout. A ratio near 1 means "
        "the synthetic rows teach what the real ones teach.</p>"
    )
    metrics = list(next(iter(result.utility.values()))["scores"])
    rows = []
    for name, m in result.utility.items():
        cells = [name]
        for metric in metrics:
            cells += [_fmt(m["scores"][metric]["trtr"]), _fmt(m["scores"][metric]["tstr"])]
        rows.append([*cells, _fmt(m["ratio"])])
    header = ["model"] + [f"{m} {w}" for m in metrics for w in ("TRTR", "TSTR")]
    out.append(_table([*header, f"ratio ({result.summary_scores['utility_metric']})"], rows))
    out.append(_img(plots.utility_png(result.utility), "utility bars"))
    return out


def _fidelity_section(result: EvaluationResult) -> list[str]:
    f = result.fidelity
    base = f.get("baseline", {})
    out = [
        "<h2>Fidelity: columns and pairs</h2>",
        "<p>KS statistic (numeric) and total variation distance (categorical) per column, "
        "0 is identical, 1 is disjoint; the real-vs-real column shows what two samples of "
        "the real data score.</p>",
    ]
    rows = []
    for key in ("ks_mean", "tvd_mean", "missing_diff_mean", "association_diff"):
        rows.append([key, _fmt(f.get(key)), _fmt(base.get(key))])
    out.append(_table(["figure", "synthetic vs real", "real holdout vs real"], rows))
    col_rows = [
        [
            name,
            c["kind"],
            c["statistic"].upper(),
            _fmt(c["value"]),
            _fmt(c["missing_real"], True),
            _fmt(c["missing_synthetic"], True),
        ]
        for name, c in f["columns"].items()
    ]
    out.append(
        _table(
            ["column", "kind", "statistic", "value", "missing (real)", "missing (synthetic)"],
            col_rows,
        )
    )
    infos = result._infos
    if result._frames and infos:
        out.append("<h3>Marginals</h3>")
        if len(infos) > plots.MAX_MARGINALS:
            out.append(
                f"<p class='muted'>First {plots.MAX_MARGINALS} of {len(infos)} columns shown.</p>"
            )
        out.append(
            _img(
                plots.marginals_png(
                    result._frames["real"], result._frames["synthetic"], infos, f["columns"]
                ),
                "marginals",
            )
        )
    a = result.association
    if a and len(a["columns"]) > 1:
        out.append(
            "<h3>Pairwise associations</h3><p>Pearson for numeric pairs, Cramér's V for "
            "categorical pairs, correlation ratio for mixed pairs; the heatmap shows the "
            "absolute difference between the real and synthetic matrices.</p>"
        )
        out.append(
            _img(
                plots.heatmap_png(a["columns"], a["real"], a["synthetic"]),
                "association difference heatmap",
            )
        )
    return out


def _privacy_section(result: EvaluationResult) -> list[str]:
    p = result.privacy
    out = ["<h2>Privacy: copies and distance to closest record</h2>"]
    if p["flag"]:
        items = "".join(f"<li>{html.escape(r)}</li>" for r in p["reasons"])
        out.append(f"<div class='flag'><b>Privacy problem flagged.</b><ul>{items}</ul></div>")
    rows = [
        [
            "exact copies of training rows",
            _fmt(p["exact_match_rate"], True),
            _fmt(p["holdout_exact_match_rate"], True),
        ],
        ["median DCR", _fmt(p["dcr_synthetic"]["median"]), _fmt(p["dcr_holdout"]["median"])],
        ["5th percentile DCR", _fmt(p["dcr_synthetic"]["p05"]), _fmt(p["dcr_holdout"]["p05"])],
    ]
    out.append(_table(["figure", "synthetic", "real holdout"], rows))
    out.append(
        "<p class='muted'>Distances use numbers scaled by the training interquartile "
        "range and one-hot categories (a category mismatch counts 1). Synthetic rows "
        "should be about as far from the training rows as fresh real rows are. No flag "
        "is not a formal privacy guarantee.</p>"
    )
    if result._dcr:
        out.append(_img(plots.dcr_png(result._dcr), "DCR histograms"))
    return out


def render_html(result: EvaluationResult) -> str:
    """One HTML page with every section; images are embedded, nothing is fetched."""
    s, setup = result.summary_scores, result.setup
    rows = setup["rows"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>tabgan evaluation</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Synthetic data evaluation</h1>",
        f"<p class='muted'>{rows['real']} real rows ({rows['train']} training), "
        f"{rows['synthetic']} synthetic rows, {len(setup['columns'])} columns; holdout: "
        f"{html.escape(setup['holdout'])} ({rows['holdout']} rows); seed {setup['seed']}.</p>",
    ]
    if setup.get("holdout_warning"):
        parts.append(f"<div class='warn'>{html.escape(setup['holdout_warning'])}</div>")
    parts.append("<h2>Summary</h2>")
    parts.append(_table(["area", "figure", "value", "reading"], [list(r) for r in _rows(result)]))
    parts += _utility_section(result)
    parts += _fidelity_section(result)
    det = result.detection
    parts.append("<h2>Detection</h2>")
    parts.append(
        f"<p>A gradient-boosted classifier tried to tell real training rows from synthetic rows "
        f"({det['rows_per_side']} of each, {det['folds']}-fold cross-validation): ROC AUC "
        f"<b>{_fmt(det['auc'])}</b> ± {_fmt(det['auc_std'])}, "
        f"{html.escape(read_detection(s['detection_auc']))}. 0.5 is ideal.</p>"
    )
    parts += _privacy_section(result)
    if setup["notes"]:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in setup["notes"])
        parts.append(f"<h2>Notes</h2><ul>{items}</ul>")
    parts.append(f"<p class='muted'>Timings (s): {html.escape(str(setup['seconds']))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
