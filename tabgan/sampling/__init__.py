"""The sampling engine: every draw from a fitted model goes through one unit scheduler.

- :mod:`~tabgan.sampling.context`: :class:`SamplingContext`, the fitted parts a draw needs.
- :mod:`~tabgan.sampling.lanes`: units of work on CPU threads, results in order.
- :mod:`~tabgan.sampling.engine`: units, rounds and the filter (refiner, conditions).
- :mod:`~tabgan.sampling.conditions`: parsing conditions and resolving them against the model.
- :mod:`~tabgan.sampling.draws` and :mod:`~tabgan.sampling.balance`: the draws users ask for.
"""

from __future__ import annotations

from tabgan.lazy import lazy_exports

# loaded on first use, so parsing conditions (tabgan.sampling.conditions) needs no torch
_LAZY = {
    "balance_plan": "tabgan.sampling.balance",
    "class_counts": "tabgan.sampling.balance",
    "sample_balanced": "tabgan.sampling.balance",
    "Condition": "tabgan.sampling.conditions",
    "parse_condition": "tabgan.sampling.conditions",
    "parse_conditions": "tabgan.sampling.conditions",
    "resolve": "tabgan.sampling.conditions",
    "SamplingContext": "tabgan.sampling.context",
    "context_of": "tabgan.sampling.context",
    "iter_samples": "tabgan.sampling.draws",
    "sample_conditional": "tabgan.sampling.draws",
    "SAMPLE_CHUNK": "tabgan.sampling.engine",
    "RowFilter": "tabgan.sampling.engine",
    "default_budget": "tabgan.sampling.engine",
    "draw_rows": "tabgan.sampling.engine",
}


__getattr__ = lazy_exports(globals(), _LAZY)


__all__ = [
    "SAMPLE_CHUNK",
    "Condition",
    "RowFilter",
    "SamplingContext",
    "balance_plan",
    "class_counts",
    "context_of",
    "default_budget",
    "draw_rows",
    "iter_samples",
    "parse_condition",
    "parse_conditions",
    "resolve",
    "sample_balanced",
    "sample_conditional",
]
