"""The evaluation result: scores as plain data, plus the HTML report and terminal summary."""

from __future__ import annotations

import io
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tabgan.evaluate.utility import MIN_SIGNAL, lift_ratio


def headline(
    utility: dict, fidelity: dict, detection: dict, privacy: dict, quality: dict | None = None
) -> dict:
    """The few figures a reader looks at first, gathered from the sections."""
    quality = quality or {}
    ratios = [m["ratio"] for m in utility.values() if m.get("ratio") is not None]
    lifts = [lift_ratio(m["tstr"], m["trtr"], m["metric"]) for m in utility.values()]
    lifts = [v for v in lifts if v is not None]
    metric = next(iter(utility.values()))["metric"] if utility else None
    # Brier skill reads probabilities, not just their ranking, so luck cannot inflate it.
    skills = [
        m["scores"]["brier_skill"]["tstr"] / m["scores"]["brier_skill"]["trtr"]
        for m in utility.values()
        if "brier_skill" in m["scores"] and m["scores"]["brier_skill"]["trtr"] >= MIN_SIGNAL
    ]
    return {
        "quality_score": quality.get("score"),
        "column_shapes": quality.get("column_shapes"),
        "column_pair_trends": quality.get("column_pair_trends"),
        "utility_metric": metric,
        "utility_ratio_mean": float(np.mean(ratios)) if ratios else None,
        "utility_lift_mean": float(np.mean(lifts)) if lifts else None,
        "utility_brier_skill_ratio_mean": float(np.mean(skills)) if skills else None,
        "ks_mean": fidelity.get("ks_mean"),
        "tvd_mean": fidelity.get("tvd_mean"),
        "association_diff": fidelity.get("association_diff"),
        "detection_auc": detection.get("auc"),
        "exact_match_rate": privacy.get("exact_match_rate"),
        "privacy_flag": privacy.get("flag"),
    }


def to_jsonable(value: Any) -> Any:
    """Plain Python data for ``json.dump``: numpy to builtins, NaN and inf to None."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


@dataclass
class EvaluationResult:
    """Scores of one synthetic table, with the data its pictures are drawn from.

    Attributes
    ----------
    summary_scores : dict
        Headline figures: overall quality score (and its column shapes and pair trends
        parts), mean TSTR/TRTR ratio, mean KS/TVD, association difference,
        detection AUC, exact-match rate, privacy flag.
    utility : dict
        ``{model: {"tstr", "trtr", "metric", "ratio", "scores"}}``; empty without a target.
    fidelity : dict
        ``ks_mean``, ``tvd_mean``, ``missing_diff_mean``, ``association_diff``, ``columns``
        and ``baseline`` (holdout vs training rows).
    detection : dict
        ``auc`` (0.5 is ideal), ``auc_std``, ``folds``, ``rows_per_side``.
    privacy : dict
        ``exact_match_rate``, ``dcr_synthetic``, ``dcr_holdout``, ``dcr_ratio``, ``flag``,
        ``reasons``.
    setup : dict
        Target, task, how the holdout was formed (and a warning if it was split from the
        real table), row counts, column kinds, notes and timings.
    association : dict
        ``columns`` and the ``real`` and ``synthetic`` association matrices.
    quality : dict
        The overall quality score (SDMetrics-style): ``score``, ``column_shapes``,
        ``column_pair_trends``, per-column and per-pair scores worst first, and ``baseline``
        (the same figures for real holdout rows).
    logic : dict
        Results of logic checks, when they ran (empty otherwise).
    """

    summary_scores: dict
    utility: dict
    fidelity: dict
    detection: dict
    privacy: dict
    setup: dict
    association: dict = field(repr=False, default_factory=dict)
    quality: dict = field(default_factory=dict)
    logic: dict = field(default_factory=dict)
    _infos: list = field(repr=False, default_factory=list)
    _frames: dict = field(repr=False, default_factory=dict)
    _dcr: dict = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict:
        """All scores as JSON-ready data (the association matrices as nested lists)."""
        fidelity = dict(self.fidelity)
        if self.association:
            real = np.asarray(self.association["real"])
            syn = np.asarray(self.association["synthetic"])
            fidelity["association"] = {
                "columns": list(self.association["columns"]),
                "real": np.round(real, 4),
                "synthetic": np.round(syn, 4),
                "difference": np.round(np.abs(real - syn), 4),
            }
        return to_jsonable(
            {
                "summary": self.summary_scores,
                "quality": self.quality,
                "logic": self.logic,
                "utility": self.utility,
                "fidelity": fidelity,
                "detection": self.detection,
                "privacy": self.privacy,
                "setup": self.setup,
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent)

    def to_html(self) -> str:
        """One self-contained HTML page (pictures embedded as PNG data URIs)."""
        from tabgan.evaluate.report import render_html

        return render_html(self)

    def summary_table(self):
        """A ``rich`` table of the headline figures with a plain reading of each."""
        from tabgan.evaluate.report import summary_table

        return summary_table(self)

    def summary(self) -> str:
        """The summary table as plain text."""
        from rich.console import Console

        buffer = io.StringIO()
        Console(width=110, file=buffer, color_system=None).print(self.summary_table())
        return buffer.getvalue()

    def save_json(self, path: str | os.PathLike) -> None:
        """Write :meth:`to_json` to ``path`` atomically."""
        from tabgan.io import atomic_path

        with atomic_path(path) as tmp:
            tmp.write_text(self.to_json() + "\n", encoding="utf-8")

    def save_html(self, path: str | os.PathLike) -> None:
        """Write :meth:`to_html` to ``path`` atomically."""
        from tabgan.io import atomic_path

        page = self.to_html()
        with atomic_path(path) as tmp:
            tmp.write_text(page, encoding="utf-8")
