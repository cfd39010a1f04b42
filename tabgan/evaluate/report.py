"""Human-facing output: the terminal summary table and the self-contained HTML report.

The page reads top to bottom: what was compared (files, settings), the verdict (overall
quality score, detection, privacy, utility) with advice, then each section worst first.
Sections that grow with the number of columns are cut to their worst entries, the rest
folded in a ``<details>`` element (no script; the page works offline and prints).
"""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING

from rich.table import Table

from tabgan.evaluate import plots
from tabgan.evaluate.readings import (
    advice,
    read_dcr_ratio,
    read_detection,
    read_distance,
    read_lift,
    read_quality,
)

if TYPE_CHECKING:
    from tabgan.evaluate.result import EvaluationResult

#: worst columns and pairs listed before the rest fold away
SHOWN_ROWS = 15
#: worst columns whose marginals show before the rest fold away
SHOWN_MARGINALS = 9
#: worst pairs drawn (scatter or two-way tables)
SHOWN_PAIRS = 4

# Re-exported for callers of the old names.
__all__ = [
    "read_detection",
    "read_distance",
    "read_lift",
    "render_html",
    "summary_table",
]


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "n/a"
    return f"{v:.1%}" if pct else f"{v:.3f}"


def _rows(result: EvaluationResult) -> list[tuple[str, str, str, str]]:
    s = result.summary_scores
    base = result.fidelity.get("baseline", {})
    qbase = result.quality.get("baseline", {})
    rows = []
    if s.get("quality_score") is not None:
        rows.append(
            (
                "Quality",
                "overall score (0-1)",
                _fmt(s["quality_score"]),
                read_quality(s["quality_score"], qbase.get("score")),
            )
        )
        for key, label in (
            ("column_shapes", "column shapes"),
            ("column_pair_trends", "column pair trends"),
        ):
            if s.get(key) is not None:
                rows.append(("Quality", label, _fmt(s[key]), read_quality(s[key], qbase.get(key))))
    if result.utility:
        metric = s["utility_metric"]
        rows.append(
            (
                "Utility",
                f"mean TSTR/TRTR ({metric})",
                _fmt(s["utility_ratio_mean"]),
                read_lift(s["utility_ratio_mean"]) + " (1.0 = as useful as real rows)",
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
        ("Privacy", "median DCR synthetic / holdout", _fmt(p["dcr_ratio"]), read_dcr_ratio(p))
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


# ------------------------------------------------------------------------------------- HTML
def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(header: list[str], rows: list[list], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    attr = f" class='{cls}'" if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _Raw(str):
    """Cell content that is already HTML (a score bar)."""


def _cell(value) -> str:
    return value if isinstance(value, _Raw) else html.escape(str(value))


def _bar(score: float | None) -> _Raw:
    """A score in [0, 1] with a small bar; red below 0.7, amber below 0.85, green above."""
    if score is None:
        return _Raw("n/a")
    width = max(0.0, min(1.0, score)) * 100
    color = "#d93025" if score < 0.7 else "#f0a020" if score < 0.85 else "#188038"
    return _Raw(
        f"<span class='bar'><span style='width:{width:.0f}%;background:{color}'></span></span>"
        f" {score:.3f}"
    )


def _fold(summary: str, body: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary>{body}</details>"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1200px;margin:1.5em auto;
padding:0 1em;color:#202124;line-height:1.45}h1{margin-bottom:.1em}
h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}img{max-width:100%;height:auto;display:block;margin:.5em 0}
.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:.6em 1em;margin:.6em 0}
.flag{background:#fdecea;border-left:4px solid #d93025;padding:.6em 1em}
.muted{color:#5f6368;font-size:.9em}
.verdict{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}
.card{border:1px solid #ddd;border-radius:8px;padding:.7em 1em;min-width:12em;flex:1}
.card .big{font-size:2em;font-weight:600}.card .what{color:#5f6368;font-size:.85em}
.bar{display:inline-block;width:6em;height:.7em;background:#eee;border-radius:3px;
vertical-align:middle}.bar span{display:block;height:100%;border-radius:3px}
details{margin:.6em 0}summary{cursor:pointer;color:#1a73e8}
.advice li{margin:.3em 0}code{background:#f4f4f4;padding:0 .2em}
"""


def _card(title: str, value: str, reading: str) -> str:
    return (
        f"<div class='card'><div class='what'>{html.escape(title)}</div>"
        f"<div class='big'>{html.escape(value)}</div><div>{html.escape(reading)}</div></div>"
    )


def _header(result: EvaluationResult) -> list[str]:
    setup = result.setup
    rows = setup["rows"]
    files = setup.get("files") or {}
    named = [
        ["real", files.get("real") or "(a DataFrame)", f"{rows['real']} rows"],
        ["synthetic", files.get("synthetic") or "(a DataFrame)", f"{rows['synthetic']} rows"],
        [
            "holdout",
            files.get("test") or setup["holdout"],
            f"{rows['holdout']} rows ({setup['holdout']})",
        ],
    ]
    kinds = setup["columns"]
    n_num = sum(k == "numeric" for k in kinds.values())
    settings = [
        ["target", setup["target"] or "none (utility skipped)"],
        ["task", setup["task"] or "-"],
        ["columns", f"{len(kinds)} ({n_num} numeric, {len(kinds) - n_num} categorical)"],
        ["column kinds from", setup.get("kinds_from", "-")],
        ["seed", setup["seed"]],
        *[[k, v] for k, v in (setup.get("settings") or {}).items()],
    ]
    return [
        "<h1>Synthetic data evaluation</h1>",
        "<h2>What was compared</h2>",
        _table(["table", "file", "rows"], named),
        _table(["setting", "value"], settings),
    ]


def _verdict(result: EvaluationResult) -> list[str]:
    s, q, p = result.summary_scores, result.quality, result.privacy
    qb = q.get("baseline", {})
    cards = [
        _card(
            "Overall quality (0-1, SDMetrics-style)",
            _fmt(s.get("quality_score")),
            read_quality(s.get("quality_score"), qb.get("score")),
        ),
        _card(
            "Detection AUC (0.5 ideal)",
            _fmt(s["detection_auc"]),
            read_detection(s["detection_auc"]),
        ),
        _card(
            "Privacy",
            "FLAGGED" if p["flag"] else "ok",
            "synthetic rows copy training rows" if p["flag"] else "no sign of copying",
        ),
    ]
    if result.utility:
        cards.append(
            _card(
                f"Utility TSTR/TRTR ({s['utility_metric']})",
                _fmt(s["utility_ratio_mean"]),
                read_lift(s["utility_ratio_mean"]),
            )
        )
    out = ["<h2>Verdict</h2>", "<div class='verdict'>" + "".join(cards) + "</div>"]
    tips = advice(result)
    if tips:
        items = "".join(f"<li>{html.escape(t)}</li>" for t in tips)
        out.append(f"<h3>Advice</h3><ul class='advice'>{items}</ul>")
    out.append(_table(["area", "figure", "value", "reading"], [list(r) for r in _rows(result)]))
    if result.setup.get("holdout_warning"):
        out.append(f"<div class='warn'>{html.escape(result.setup['holdout_warning'])}</div>")
    return out


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


def _shapes_section(result: EvaluationResult) -> list[str]:
    q, f = result.quality, result.fidelity
    cols = q.get("columns", {})
    out = [
        "<h2>Column shapes, worst first</h2>",
        "<p>Per column 1-KS (numbers, dates) or 1-TVD (categories) on the present values: "
        "1 is identical, 0 is disjoint. Missing shares are compared separately.</p>",
    ]
    rows = []
    for name, c in cols.items():
        fc = f["columns"].get(name, {})
        rows.append(
            [
                name,
                fc.get("kind", ""),
                "1-KS" if c["metric"] == "KSComplement" else "1-TVD",
                _bar(c["score"]),
                _fmt(fc.get("missing_real"), True),
                _fmt(fc.get("missing_synthetic"), True),
            ]
        )
    header = ["column", "compared as", "statistic", "score", "missing (real)", "missing (syn.)"]
    out.append(_table(header, rows[:SHOWN_ROWS]))
    if len(rows) > SHOWN_ROWS:
        out.append(
            _fold(f"the other {len(rows) - SHOWN_ROWS} columns", _table(header, rows[SHOWN_ROWS:]))
        )
    infos = {i.name: i for i in result._infos}
    order = [infos[n] for n in cols if n in infos]
    if result._frames and order:
        real, syn = result._frames["real"], result._frames["synthetic"]
        out.append(
            "<h3>Marginals of the worst columns</h3><p class='muted'>Real rows are filled blue "
            "bars, synthetic rows an orange outline; the y-axis is the share of rows.</p>"
        )
        first = order[:SHOWN_MARGINALS]
        out.append(_img(plots.marginals_png(real, syn, first, cols), "marginals"))
        rest = order[SHOWN_MARGINALS : SHOWN_MARGINALS + plots.MAX_MARGINALS]
        if rest:
            more = _img(plots.marginals_png(real, syn, rest, cols), "more marginals")
            left = len(order) - SHOWN_MARGINALS - len(rest)
            if left > 0:
                more += f"<p class='muted'>{left} best-scoring columns not drawn.</p>"
            out.append(
                _fold(f"marginals of the other {len(order) - SHOWN_MARGINALS} columns", more)
            )
    return out


def _pairs_section(result: EvaluationResult) -> list[str]:
    q = result.quality
    pairs = q.get("pairs", [])
    out = [
        "<h2>Column pair trends, worst first</h2>",
        "<p>Two numbers: 1 - |correlation difference| / 2 (Pearson). Otherwise: 1 - TVD of the "
        "two-way table of shares, numbers cut into 10 equal-width bins of the real column. "
        "1 is identical. As in SDMetrics, only pairs with a trend in the real rows (|r| > 0.5, "
        f"or Cramér's V > 0.3) count towards the score: {q.get('pairs_counted', 0)} of "
        f"{len(pairs)} here; the others are listed too, since a trend the synthetic rows "
        "invent is a flaw as well.</p>",
    ]
    if not pairs:
        out.append("<p>Fewer than two columns: no pairs.</p>")
        return out
    header = ["pair", "statistic", "score", "real corr.", "synthetic corr.", "counted"]
    rows = [
        [
            " × ".join(p["columns"]),
            "correlation" if p["metric"] == "CorrelationSimilarity" else "two-way table",
            _bar(p["score"]),
            _fmt(p.get("real")) if p.get("real") is not None else "-",
            _fmt(p.get("synthetic")) if p.get("synthetic") is not None else "-",
            "yes" if p.get("counted") else "no (weak real trend)",
        ]
        for p in pairs
    ]
    out.append(_table(header, rows[:SHOWN_ROWS]))
    if len(rows) > SHOWN_ROWS:
        out.append(
            _fold(f"the other {len(rows) - SHOWN_ROWS} pairs", _table(header, rows[SHOWN_ROWS:]))
        )
    infos = {i.name: i for i in result._infos}
    if result._frames:
        real, syn = result._frames["real"], result._frames["synthetic"]
        out.append("<h3>The worst pairs, real beside synthetic</h3>")
        for p in pairs[:SHOWN_PAIRS]:
            a, b = (infos.get(n) for n in p["columns"])
            if a is not None and b is not None:
                out.append(
                    _img(plots.pair_png(real, syn, a, b, p["score"]), " × ".join(p["columns"]))
                )
    a = result.association
    if a and len(a["columns"]) > 1:
        k = len(a["columns"])
        body = (
            "<p>Pearson (signed) for numeric pairs, Cramér's V for categorical pairs, the "
            "correlation ratio for mixed pairs; real and synthetic side by side, then their "
            "absolute difference.</p>"
            + _img(
                plots.matrices_png(a["columns"], a["real"], a["synthetic"]), "association matrices"
            )
        )
        out.append("<h3>Association matrices</h3>")
        out.append(body if k <= 40 else _fold(f"association matrices of {k} columns", body))
    return out


def _detection_section(result: EvaluationResult) -> list[str]:
    det = result.detection
    out = ["<h2>Detection: which columns give the synthetic rows away</h2>"]
    out.append(
        f"<p>A gradient-boosted classifier tried to tell real training rows from synthetic rows "
        f"({det['rows_per_side']} of each, {det['folds']}-fold cross-validation): ROC AUC "
        f"<b>{_fmt(det['auc'])}</b> ± {_fmt(det['auc_std'])}, "
        f"{html.escape(read_detection(det['auc']))}. 0.5 is ideal.</p>"
    )
    tells = det.get("columns") or []
    if tells:
        out.append(
            "<p>For each column, how much the detector's AUC drops when that column is "
            "shuffled among the held-out rows (permutation importance, 2-3 shuffles): the columns "
            "at the top are the give-aways. Near 0 everywhere means no single column stands "
            "out.</p>"
        )
        out.append(_img(plots.tells_png(tells), "columns that give synthetic rows away"))
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
        f"<p>Median DCR ratio (synthetic / holdout): <b>{_fmt(p['dcr_ratio'])}</b>: "
        f"{html.escape(read_dcr_ratio(p))}.</p>"
    )
    out.append(
        "<p class='muted'>Distances use numbers scaled by the training interquartile "
        "range and one-hot categories (a category mismatch counts 1). Synthetic rows "
        "should be about as far from the training rows as fresh real rows are: much closer "
        "means copying, much farther means the rows are unlike the real ones or the holdout "
        "holds duplicates of training rows. No flag is not a formal privacy guarantee.</p>"
    )
    mia = p.get("membership")
    if mia:
        out.append(
            f"<p>Membership inference (can an attacker holding the synthetic rows tell "
            f"training rows from fresh real rows?): AUC <b>{_fmt(mia['auc'])}</b> "
            f"({html.escape(str(mia['attack']))} attack; 0.5 is ideal): "
            f"{html.escape(str(mia['reading']))}.</p>"
        )
    if result._dcr:
        out.append(_img(plots.dcr_png(result._dcr), "DCR histograms"))
    return out


def _logic_section(result: EvaluationResult) -> list[str]:
    logic = result.logic
    if not logic:
        return []
    out = [
        "<h2>Logic: the table's own rules</h2>",
        "<p class='muted'>Rules found in the real rows (functional dependencies with enough "
        "support), value pairs never seen together in training, numbers with more decimals "
        "than the real column, and extra mass at the range edges; fresh real rows give the "
        "yardstick.</p>",
    ]
    checks = logic.get("checks") if isinstance(logic, dict) else None
    if isinstance(checks, list) and checks and all(isinstance(c, dict) for c in checks):
        keys = list(dict.fromkeys(k for c in checks for k in c))
        out.append(_table(keys, [[c.get(k, "") for k in keys] for c in checks]))
    else:
        out.append(_table(["check", "result"], [[k, v] for k, v in logic.items()]))
    return out


def _footer(result: EvaluationResult) -> list[str]:
    setup = result.setup
    out = []
    if setup["notes"]:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in setup["notes"])
        out.append(f"<h2>Notes</h2><ul>{items}</ul>")
    seconds = setup.get("seconds", {})
    if seconds:
        rows = [[k, f"{v:.1f}"] for k, v in seconds.items()]
        out.append("<h3>Time taken</h3>" + _table(["step", "seconds"], rows))
    return out


def render_html(result: EvaluationResult) -> str:
    """One HTML page with every section; images are embedded, nothing is fetched."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>tabgan evaluation</title>",
        f"<style>{_CSS}</style></head><body>",
    ]
    parts += _header(result)
    parts += _verdict(result)
    parts += _shapes_section(result)
    parts += _pairs_section(result)
    parts += _detection_section(result)
    parts += _logic_section(result)
    parts += _privacy_section(result)
    parts += _utility_section(result)
    parts += _footer(result)
    parts.append("</body></html>")
    return "\n".join(parts)
