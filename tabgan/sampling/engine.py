"""The sampling engine: one unit scheduler for plain, refined, conditional and balanced draws.

Rows are made in units of candidates, each from its own seed, spawned in order from the call's
seed. A unit generates its candidates (with the conditional vector steered when a condition asks
for it), keeps those the refinement filter accepts (:mod:`tabgan.refine`), decodes them (the
decoder keeps the table's own rules), derives the values a declared constraint fixes, and keeps
the rows every condition and every declared constraint holds on. Units run on parallel lanes on
the CPU (:mod:`tabgan.sampling.lanes`) and come back in order.

Units are planned in rounds: a round's size comes from the rows still wanted at the acceptance
rate seen in the rounds before it (never from units still in flight), so a seed gives the same
units, and the same rows, whatever the number of lanes. A draw that keeps every candidate (no
filter, no condition) is one round of exactly the rows asked for. A draw whose candidate budget
runs out fails with a :class:`~tabgan.errors.ConditionError` naming the condition that rejected
most rows. Never fewer rows than asked.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tabgan.encoding import Draw
from tabgan.errors import ConditionError
from tabgan.sampling.conditions import ColumnCondition, Steering
from tabgan.sampling.context import SamplingContext
from tabgan.sampling.lanes import Lanes, lane_count

SAMPLE_CHUNK = 50_000  # rows per yielded frame and most candidates per unit
MIN_BATCH = 256  # fewest candidates in a round of a filtered draw
ROUND_UNITS = 4  # units per round of candidates (fixed: the rows must not depend on lanes)
MIN_UNIT = 4_096  # smaller rounds stay one unit


def candidate_rows(need: int, kept: int, generated: int, prior: float = 1.0) -> int:
    """Rows to generate for ``need`` more accepted ones, at the acceptance rate seen so far
    (``prior`` before any row), with 10% and 16 rows of slack."""
    rate = (kept + 1) / (generated + 1) if generated else prior
    return math.ceil(need / rate * 1.1) + 16


def default_budget(n: int) -> int:
    """Most rows generated to find ``n`` matching ones: ``max(100 n, 100_000)``."""
    return max(100 * n, 100_000)


def round_units(total: int, max_unit: int = SAMPLE_CHUNK) -> list[int]:
    """A round of ``total`` candidate rows as units for the lanes: at most ``max_unit`` rows
    each, and up to ``ROUND_UNITS`` units of at least ``MIN_UNIT`` rows for parallel work."""
    k = max(min(ROUND_UNITS, total // MIN_UNIT), -(-total // max_unit), 1)
    size, extra = divmod(total, k)
    return [size + 1] * extra + [size] * (k - extra)


def exact_units(total: int, max_unit: int = SAMPLE_CHUNK) -> list[int]:
    """``total`` rows as units of ``max_unit`` rows, the last one shorter."""
    return [min(max_unit, total - lo) for lo in range(0, total, max_unit)]


@dataclass(frozen=True)
class RowFilter:
    """What a unit keeps: rows the refiner accepts (``refine``) and that satisfy every
    resolved condition, generated with the conditional vector ``steer`` (None: drawn at the
    training frequencies)."""

    columns: Sequence[ColumnCondition] = ()
    steer: Steering | None = None
    refine: bool = True

    @property
    def n_checks(self) -> int:
        return sum(len(c.conditions) for c in self.columns)

    @property
    def held(self) -> frozenset[str]:
        """Columns the conditions ask for, which decoding must not change to mend a rule."""
        return frozenset(c.name for c in self.columns)


@dataclass
class UnitResult:
    """One unit's kept rows and what the rest was rejected by."""

    frame: pd.DataFrame
    generated: int
    decoded: int
    rejected: np.ndarray  # rows each condition rejected, among the decoded ones


def _candidates(
    ctx: SamplingContext, size: int, trng, np_rng: np.random.Generator, steer: Steering | None
) -> Draw:
    if steer is None:
        return ctx.generate(size, trng)
    split = np_rng.multinomial(size, steer.weights)
    parts = [
        ctx.generate(int(k), trng, (steer.span, int(cat)))
        for cat, k in zip(steer.allowed, split, strict=True)
        if k > 0
    ]
    return Draw.concat(parts).take(np_rng.permutation(size))


def run_unit(
    ctx: SamplingContext, size: int, ss: np.random.SeedSequence, rows: RowFilter
) -> UnitResult:
    """``size`` candidates from their own seed: the refiner (if any) thins them before they
    are decoded, then every condition is checked on the decoded rows."""
    trng, np_rng = ctx.streams(ss)
    draw = _candidates(ctx, size, trng, np_rng, rows.steer)
    if rows.refine and ctx.refiner is not None:
        draw = draw.take(ctx.refiner.accept(draw, np_rng, ctx.dtype))
    frame = ctx.encoder.decode(draw, np_rng, rows.held)  # the table's own rules are kept here
    if ctx.constrained:
        frame = ctx.constraints.repair(frame)  # declared values that can be derived exactly
    decoded = len(frame)
    rejected = np.zeros(rows.n_checks + 1, dtype=np.int64)  # the last: the constraints
    ok = np.ones(decoded, dtype=bool)
    i = 0
    for col in rows.columns:
        for mask in col.masks(frame):
            rejected[i] = int((~mask).sum())
            ok &= mask
            i += 1
    if ctx.constrained:
        mask = ctx.constraints.mask(frame)
        rejected[-1] = int((~mask).sum())
        ok &= mask
    if not ok.all():
        frame = frame.loc[ok]
    return UnitResult(frame, size, decoded, rejected)


@dataclass
class _Tally:
    """Rows kept so far, in unit order, and the counts that size the next round."""

    n: int
    chunk: int
    n_checks: int
    kept: list[pd.DataFrame] = field(default_factory=list)
    have: int = 0  # rows buffered in ``kept``
    got: int = 0  # rows accepted in all
    emitted: int = 0
    generated: int = 0
    decoded: int = 0
    rejected: np.ndarray | None = None

    def add(self, result: UnitResult) -> None:
        if self.rejected is None:
            self.rejected = np.zeros(self.n_checks + 1, dtype=np.int64)
        self.rejected += result.rejected
        self.generated += result.generated
        self.decoded += result.decoded
        if len(result.frame):
            self.kept.append(result.frame)
            self.have += len(result.frame)
            self.got += len(result.frame)

    def chunks(self, final: bool = False) -> Iterator[pd.DataFrame]:
        """Frames of ``chunk`` rows while enough are buffered (with ``final``, the rest too),
        never more than ``n`` rows in all."""
        while self.emitted < self.n and self.have:
            want = min(self.chunk, self.n - self.emitted)
            if self.have < want and not final:
                return
            want = min(want, self.have)
            rows = pd.concat(self.kept, ignore_index=True) if len(self.kept) > 1 else self.kept[0]
            yield rows.iloc[:want].reset_index(drop=True)
            rest = rows.iloc[want:]
            self.kept = [rest] if len(rest) else []
            self.have -= want
            self.emitted += want


def draw_rows(
    ctx: SamplingContext,
    n: int,
    ss: np.random.SeedSequence,
    rows: RowFilter | None = None,
    *,
    chunk: int = SAMPLE_CHUNK,
    budget: int | None = None,
) -> Iterator[pd.DataFrame]:
    """Exactly ``n`` kept rows, as frames of ``chunk`` rows (the last one shorter).

    Parameters
    ----------
    ctx : SamplingContext
        The fitted parts.
    n : int
        Rows wanted.
    ss : SeedSequence
        The call's seed: unit ``i`` takes the ``i``-th spawned child.
    rows : RowFilter, optional
        What to keep (default: the refiner's choice, no condition).
    chunk : int
        Rows per yielded frame, and most candidates per unit.
    budget : int, optional
        Most candidates to generate (default: unlimited).

    Raises
    ------
    ConditionError
        The budget ran out first.
    """
    rows = RowFilter() if rows is None else rows
    refiner = ctx.refiner if rows.refine else None
    exact = refiner is None and not rows.columns and not ctx.constrained
    if budget is None and ctx.constrained:
        budget = default_budget(n)  # constraints could reject every row of a poor generator
    prior = float(refiner.accept_rate) if refiner is not None else 1.0
    tally = _Tally(n, chunk, rows.n_checks)
    with ctx.eval_mode(), Lanes(lane_count(ctx.device)) as lanes:
        while tally.got < n:
            if budget is not None and tally.generated >= budget:
                raise _exhausted(n, rows, tally, budget)
            need = n - tally.got
            if exact:
                sizes = exact_units(need, chunk)
            else:
                total = max(candidate_rows(need, tally.got, tally.generated, prior), MIN_BATCH)
                if budget is not None:
                    total = min(total, budget - tally.generated)
                sizes = round_units(total, chunk)
            for size in sizes:
                while lanes.full and tally.got < n:
                    tally.add(lanes.next())
                    yield from tally.chunks()
                if tally.got >= n:
                    break
                lanes.submit(run_unit, ctx, size, ss.spawn(1)[0], rows)
            while len(lanes) and tally.got < n:
                tally.add(lanes.next())
                yield from tally.chunks()
        yield from tally.chunks(final=True)


def _exhausted(n: int, rows: RowFilter, tally: _Tally, budget: int) -> ConditionError:
    conds: list[str] = [str(c) for col in rows.columns for c in col.conditions]
    checks = [*conds, "the declared constraints"]
    joined = " and ".join(conds) or "the declared constraints"
    message = (
        f"could not generate {n} rows with {joined} within a budget of {budget} generated "
        f"rows: {tally.got} matched (acceptance {tally.got / max(tally.generated, 1):.3%})"
    )
    if tally.rejected is not None and tally.rejected.any():
        worst = int(np.argmax(tally.rejected))
        share = tally.rejected[worst] / max(tally.decoded, 1)
        message += f"; {checks[worst]} rejected most ({share:.1%} of the rows checked)"
    return ConditionError(message)


__all__ = [
    "SAMPLE_CHUNK",
    "RowFilter",
    "UnitResult",
    "candidate_rows",
    "default_budget",
    "draw_rows",
    "exact_units",
    "round_units",
    "run_unit",
]
