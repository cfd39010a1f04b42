"""Marginal calibration: each numeric column's generated values mapped onto the real quantiles.

A GAN's numeric marginals are off in a smooth, systematic way (too narrow a mode, a tail too
light), which the Kolmogorov-Smirnov distance of every numeric column shows and which a model
trained on the synthetic rows then learns with thresholds in the wrong places. After training,
tabgan draws rows from its own generator, and for every numeric column fits the monotone,
piecewise-linear map that takes the quantiles of the generator's values to the quantiles of the
real training values (:data:`KNOTS` of them). Sampling applies it when decoding, before rounding
to the column's decimals.

What it changes and what it keeps:

- The map is monotone, so every row keeps its rank within its column: the dependencies between
  columns the generator learned (rank correlations, which row is larger) are untouched; only
  the scale of each column moves.
- It maps the mixture part of a column only: point masses the encoder found (capital-gain's 0)
  and missing values keep their own modes, so their shares are the generator's.
- Rules, declared constraints and conditions are checked on the calibrated values as on any
  other (decoding happens before them).
- It is fitted on the training rows, never on the rows held out for ``epochs="auto"``, and the
  refinement filter (:mod:`tabgan.refine`) is fitted after it, on calibrated rows.
- Under differential privacy there is none: exact quantiles of the real rows are not private.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tabgan.encoding import TableEncoder
from tabgan.encoding.convert import numeric_values
from tabgan.encoding.numeric import NumericCodec
from tabgan.encoding.spans import Draw

#: quantile knots per column (the ends included)
KNOTS = 257
#: fewest values (real, and generated) a column needs to be calibrated
MIN_VALUES = 50
#: generated rows drawn for the calibration: ``ROWS_PER_REAL`` per training row, within bounds
ROWS_PER_REAL = 2
MIN_ROWS, MAX_ROWS = 5_000, 20_000


def calibration_rows(n_real: int) -> int:
    """Generated rows to draw for a table of ``n_real`` training rows."""
    return int(min(MAX_ROWS, max(MIN_ROWS, ROWS_PER_REAL * n_real)))


def knots(
    generated: np.ndarray, real: np.ndarray, n_knots: int = KNOTS
) -> list[list[float]] | None:
    """``[knots, targets]``: the generated values' quantiles at ``n_knots`` levels (made
    strictly increasing, a tie taking the mean of its targets) and the real values' quantiles at
    the same levels; None when either side is too small or the generated values do not spread."""
    if len(generated) < MIN_VALUES or len(real) < MIN_VALUES:
        return None
    levels = np.linspace(0.0, 1.0, n_knots)
    g = np.quantile(generated, levels)
    r = np.quantile(real, levels)
    g, first = np.unique(g, return_index=True)
    if len(g) < 2:
        return None
    # each distinct knot's target: the mean of the real quantiles at its tied levels
    bounds = np.append(first, len(levels))
    sums = np.add.reduceat(r, first)
    t = sums / np.diff(bounds)
    t = np.maximum.accumulate(t)  # means of a non-decreasing sequence stay non-decreasing
    return [g.tolist(), t.tolist()]


def fit_calibration(
    encoder: TableEncoder, real: pd.DataFrame, draw: Draw, n_knots: int = KNOTS
) -> list[str]:
    """Set each numeric codec's calibration from the generated ``draw`` and the ``real``
    training rows (an existing calibration is replaced); returns the columns calibrated."""
    done = []
    for spec, codec, slot in zip(encoder.schema_, encoder.codecs_, encoder.slots, strict=True):
        if not isinstance(codec, NumericCodec):
            continue
        codec.calibration = None
        value, mode, _ = slot
        generated = codec.mixture_values(draw.values[value], draw.choices[mode])
        values = numeric_values(real[spec.name], spec)
        values = values[np.isfinite(values)]
        if codec.spikes:
            values = values[~np.isin(values, codec.spikes)]
        found = knots(generated, values, n_knots)
        if found is not None:
            codec.calibration = found
            done.append(spec.name)
    return done


__all__ = ["KNOTS", "calibration_rows", "fit_calibration", "knots"]
