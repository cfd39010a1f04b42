"""Judge any synthetic table: utility, fidelity, detectability and privacy, with a report.

This package never imports the synthesizer (``tabgan.gan``, ``tabgan.model``, torch) nor its
encoder: a judge must not depend on what it judges.
"""

from __future__ import annotations

from tabgan.evaluate.core import evaluate
from tabgan.evaluate.result import EvaluationResult

__all__ = ["EvaluationResult", "evaluate"]
