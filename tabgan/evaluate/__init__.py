"""Judge any synthetic table: quality, utility, fidelity, detectability, privacy; with a report.

This package never imports the synthesizer (``tabgan.gan``, ``tabgan.model``, torch): a judge
must not depend on what it judges. It reads column kinds with the encoder's own inference rule
(``tabgan.encoding.schema``, pandas only) or from a model's saved schema, so both agree.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from tabgan.evaluate.core import evaluate
from tabgan.evaluate.result import EvaluationResult


class _CallablePackage(types.ModuleType):
    """``tabgan.evaluate`` is both this package and the function ``tabgan.evaluate(...)``:
    once the package is imported, Python's import system sets ``tabgan.evaluate`` to it, so
    calling the package calls the function and ``from tabgan import evaluate`` works either
    way."""

    def __call__(self, *args: Any, **kwargs: Any) -> EvaluationResult:
        return evaluate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage

__all__ = ["EvaluationResult", "evaluate"]
