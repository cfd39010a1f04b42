"""The one unit scheduler: exact counts and chunk sizes on every path, rounds, budgets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tabgan import ConditionError
from tabgan.sampling import RowFilter, SamplingContext, draw_rows, resolve
from tabgan.sampling.engine import candidate_rows, exact_units, round_units


def test_unit_planning() -> None:
    assert exact_units(120_001, 50_000) == [50_000, 50_000, 20_001]
    assert exact_units(7, 50_000) == [7]
    assert sum(round_units(123_457, 10_000)) == 123_457
    assert max(round_units(123_457, 10_000)) <= 10_000
    assert candidate_rows(100, 0, 0, prior=0.5) == 237  # 100 / 0.5 * 1.1 + 16
    assert candidate_rows(100, 50, 199) == 448  # at the rate seen so far, 51 / 200


@pytest.mark.parametrize("refine", [False, True])
@pytest.mark.parametrize(("n", "chunk"), [(1, 1), (95, 20), (40, 40), (41, 40)])
def test_every_path_yields_exact_chunks(fitted_model, refine, n, chunk) -> None:
    model, _ = fitted_model
    ctx = model.sampling_context()
    plain = [
        len(f)
        for f in draw_rows(ctx, n, np.random.SeedSequence(0), RowFilter(refine=refine), chunk=chunk)
    ]
    columns = resolve(ctx, {"group": "a"})
    conditional = [
        len(f)
        for f in draw_rows(
            ctx, n, np.random.SeedSequence(0), RowFilter(columns, refine=refine), chunk=chunk
        )
    ]
    expected = [chunk] * (n // chunk) + ([n % chunk] if n % chunk else [])
    assert plain == expected and conditional == expected


def test_the_context_holds_only_fitted_parts(fitted_model) -> None:
    model, _ = fitted_model
    ctx = model.sampling_context()
    assert isinstance(ctx, SamplingContext)
    assert ctx.generator is model.generator_ and ctx.encoder is model.encoder_
    assert ctx.columns == model.columns_


def test_conditions_are_checked_on_the_decoded_rows(fitted_model) -> None:
    model, _ = fitted_model
    ctx = model.sampling_context()
    columns = resolve(ctx, {"group": "b", "age": (">=", 40)})
    rows = pd.concat(list(draw_rows(ctx, 60, np.random.SeedSequence(1), RowFilter(columns))))
    assert len(rows) == 60 and (rows["group"] == "b").all() and (rows["age"] >= 40).all()


def test_a_budget_that_runs_out_names_the_condition(fitted_model) -> None:
    model, _ = fitted_model
    ctx = model.sampling_context()
    columns = resolve(ctx, {"income": ("==", 12_345.5)})
    with pytest.raises(ConditionError, match=r"income == 12345\.5.*budget of 1000"):
        list(draw_rows(ctx, 5, np.random.SeedSequence(2), RowFilter(columns), budget=1_000))
