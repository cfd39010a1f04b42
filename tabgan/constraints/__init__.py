"""Constraints a user declares: every sampled row keeps every one of them.

Kinds (small classes, or their string form read by :func:`parse_constraint`)::

    Inequality("checkin", "checkout")             "checkin <= checkout"
    Inequality("checkin", "checkout", offset=1)   "checkout >= checkin + 1"   (days, for dates)
    Range("discount", 0, 1)                       "0 <= discount <= 1"
    FixedCombinations(["city", "country"])        "fixed(city, country)"
    Arithmetic("total", add=["price", "tax"])     "total = price + tax"
    Arithmetic("net", ["gross"], ["tax"])         "net = gross - tax"

The grammar is our own (:mod:`tabgan.constraints.grammar`); nothing is ever evaluated as code.
How sampling honours them: :meth:`ConstraintSet.repair` derives what can be derived exactly (an
arithmetic target), then :meth:`ConstraintSet.mask` tells which rows keep every constraint; the
sampling engine rejects the others and draws more candidates until it has the rows it was asked
for. :meth:`ConstraintSet.contradiction` tells, before sampling, that conditions can never be
met together with a constraint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tabgan.constraints.grammar import ConstraintError, Parsed, Term, parse
from tabgan.constraints.kinds import (
    CONDITION_OPS,
    Arithmetic,
    Constraint,
    FixedCombinations,
    Inequality,
    Range,
)
from tabgan.encoding.schema import Schema
from tabgan.errors import ConditionError

__all__ = [
    "Arithmetic",
    "Constraint",
    "ConstraintError",
    "ConstraintSet",
    "FixedCombinations",
    "Inequality",
    "Range",
    "constraint_from_dict",
    "parse_constraint",
]

_KINDS = {k.kind: k for k in (Inequality, Range, FixedCombinations, Arithmetic)}
_FLIP = {"<=": ">=", "<": ">", ">=": "<=", ">": "<"}


def parse_constraint(text: str) -> Constraint:
    """Read a constraint from its string form.

    Parameters
    ----------
    text : str
        E.g. ``"checkin <= checkout"``, ``"checkout >= checkin + 1"``, ``"0 <= discount <= 1"``,
        ``"fixed(city, country)"``, ``"total = price + tax"``, ``"net = gross - tax"``; column
        names that are not identifiers go in backticks (```capital-gain` >= 0``).

    Returns
    -------
    Constraint

    Raises
    ------
    ConstraintError
        The text does not parse (the message gives the position and what was expected), or
        means no constraint kind.
    """
    parsed = parse(text)
    if parsed.fixed is not None:
        return FixedCombinations(parsed.fixed)
    if len(parsed.ops) == 2:
        return _range(text, parsed)
    (left, right), op = parsed.sums, parsed.ops[0]
    if op in ("=", "=="):
        return _arithmetic(text, left, right)
    return _comparison(text, left, op, right)


def _names(terms: Sequence[Term]) -> list[Term]:
    return [t for t in terms if t.kind == "name"]


def _constant(text: str, terms: Sequence[Term]) -> tuple[float | str, bool]:
    """The value of a sum without names: (number or date string, whether a duration)."""
    strings = [t for t in terms if t.kind == "string"]
    if strings:
        if len(terms) != 1 or strings[0].sign < 0:
            raise ConstraintError(
                f"constraint {text!r}: a date bound stands alone, e.g. 'when >= \"2020-01-01\"'"
            )
        return strings[0].value, False
    durations = any(t.kind == "duration" for t in terms)
    if durations and any(t.kind == "number" for t in terms):
        raise ConstraintError(
            f"constraint {text!r}: write every offset with a unit, or none (days for dates)"
        )
    return float(sum(t.sign * t.value for t in terms)), durations


def _range(text: str, parsed: Parsed) -> Range:
    low, middle, high = parsed.sums
    ops = parsed.ops
    if (
        _names(low)
        or _names(high)
        or len(middle) != 1
        or middle[0].kind != "name"
        or (middle[0].sign < 0)
    ):
        raise ConstraintError(
            f"constraint {text!r}: a range puts one column between two values, "
            "e.g. '0 <= discount <= 1'"
        )
    if ops[0] in (">", ">=") and ops[1] in (">", ">="):
        low, high, ops = high, low, (_FLIP[ops[1]], _FLIP[ops[0]])
    elif not (ops[0] in ("<", "<=") and ops[1] in ("<", "<=")):
        raise ConstraintError(
            f"constraint {text!r}: a range needs two '<'/'<=' (or two '>'/'>='), found "
            f"{ops[0]!r} and {ops[1]!r}"
        )
    lo, lo_dur = _constant(text, low)
    hi, hi_dur = _constant(text, high)
    if lo_dur or hi_dur:
        raise ConstraintError(f"constraint {text!r}: a range bound is a value, not a duration")
    return Range(middle[0].value, lo, hi, ops[0] == "<", ops[1] == "<")


def _arithmetic(text: str, left: Sequence[Term], right: Sequence[Term]) -> Arithmetic:
    for target, expr in ((left, right), (right, left)):
        if len(target) == 1 and target[0].kind == "name" and target[0].sign > 0:
            if any(t.kind != "name" for t in expr) or not any(t.sign > 0 for t in expr):
                break
            add = [t.value for t in expr if t.sign > 0]
            sub = [t.value for t in expr if t.sign < 0]
            return Arithmetic(target[0].value, add, sub)
    raise ConstraintError(
        f"constraint {text!r}: '=' sets one column to a sum or difference of others, "
        "e.g. 'total = price + tax' or 'net = gross - tax'"
    )


def _comparison(text: str, left: Sequence[Term], op: str, right: Sequence[Term]) -> Constraint:
    if op in (">", ">="):
        left, right, op = right, left, _FLIP[op]
    strict = op == "<"
    # now: left (<|<=) right
    ln, rn = _names(left), _names(right)
    if any(t.sign < 0 for t in ln + rn):
        raise ConstraintError(
            f"constraint {text!r}: a column cannot be subtracted in an inequality; "
            "a name with '-' goes in backticks, e.g. `capital-gain`"
        )
    if len(ln) + len(rn) == 1:
        column = (ln + rn)[0].value
        other = right if ln else left
        rest = [t for t in (left if ln else right) if t.kind != "name"]
        if rest:
            raise ConstraintError(
                f"constraint {text!r}: compare the column alone with a value, e.g. 'discount <= 1'"
            )
        value, duration = _constant(text, other)
        if duration:
            raise ConstraintError(f"constraint {text!r}: a bound is a value, not a duration")
        if ln:  # column < value
            return Range(column, None, value, strict_high=strict)
        return Range(column, value, None, strict_low=strict)
    if len(ln) == 1 and len(rn) == 1:
        lconst = [t for t in left if t.kind != "name"]
        rconst = [t for t in right if t.kind != "name"]
        if any(t.kind == "string" for t in lconst + rconst):
            raise ConstraintError(f"constraint {text!r}: an offset is a number or a duration")
        offset_l, dur_l = _constant(text, lconst) if lconst else (0.0, False)
        offset_r, dur_r = _constant(text, rconst) if rconst else (0.0, False)
        if (lconst and rconst) and dur_l != dur_r:
            raise ConstraintError(
                f"constraint {text!r}: write every offset with a unit, or none (days for dates)"
            )
        offset = float(offset_l) - float(offset_r)
        # low + offset_l <= high + offset_r  <=>  high >= low + offset
        value: float | str = f"{offset:g}s" if (dur_l or dur_r) else _tidy(offset)
        return Inequality(ln[0].value, rn[0].value, value, strict)
    raise ConstraintError(
        f"constraint {text!r}: an inequality compares a column with a value, or two columns "
        "with an optional offset ('checkout >= checkin + 1')"
    )


def _tidy(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def constraint_from_dict(d: dict) -> Constraint:
    """Rebuild a constraint (with what it learned at fit) from :meth:`Constraint.to_dict`.

    Raises
    ------
    ValueError
        Unknown kind or inconsistent state (a corrupt model file).
    """
    try:
        cls = _KINDS[d["kind"]]
        if cls is Inequality:
            c = Inequality(d["low"], d["high"], d["offset"], d["strict"])
        elif cls is Range:
            c = Range(d["column"], d["low"], d["high"], d["strict_low"], d["strict_high"])
        elif cls is FixedCombinations:
            c = FixedCombinations(d["columns"])
        else:
            c = Arithmetic(d["target"], d["add"], d["subtract"])
        c._load_state(d)
    except (KeyError, TypeError, ConstraintError) as exc:
        raise ValueError(f"constraint state {d!r:.200}: {exc}") from exc
    return c


class ConstraintSet:
    """The constraints of one model, as one object to fit, check, repair and filter with.

    Parameters
    ----------
    constraints : iterable of Constraint or str
        Strings are read by :func:`parse_constraint`.

    Examples
    --------
    >>> cs = ConstraintSet(["checkin <= checkout", "0 <= discount <= 1"])  # doctest: +SKIP
    >>> cs.fit(train, schema)  # doctest: +SKIP
    >>> rows = cs.repair(rows)  # doctest: +SKIP
    >>> rows = rows[cs.mask(rows)]  # doctest: +SKIP
    """

    def __init__(self, constraints: Iterable[Constraint | str] = ()):
        if isinstance(constraints, (str, Constraint)):
            constraints = [constraints]
        items = []
        for c in constraints:
            if isinstance(c, str):
                c = parse_constraint(c)
            elif not isinstance(c, Constraint):
                raise ConstraintError(
                    f"a constraint is a string or a Constraint object, got {type(c).__name__}"
                )
            if c not in items:
                items.append(c)
        self.constraints = items

    def __len__(self) -> int:
        return len(self.constraints)

    def __iter__(self):
        return iter(self.constraints)

    def describe(self) -> list[str]:
        """Each constraint's string form."""
        return [str(c) for c in self.constraints]

    def fit(self, df: pd.DataFrame, schema: Schema | None = None) -> ConstraintSet:
        """Check the columns, learn each constraint's state and validate the training table.

        Raises
        ------
        ConstraintError
            An unknown column or one of the wrong kind.
        InvalidDataError
            The training table breaks a constraint (how many rows, and one of them).
        """
        for c in self.constraints:
            c.fit(df, schema)
        for c in self.constraints:
            c.validate(df)
        return self

    def repair(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with every exactly derivable value derived (arithmetic targets)."""
        for c in self.constraints:
            frame = c.repair(frame)
        return frame

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows of ``frame`` that keep every constraint."""
        ok = np.ones(len(frame), dtype=bool)
        for c in self.constraints:
            ok &= c.mask(frame)
        return ok

    def filter(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Repair, then keep the rows that keep every constraint (index reset)."""
        frame = self.repair(frame)
        return frame[self.mask(frame)].reset_index(drop=True)

    def contradiction(self, conditions: Iterable[tuple[str, str, Any]]) -> str | None:
        """The first message naming conditions that contradict a constraint, or ``None``."""
        conditions = list(conditions)
        for column, op, _ in conditions:
            if op not in CONDITION_OPS:
                raise ConditionError(
                    f"unknown operator {op!r} in a condition on {column!r}; "
                    f"use one of {', '.join(CONDITION_OPS)}"
                )
        for c in self.constraints:
            message = c.contradiction(conditions)
            if message:
                return message
        return None

    def check_conditions(self, conditions: Iterable[tuple[str, str, Any]]) -> None:
        """Raise :class:`~tabgan.errors.ConditionError` when conditions contradict a
        constraint (before any row is generated)."""
        message = self.contradiction(conditions)
        if message:
            raise ConditionError(message + "; no row can meet both")

    def to_dict(self) -> list[dict]:
        return [c.to_dict() for c in self.constraints]

    @classmethod
    def from_dict(cls, items: list[dict]) -> ConstraintSet:
        return cls([constraint_from_dict(d) for d in items])
