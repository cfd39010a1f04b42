"""Plain-language readings of every figure, and advice tied to what was measured.

The cut-offs are rules of thumb, not statistical tests; the report always shows the raw figure
(and, where there is one, what fresh real rows score) next to its reading. Every reading covers
both directions away from the ideal: a figure that is "too good" is explained too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tabgan.evaluate.result import EvaluationResult


def read_quality(v: float | None, baseline: float | None = None) -> str:
    """Reading of the overall quality score (or one of its two parts), 1 is identical.

    With ``baseline`` (what fresh real rows score) the reading is judged by the gap to it,
    since two samples of the same real data do not score 1 either; without it, by the score.
    """
    if v is None:
        return "n/a"
    gap = (baseline - v) if baseline is not None else (0.98 - v)
    if gap <= 0.01:
        return "as close to the real rows as fresh real rows are"
    if gap <= 0.03:
        text = "close to real"
    elif gap <= 0.08:
        text = "good, with visible differences"
    elif gap <= 0.15:
        text = "fair: clear differences"
    else:
        text = "poor: far from the real rows"
    if baseline is not None:
        text += f" (fresh real rows score {baseline:.3f})"
    return text


def read_lift(v: float | None) -> str:
    """Reading of the chance-adjusted utility ratio (1 is as useful as real rows)."""
    if v is None:
        return "n/a"
    if v > 1.1:
        return "better than real rows: likely noise of a small holdout, not a real gain"
    if v >= 0.9:
        return "close to real"
    if v >= 0.7:
        return "useful, some loss"
    if v >= 0.4:
        return "weak"
    return "poor: little of what real rows teach"


def read_distance(v: float | None) -> str:
    """Reading of a mean KS / TVD / association difference (0 is identical)."""
    if v is None:
        return "n/a"
    if v < 0.05:
        return "close"
    if v < 0.15:
        return "moderate differences"
    return "far apart"


def read_detection(v: float | None) -> str:
    """Reading of the real-vs-synthetic detection AUC (0.5 is ideal)."""
    if v is None:
        return "n/a"
    if v < 0.4:
        return "below chance: the detector learned a fluke (check the row counts); read as 0.5"
    if v <= 0.6:
        return "hard to tell apart"
    if v <= 0.8:
        return "noticeably different"
    if v <= 0.95:
        return "easy to spot"
    return "trivially told apart"


def read_dcr_ratio(privacy: dict) -> str:
    """Reading of median DCR synthetic / median DCR holdout (about 1 is expected)."""
    ratio = privacy.get("dcr_ratio")
    dup = privacy.get("holdout_exact_match_rate") or 0.0
    if ratio is None:
        return (
            "n/a: over half the fresh real rows equal a training row (duplicates in the data), "
            "so the yardstick is 0; compare the 5th percentiles and the exact copies instead"
        )
    if ratio < 0.5:
        return "synthetic rows sit much closer to training rows than fresh real rows: memorised"
    if ratio < 0.8:
        return "somewhat closer to training rows than fresh real rows"
    if ratio <= 1.25:
        return "as far from training rows as fresh real rows (expected)"
    why = (
        f"; {dup:.1%} of fresh real rows duplicate a training row, which shrinks the yardstick"
        if dup >= 0.02
        else "; the synthetic rows are unlike the real ones (see fidelity)"
    )
    if ratio <= 2.0:
        return "farther from training rows than fresh real rows: no sign of copying" + why
    return "far farther from training rows than fresh real rows: no copying" + why


def _worst(items, n: int = 3) -> str:
    return ", ".join(items[:n])


def advice(result: EvaluationResult) -> list[str]:
    """What to do next, each item tied to a figure of this evaluation (empty if all is well)."""
    out: list[str] = []
    q, det, priv = result.quality, result.detection, result.privacy
    base = q.get("baseline", {})
    score = q.get("score")
    auc = det.get("auc")
    gap = (base["score"] - score) if score is not None and base.get("score") is not None else None
    behind = score is not None and (score < 0.85 or (gap is not None and gap > 0.03))
    if behind and auc is not None and auc > 0.8:
        out.append(
            f"Overall quality {score:.3f} and detection AUC {auc:.2f}: the synthesizer has not "
            "yet learned the data; train longer (more epochs), or on more rows."
        )
    bad_cols = [c for c, v in q.get("columns", {}).items() if v["score"] < 0.8]
    if bad_cols:
        out.append(
            f"Worst column shapes ({_worst(bad_cols)}) score below 0.8: check each column's kind "
            "(a code stored as a number may need --discrete) and its marginal chart below."
        )
    shapes, trends = q.get("column_shapes"), q.get("column_pair_trends")
    if shapes is not None and trends is not None and shapes - trends > 0.1:
        out.append(
            f"Columns look right alone ({shapes:.3f}) but their relations less so ({trends:.3f}): "
            "more epochs or a larger model usually help relations most."
        )
    tells = [t for t in det.get("columns") or [] if t["auc_drop"] > 0.05]
    if tells:
        names = [t["column"] for t in tells]
        out.append(
            f"The detector relies most on {_worst(names)}: compare their charts below; rare "
            "values or rounding that the synthesizer misses are typical give-aways."
        )
    if priv.get("flag"):
        out.append(
            "Privacy flagged: synthetic rows copy or hug training rows. Train fewer epochs, "
            "on more rows, or turn refinement off, and do not share these rows as they are."
        )
    ratio = priv.get("dcr_ratio")
    if ratio is not None and ratio > 2 and (priv.get("holdout_exact_match_rate") or 0) >= 0.02:
        out.append(
            f"{priv['holdout_exact_match_rate']:.1%} of the holdout rows duplicate training rows, "
            f"which inflates the DCR ratio ({ratio:.1f}); drop duplicate rows before splitting "
            "for a fairer yardstick."
        )
    summary = result.summary_scores
    lift, skill = summary.get("utility_lift_mean"), summary.get("utility_brier_skill_ratio_mean")
    weak = [
        f"{name} {v:.2f}"
        for name, v in (("lift over chance", lift), ("Brier skill ratio", skill))
        if v is not None and v < 0.5
    ]
    if weak:
        out.append(
            f"Models trained on synthetic rows keep little of what real rows teach "
            f"({', '.join(weak)}; 1 is as good as real): check the pairs with the target "
            f"{result.setup.get('target')!r} below, and train longer."
        )
    if result.setup.get("holdout_warning"):
        out.append(
            "No test table was given: pass rows held out before training (--test) for honest "
            "utility and privacy figures."
        )
    if score is not None and base.get("score") is not None and score >= base["score"] - 0.01:
        if not priv.get("flag"):
            out.append(
                "Quality is as high as fresh real rows reach: nothing to improve on these "
                "figures; check privacy before sharing."
            )
    return out


__all__ = [
    "advice",
    "read_dcr_ratio",
    "read_detection",
    "read_distance",
    "read_lift",
    "read_quality",
]
