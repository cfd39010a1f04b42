"""Rules a table keeps between its columns, found at fit and enforced when decoding.

A rule is a functional dependency from a discrete column (the determinant) to another column (the
dependent, discrete or numeric), value by value: ``relationship=Husband -> sex=Male`` holds when
the training rows with ``relationship == "Husband"`` have ``sex == "Male"``, all of them or all but
at most ``MAX_EXCEPTIONS`` (0.2%) of them: real tables carry a few data-entry slips (Adult has
one female husband in 13,193), and one slip must not hide the rule a person sees at a glance.
The exceptions are counted and shown by :meth:`Rule.describe`; decoding enforces the rule
without them. When every value of the determinant implies one value of the dependent, the rule is
the whole-column dependency ``education -> education-num``.

Support and significance: an implication ``A=a -> B=b`` is kept only when

* the table has at least ``MIN_TABLE_ROWS`` rows and ``A == a`` holds in at least ``MIN_ROWS``;
* agreement by chance is unlikely: were ``B`` independent of ``A``, the ``n_a`` rows with
  ``A == a`` would all share one value of ``B`` (but ``e`` exceptions) with probability at most
  ``sum_b C(n_a, e) p_b ** (n_a - e)`` (``p_b``: the share of ``b`` in ``B``); this must be at
  most ``ALPHA / m``, where ``m`` is the number of implications tested (Bonferroni), so that over
  the whole table a chance rule is found with probability about ``ALPHA`` at most.

A rule with few rows behind it is left alone because it cannot be told from chance: three rows of
a rare category that happen to share a value say nothing about a fourth, and forcing the value
would erase real variety the generator learned. Near-constant dependents need many rows for the
same reason (``p_b`` close to 1).

Whole-column dependencies are the exception: when *every* value of the determinant seen in two
rows or more implies one value of the dependent, without exception, the evidence is the whole
column's, not one value's. ``country -> region`` on a table of 196 countries with six rows each
is no chance agreement even though no single country has ten rows. Such a dependency is kept
when the chance bound multiplied over those values (the sum of their logs) is at most
``ALPHA / m'``, ``m'`` the column pairs tested this way, and then every value with at least
``COLUMN_MIN_ROWS`` rows becomes a premise. Values with fewer rows are left out even then: a
premise pins the dependent of every generated row with that value, and a value of one or two
real rows would pin what those people's rows say.

Enforcement (:meth:`RuleSet.enforce`) works on a decoded row's discrete indices and numeric
values: the dependent is set from its determinant. Columns are visited in a topological order of
the dependency graph (strongly connected parts, e.g. a bijection ``A <-> B``, by table order), in
sweeps until nothing changes; all rules hold on the training rows, so a chain never fights
itself. A row where two determinants imply different values of one column (a combination never
seen in training) is resolved by copying the rule columns of a row that keeps every rule (from
the same batch, else the most common training combination): no decoded row breaks a rule.
Missing values are values like any other (``None`` for discrete, NaN for numeric); a value kept
in a high-cardinality column's "other" bucket (:mod:`tabgan.encoding.discrete`) takes part in no
rule, and columns dropped as constant or empty have no codec, so no rule either.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tabgan.encoding.discrete import from_json_value, to_json_value, value_key

MIN_TABLE_ROWS = 50
MIN_ROWS = 10
#: a whole-column dependency's premises need this many rows each (see the module docstring)
COLUMN_MIN_ROWS = 3
ALPHA = 1e-3
MAX_EXCEPTIONS = 0.002
MAX_SWEEPS = 4
#: a partial rule with more premises than this is described in one line
SHOWN_PREMISES = 3
#: at most this many determinant values are tested per column (more: an ID-like column)
MAX_DETERMINANT_VALUES = 1_000


@dataclass(frozen=True)
class Rule:
    """The implications from one determinant column to one dependent column.

    Attributes
    ----------
    determinant, dependent : str
        Column names.
    premises : tuple
        Values of ``determinant`` (plain Python; ``None`` is missing).
    conclusions : tuple
        For each premise, the value ``dependent`` always has (a float, NaN for missing, when
        ``numeric``).
    rows : tuple of int
        Training rows behind each premise.
    exceptions : tuple of int
        Of those, the rows that break the implication (at most ``MAX_EXCEPTIONS`` of them).
    values : int
        Distinct values of ``determinant`` in training (0 where unknown).
    complete : bool
        Whether the premises are every value ``determinant`` has in training: a whole-column
        dependency.
    numeric : bool
        Whether ``dependent`` is numeric.
    premise_index, conclusion_index : tuple of int
        The premises' (and, for a discrete dependent, conclusions') indices in the encoder's
        category spans; empty for rules found on a plain table.
    """

    determinant: str
    dependent: str
    premises: tuple
    conclusions: tuple
    rows: tuple
    complete: bool
    numeric: bool
    premise_index: tuple = field(default=())
    conclusion_index: tuple = field(default=())
    exceptions: tuple = field(default=())  # training rows against each implication
    values: int = 0  # distinct values of the determinant in training (0: unknown)

    @property
    def resolves_by_dependent(self) -> bool:
        """Whether a broken row is mended by redrawing the determinant, not the dependent.

        True for a many-to-one rule between discrete columns (at least twice as many premises as
        conclusions) whose typical premise (the median) is too rare for a rule of its own, which
        only a whole-column dependency has: ``country -> region`` over countries of a few rows
        each. The generator learns such a determinant worst (few rows a value) and its dependent
        far better, so setting the region from a poorly drawn country would spread the
        country's noise into a column the rows otherwise get right; instead the country is
        redrawn among the region's. Where the premises have rows enough (``region ->
        continent``, 22 regions of some 50 rows), the dependent is set from the determinant:
        on ``dd`` the regions' continents were closer to the real shares than the continents
        the generator drew.
        """
        return (
            not self.numeric
            and bool(self.rows)
            and float(np.median(self.rows)) < MIN_ROWS
            and len(self.premises) >= 2 * len({value_key(c) for c in self.conclusions})
        )

    def describe(self) -> list[str]:
        """Readable lines, e.g. ``education -> education-num (16 values, 32,561 rows)``."""
        exceptions = self.exceptions or (0,) * len(self.premises)
        mended = (
            f"; a row that breaks it gets another {self.determinant} of its {self.dependent}"
            if self.resolves_by_dependent
            else ""
        )
        if self.complete and len(self.premises) > 1:
            return [
                f"{self.determinant} -> {self.dependent} "
                f"({len(self.premises)} values, {sum(self.rows):,} rows{_against(sum(exceptions))}"
                f"{mended})"
            ]
        if len(self.premises) > SHOWN_PREMISES:
            of = f" of {self.values}" if self.values else ""
            return [
                f"{self.determinant} -> {self.dependent} for {len(self.premises)}{of} values "
                f"({sum(self.rows):,} rows{_against(sum(exceptions))}; the others have too few "
                f"rows or several values{mended})"
            ]
        return [
            f"{self.determinant}={_shown(p)} -> {self.dependent}={_shown(c)} "
            f"({r:,} rows{_against(e)})"
            for p, c, r, e in zip(
                self.premises, self.conclusions, self.rows, exceptions, strict=True
            )
        ]

    def broken(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean mask of the rows of ``frame`` (values as the table writes them) that break
        this rule; all False when ``frame`` lacks one of the two columns."""
        n = len(frame)
        out = np.zeros(n, dtype=bool)
        if self.determinant not in frame.columns or self.dependent not in frame.columns:
            return out
        det = frame[self.determinant]
        dep = frame[self.dependent]
        dep_num = _as_float(dep) if self.numeric else None
        for premise, conclusion in zip(self.premises, self.conclusions, strict=True):
            rows = _equals(det, premise)
            if not rows.any():
                continue
            if self.numeric:
                v = float(conclusion)
                ok = np.isnan(dep_num) if math.isnan(v) else np.isclose(dep_num, v, rtol=1e-9)
            else:
                ok = _equals(dep, conclusion)
            out |= rows & ~ok
        return out

    def to_dict(self) -> dict:
        return {
            "determinant": self.determinant,
            "dependent": self.dependent,
            "premises": [to_json_value(v) for v in self.premises],
            "conclusions": [
                (None if math.isnan(float(c)) else float(c)) if self.numeric else to_json_value(c)
                for c in self.conclusions
            ],
            "rows": [int(r) for r in self.rows],
            "complete": bool(self.complete),
            "numeric": bool(self.numeric),
            "premise_index": [int(i) for i in self.premise_index],
            "conclusion_index": [int(i) for i in self.conclusion_index],
            "exceptions": [int(e) for e in self.exceptions],
            "values": int(self.values),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Rule:
        numeric = bool(d["numeric"])
        rule = cls(
            str(d["determinant"]),
            str(d["dependent"]),
            tuple(from_json_value(v) for v in d["premises"]),
            tuple(
                (math.nan if c is None else float(c)) if numeric else from_json_value(c)
                for c in d["conclusions"]
            ),
            tuple(int(r) for r in d["rows"]),
            bool(d["complete"]),
            numeric,
            tuple(int(i) for i in d.get("premise_index", [])),
            tuple(int(i) for i in d.get("conclusion_index", [])),
            tuple(int(e) for e in d.get("exceptions", [])),
            int(d.get("values", 0)),
        )
        n = len(rule.premises)
        if len(rule.conclusions) != n or len(rule.rows) != n or n == 0:
            raise ValueError(f"rule {rule.determinant} -> {rule.dependent}: lists differ")
        if rule.premise_index and len(rule.premise_index) != n:
            raise ValueError(f"rule {rule.determinant} -> {rule.dependent}: bad indices")
        if rule.exceptions and len(rule.exceptions) != n:
            raise ValueError(f"rule {rule.determinant} -> {rule.dependent}: lists differ")
        if rule.conclusion_index and len(rule.conclusion_index) != n:
            raise ValueError(f"rule {rule.determinant} -> {rule.dependent}: bad indices")
        return rule


class RuleSet:
    """The rules of a table, with a column order to enforce them in.

    Parameters
    ----------
    rules : sequence of Rule
        Already in enforcement order (see :func:`order_rules`).
    prototype : mapping, optional
        Values (discrete indices, numbers) of every rule column in a row that keeps every rule:
        the fallback of :meth:`enforce` when no row of a batch can lend its values.
    """

    def __init__(self, rules: Sequence[Rule] = (), prototype: Mapping[str, Any] | None = None):
        self.rules = list(rules)
        self.prototype = dict(prototype or {})

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def describe(self) -> list[str]:
        """One readable line per rule (value-level rules one line per implication)."""
        return [line for rule in self.rules for line in rule.describe()]

    @property
    def columns(self) -> list[str]:
        """Every column some rule reads or writes, in table-independent first-seen order."""
        seen: dict[str, None] = {}
        for r in self.rules:
            seen.setdefault(r.determinant)
            seen.setdefault(r.dependent)
        return list(seen)

    def contradiction(self, conditions: Sequence[tuple[str, str, Any]]) -> str | None:
        """A message when conditions ask for a determinant value (``==``) and dependent values
        that a rule forbids together (``relationship == Husband`` with ``sex == Female``, or
        ``class == crew`` with ``fare >= 5``), else ``None``: such rows are never decoded, so
        sampling could never end."""
        conditions = list(conditions)
        for rule in self.rules:
            asked = [v for c, op, v in conditions if c == rule.determinant and op == "=="]
            on_dependent = [(op, v) for c, op, v in conditions if c == rule.dependent]
            if not asked or not on_dependent:
                continue
            for premise, conclusion in zip(rule.premises, rule.conclusions, strict=True):
                if not any(value_key(v) == value_key(premise) for v in asked):
                    continue
                for op, wanted in on_dependent:
                    if not _keeps(conclusion, op, wanted, rule.numeric):
                        return (
                            f"conditions {rule.determinant} == {_shown(premise)} and "
                            f"{rule.dependent} {op} {_shown(wanted)} contradict the rule "
                            f"{rule.determinant}={_shown(premise)} -> "
                            f"{rule.dependent}={_shown(conclusion)} found in the training data"
                        )
        return None

    def broken(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows of ``frame`` that break at least one rule."""
        out = np.zeros(len(frame), dtype=bool)
        for rule in self.rules:
            out |= rule.broken(frame)
        return out

    # ---------------------------------------------------------------- enforcement
    def enforce(
        self,
        arrays: dict[str, np.ndarray],
        widths: Mapping[str, int],
        uniforms: Callable[[np.ndarray], np.ndarray] | None = None,
        hold: Collection[str] = (),
    ) -> int:
        """Make every row keep every rule, in place, on encoder-space arrays.

        Parameters
        ----------
        arrays : dict
            Column -> ``(n,)`` array: category indices (int) for discrete columns, decoded
            float values for numeric ones. Rules need their ``premise_index`` (and, for a
            discrete dependent, ``conclusion_index``): rules of an encoder.
        widths : mapping
            Discrete column -> width of its category span (the "other" bucket included).
        uniforms : callable, optional
            ``uniforms(rows)``: a number in [0, 1) for each of those row positions, fixed by the
            row (the encoder hashes its drawn values), which picks the redrawn determinant of
            a rule that :attr:`Rule.resolves_by_dependent`. Default: a hash of the rule columns.
        hold : collection of str
            Columns a caller asked for (conditional sampling): such a rule whose determinant is
            held sets its dependent instead, so a row drawn for ``country == X`` keeps ``X``.

        Returns
        -------
        int
            Rows that broke a rule after the sweeps and took their rule columns from another
            row (conflicting determinants).
        """
        if not self.rules:
            return 0
        tables = [_lookup(rule, widths.get(rule.determinant, 0)) for rule in self.rules]
        self._redraw_determinants(arrays, tables, uniforms, hold)
        for _ in range(MAX_SWEEPS):
            changed = False
            for rule, (has, target) in zip(self.rules, tables, strict=True):
                det, dep = arrays[rule.determinant], arrays[rule.dependent]
                hit = has[det]
                if not hit.any():
                    continue
                want = target[det[hit]]
                now = dep[hit]
                if rule.numeric:
                    differs = ~((now == want) | (np.isnan(now) & np.isnan(want)))
                else:
                    differs = now != want
                if differs.any():
                    rows = np.flatnonzero(hit)[differs]
                    dep[rows] = want[differs]
                    changed = True
            if not changed:
                return 0
        bad = self._violations(arrays, tables)
        if not bad.any():
            return 0
        good = np.flatnonzero(~bad)
        rows = np.flatnonzero(bad)
        for name in self.columns:
            column = arrays[name]
            if good.size:  # the nearest earlier (else later) good row: deterministic
                pos = np.clip(np.searchsorted(good, rows) - 1, 0, good.size - 1)
                column[rows] = column[good[pos]]
            else:
                column[rows] = self.prototype[name]
        return int(rows.size)

    def _redraw_determinants(
        self,
        arrays: dict[str, np.ndarray],
        tables: list,
        uniforms: Callable[[np.ndarray], np.ndarray] | None,
        hold: Collection[str],
    ) -> None:
        """Coarse to fine: for each rule that :attr:`Rule.resolves_by_dependent`, in reverse
        enforcement order (``region -> continent`` before ``country -> region``), give a row that
        breaks it a determinant drawn among the premises implying the row's dependent, in
        proportion to their training rows (``P(country | region)``). A dependent value no
        premise implies is left to the sweeps."""
        for rule, (has, target) in reversed(list(zip(self.rules, tables, strict=True))):
            if not rule.resolves_by_dependent or rule.determinant in hold:
                continue
            det, dep = arrays[rule.determinant], arrays[rule.dependent]
            bad = np.flatnonzero(has[det] & (target[det] != dep))
            if not bad.size:
                continue
            premises = np.asarray(rule.premise_index, dtype=np.int64)
            conclusions = np.asarray(rule.conclusion_index, dtype=np.int64)
            weights = np.asarray(rule.rows, dtype=np.float64)
            u = uniforms(bad) if uniforms is not None else _hash_uniforms(arrays, bad)
            for value in np.unique(dep[bad]):
                pick = conclusions == value
                if not pick.any():
                    continue
                at = dep[bad] == value
                cumulative = np.cumsum(weights[pick])
                chosen = np.searchsorted(cumulative, u[at] * cumulative[-1], side="right")
                det[bad[at]] = premises[pick][np.minimum(chosen, pick.sum() - 1)]

    def keeps(self, arrays: Mapping[str, np.ndarray], widths: Mapping[str, int]) -> np.ndarray:
        """Rows of encoder-space ``arrays`` (see :meth:`enforce`) that keep every rule."""
        if not self.rules:
            return np.ones(len(next(iter(arrays.values()), ())), dtype=bool)
        tables = [_lookup(rule, widths.get(rule.determinant, 0)) for rule in self.rules]
        return ~self._violations(arrays, tables)

    def _violations(self, arrays: Mapping[str, np.ndarray], tables: list) -> np.ndarray:
        n = len(next(iter(arrays.values())))
        bad = np.zeros(n, dtype=bool)
        for rule, (has, target) in zip(self.rules, tables, strict=True):
            det, dep = arrays[rule.determinant], arrays[rule.dependent]
            want = target[det]
            if rule.numeric:
                same = (dep == want) | (np.isnan(dep) & np.isnan(want))
            else:
                same = dep == want
            bad |= has[det] & ~same
        return bad

    # ---------------------------------------------------------------- persistence
    def to_dict(self) -> dict:
        proto = {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in self.prototype.items()
        }
        return {"rules": [r.to_dict() for r in self.rules], "prototype": proto}

    @classmethod
    def from_dict(cls, d: dict) -> RuleSet:
        rules = [Rule.from_dict(r) for r in d.get("rules", [])]
        proto = {}
        for k, v in d.get("prototype", {}).items():
            proto[str(k)] = math.nan if v is None else v
        return cls(rules, proto)


def _lookup(rule: Rule, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(has, target) arrays over the determinant's category indices."""
    if not rule.premise_index:
        raise ValueError(f"rule {rule.determinant} -> {rule.dependent} has no encoder indices")
    has = np.zeros(width, dtype=bool)
    has[list(rule.premise_index)] = True
    if rule.numeric:
        target = np.full(width, np.nan)
        target[list(rule.premise_index)] = [float(c) for c in rule.conclusions]
    else:
        target = np.full(width, -1, dtype=np.int64)
        target[list(rule.premise_index)] = rule.conclusion_index
    return has, target


# -------------------------------------------------------------------- detection
def find_rules(
    discrete: Mapping[str, pd.Series],
    numeric: Mapping[str, np.ndarray] | None = None,
    min_rows: int = MIN_ROWS,
    alpha: float = ALPHA,
    max_exceptions: float = MAX_EXCEPTIONS,
) -> list[Rule]:
    """Exact dependencies from each discrete column to each other column, with support.

    Parameters
    ----------
    discrete : mapping
        Column -> values of each discrete column (missing values are a value).
    numeric : mapping, optional
        Column -> float values of each numeric column (NaN is a value); dependents only.
    min_rows, alpha, max_exceptions : see the module docstring.

    Returns
    -------
    list of Rule
        Without encoder indices, in :func:`order_rules` order.
    """
    numeric = dict(numeric or {})
    codes: dict[str, tuple[np.ndarray, list]] = {}
    for name, series in discrete.items():
        c, uniques = pd.factorize(pd.Series(series).reset_index(drop=True), use_na_sentinel=False)
        codes[name] = (c.astype(np.int64), [_plain(u) for u in uniques])
    for name, values in numeric.items():
        c, uniques = pd.factorize(np.asarray(values, dtype=np.float64), use_na_sentinel=False)
        codes[name] = (c.astype(np.int64), [float(u) for u in uniques])
    lengths = {len(c) for c, _ in codes.values()}
    if len(lengths) > 1:
        raise ValueError("every column must have the same number of rows")
    n = lengths.pop() if lengths else 0
    if n < MIN_TABLE_ROWS or not discrete:
        return []
    names = list(codes)
    sizes = np.array([len(codes[c][1]) for c in names])
    # one int32 code matrix (smaller than the encoded training matrix): every dependent of a
    # determinant value is then checked at once, not one column pair at a time
    matrix = np.stack([codes[c][0].astype(np.int32) for c in names], axis=1)
    shares = [np.bincount(codes[c][0], minlength=len(codes[c][1])) / n for c in names]
    candidates = []
    whole = []  # whole-column dependencies: (a, b, log chance, premises)
    tested = 0
    pair_tests = 0
    for a in discrete:
        ia = names.index(a)
        ca, a_values = codes[a]
        ka = len(a_values)
        if ka < 2 or ka > MAX_DETERMINANT_VALUES:
            continue
        n_a = np.bincount(ca, minlength=ka)
        cols = np.flatnonzero((sizes >= 2) & (np.arange(len(names)) != ia))
        if not cols.size:
            continue
        ordered = matrix[np.argsort(ca, kind="stable")][:, cols]
        bounds = np.concatenate([[0], np.cumsum(n_a)])
        pair_tests += _whole_column(a, names, shares, cols, ordered, n_a, bounds, whole)
        for i in np.flatnonzero(n_a >= min_rows):
            tested += cols.size
            rows = int(n_a[i])
            block = ordered[bounds[i] : bounds[i + 1]]
            allowed = math.floor(max_exceptions * rows)
            if allowed == 0:
                mode = block[0]
                exceptions = np.zeros(cols.size, dtype=np.int64)
                hit = (block == mode).all(axis=0)
            else:
                # at most 0.2% exceptions: the value in the middle of the sorted rows is the mode
                mode = np.sort(block, axis=0)[rows // 2]
                exceptions = rows - (block == mode).sum(axis=0)
                hit = exceptions <= allowed
            for j in np.flatnonzero(hit):
                b = int(cols[j])
                e = int(exceptions[j])
                chance_log = _log_chance(shares[b], rows, e)
                candidates.append((a, names[b], int(i), int(mode[j]), rows, e, chance_log))
    if not candidates and not whole:
        return []
    limit = math.log(alpha / max(tested, 1))
    kept: dict[tuple[str, str], list] = {}
    for a, b, i, j, rows, e, chance_log in candidates:
        if chance_log <= limit:
            kept.setdefault((a, b), []).append((i, j, rows, e))
    column_limit = math.log(alpha / max(pair_tests, 1))
    for a, b, chance_log, premises in whole:
        if chance_log <= column_limit and premises:
            items = kept.setdefault((a, b), [])
            have = {t[0] for t in items}
            items.extend(t for t in premises if t[0] not in have)
    rules = []
    for (a, b), items in kept.items():
        a_values, b_values = codes[a][1], codes[b][1]
        items.sort(key=lambda t: -t[2])
        rules.append(
            Rule(
                a,
                b,
                tuple(a_values[t[0]] for t in items),
                tuple(b_values[t[1]] for t in items),
                tuple(t[2] for t in items),
                complete=len(items) == len(a_values),
                numeric=b in numeric,
                exceptions=tuple(t[3] for t in items),
                values=len(a_values),
            )
        )
    return order_rules(rules, list(codes))


def _whole_column(
    a: str,
    names: list[str],
    shares: list[np.ndarray],
    cols: np.ndarray,
    ordered: np.ndarray,
    n_a: np.ndarray,
    bounds: np.ndarray,
    out: list,
) -> int:
    """Append to ``out`` each column of ``cols`` that determinant ``a`` fixes exactly, value by
    value, over every value seen in two rows or more: ``(a, b, log chance, premises)``, the log
    chance summed over those values and the premises those with ``COLUMN_MIN_ROWS`` rows or more
    (``(value, conclusion, rows, 0)``). ``ordered`` is the code matrix sorted by ``a`` (``n_a``
    rows per value, starting at ``bounds``). Returns the column pairs tested."""
    multi = np.flatnonzero(n_a >= 2)
    if not multi.size:
        return 0
    group = np.repeat(np.arange(len(n_a)), n_a)
    same = group[1:] == group[:-1]
    exact = ~((ordered[1:] != ordered[:-1]) & same[:, None]).any(axis=0)
    sizes, repeats = np.unique(n_a[multi], return_counts=True)
    pinned = np.flatnonzero(n_a >= COLUMN_MIN_ROWS)
    for j in np.flatnonzero(exact):
        b = int(cols[j])
        chance_log = sum(
            int(r) * _log_chance(shares[b], int(k), 0) for k, r in zip(sizes, repeats, strict=True)
        )
        premises = [(int(i), int(ordered[bounds[i], j]), int(n_a[i]), 0) for i in pinned]
        out.append((a, names[b], chance_log, premises))
    return int(cols.size)


def _log_chance(share: np.ndarray, rows: int, exceptions: int) -> float:
    """Log of a bound on the chance that, were the dependent independent of the determinant,
    ``rows`` rows would share one value with at most ``exceptions`` others:
    ``sum_b C(rows, e) p_b ** (rows - e)`` (a union bound over which rows are the exceptions;
    ``sum_b p_b ** rows`` when there are none)."""
    p = share[share > 0]
    log_choose = (
        math.lgamma(rows + 1) - math.lgamma(exceptions + 1) - math.lgamma(rows - exceptions + 1)
    )
    logs = log_choose + (rows - exceptions) * np.log(p)
    top = float(logs.max())
    return top + math.log(float(np.exp(logs - top).sum()))


def order_rules(rules: Sequence[Rule], column_order: Sequence[str]) -> list[Rule]:
    """Rules sorted by a topological order of their determinants (the strongly connected parts
    of the dependency graph, e.g. a bijection, by ``column_order``), so that a column is set
    before the rules it determines are applied."""
    position = {c: i for i, c in enumerate(column_order)}
    nodes = sorted({r.determinant for r in rules} | {r.dependent for r in rules}, key=position.get)
    edges: dict[str, set[str]] = {v: set() for v in nodes}
    for r in rules:
        edges[r.determinant].add(r.dependent)
    component = _components(nodes, edges)
    # order components topologically (Kahn), ties by their first column
    comp_edges: dict[int, set[int]] = {}
    indegree: dict[int, int] = {c: 0 for c in set(component.values())}
    for u in nodes:
        for v in edges[u]:
            cu, cv = component[u], component[v]
            if cu != cv and cv not in comp_edges.setdefault(cu, set()):
                comp_edges[cu].add(cv)
                indegree[cv] += 1
    first = {}
    for v in nodes:
        first.setdefault(component[v], position[v])
    ready = sorted((c for c, d in indegree.items() if d == 0), key=first.get)
    rank: dict[int, int] = {}
    while ready:
        c = ready.pop(0)
        rank[c] = len(rank)
        for d in sorted(comp_edges.get(c, ()), key=first.get):
            indegree[d] -= 1
            if indegree[d] == 0:
                ready.append(d)
                ready.sort(key=first.get)
    return sorted(
        rules,
        key=lambda r: (
            rank[component[r.determinant]],
            position[r.determinant],
            position[r.dependent],
        ),
    )


def _components(nodes: list[str], edges: dict[str, set[str]]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative): node -> component id."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: dict[str, int] = {}
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = len(set(out.values()))
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    out[w] = comp
                    if w == v:
                        break
    return out


def detect_rules(
    frame: pd.DataFrame,
    discrete_columns: Sequence[str],
    numeric_columns: Sequence[str] = (),
    min_rows: int = MIN_ROWS,
    alpha: float = ALPHA,
    max_exceptions: float = MAX_EXCEPTIONS,
) -> RuleSet:
    """The rules of a plain table (no encoder): what :func:`find_rules` finds, as a
    :class:`RuleSet` that can :meth:`~RuleSet.broken` other tables but not enforce.

    Numeric columns are read with ``pandas.to_numeric`` (datetimes as nanoseconds).
    """
    discrete = {c: frame[c] for c in discrete_columns}
    numeric = {c: _as_float(frame[c]) for c in numeric_columns}
    return RuleSet(find_rules(discrete, numeric, min_rows, alpha, max_exceptions))


# -------------------------------------------------------------------- helpers
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix64(h: np.ndarray, words: np.ndarray) -> np.ndarray:
    """One splitmix64 round of ``h ^ words`` (uint64 arrays; wrapping arithmetic)."""
    z = (h ^ words) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def hash_uniforms(words: Iterable[np.ndarray], n: int) -> np.ndarray:
    """A number in [0, 1) for each of ``n`` rows, hashed (splitmix64, top 53 bits) from uint64
    arrays of the rows' values, one array a column: the same values give the same number."""
    h = np.zeros(n, dtype=np.uint64)
    for w in words:
        h = _mix64(h, w)
    return (h >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _hash_uniforms(arrays: Mapping[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """:func:`hash_uniforms` of the rows' rule columns (floats' bits)."""
    words = (np.asarray(v)[rows].astype(np.float64).view(np.uint64) for v in arrays.values())
    return hash_uniforms(words, rows.size)


def _plain(value: Any) -> Any:
    return from_json_value(to_json_value(value))


#: the comparison operators of conditions and rules (``tabgan.sampling.conditions`` uses it too)
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


def _keeps(value: Any, op: str, wanted: Any, numeric: bool) -> bool:
    """Whether a rule's conclusion can meet a condition (unknown cases: it can)."""
    if op not in COMPARISONS:
        return True
    if numeric:
        try:
            x, w = float(value), float(wanted)
        except (TypeError, ValueError):
            return True
        if math.isnan(x) or math.isnan(w):
            return True
        return bool(COMPARISONS[op](x, w))
    if op in ("==", "!="):
        same = value_key(value) == value_key(wanted)
        return same if op == "==" else not same
    return True


def _against(exceptions: int) -> str:
    if not exceptions:
        return ""
    return f", {exceptions:,} exception" + ("s" if exceptions > 1 else "") + " in training"


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "<missing>"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_float(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.astype("int64").astype(np.float64).where(series.notna(), np.nan).to_numpy()
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _equals(series: pd.Series, value: Any) -> np.ndarray:
    """Rows of ``series`` equal to the plain ``value`` (``None``: missing), matched as the
    codecs match categories (:func:`~tabgan.encoding.discrete.value_key`), one test per
    distinct value."""
    codes, uniques = pd.factorize(pd.Series(series).reset_index(drop=True), use_na_sentinel=False)
    key = value_key(value)
    match = np.array([value_key(u) == key for u in uniques], dtype=bool)
    return match[codes] if len(uniques) else np.zeros(len(codes), dtype=bool)
