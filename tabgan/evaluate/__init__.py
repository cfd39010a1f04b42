"""Judge any synthetic table: quality, utility, fidelity, detectability, privacy; with a report.

This package never imports the synthesizer (``tabgan.gan``, ``tabgan.model``, torch): a judge
must not depend on what it judges. It reads column kinds with the encoder's own inference rule
(``tabgan.encoding.schema``, pandas only) or from a model's saved schema, so both agree.
"""

from __future__ import annotations

from tabgan.evaluate.core import evaluate
from tabgan.evaluate.result import EvaluationResult

__all__ = ["EvaluationResult", "evaluate"]
