"""Old import path of conditional sampling, kept for one release: use :mod:`tabgan.sampling`."""

from tabgan.sampling.balance import balance_plan, class_counts, sample_balanced
from tabgan.sampling.conditions import Condition, parse_condition, parse_conditions, resolve
from tabgan.sampling.draws import sample_conditional
from tabgan.sampling.engine import default_budget

__all__ = [
    "Condition",
    "balance_plan",
    "class_counts",
    "default_budget",
    "parse_condition",
    "parse_conditions",
    "resolve",
    "sample_balanced",
    "sample_conditional",
]
