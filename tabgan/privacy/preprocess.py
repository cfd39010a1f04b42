"""Private preprocessing: the encoder's codecs from noisy statistics (pandas/numpy only).

Hooks for :meth:`TableEncoder.fit <tabgan.encoding.table.TableEncoder.fit>` (its ``privacy``
argument): each returns the codec of one column, or ``None`` to let the encoder fit it as usual.

:class:`PrivatePreprocessor` (differential privacy) releases, as one Gaussian mechanism over
the whole table, these histograms, each moved by at most 1 when one row is added or removed:

* the row count;
* per discrete column, the count of every category seen. A category is kept only when its
  true count is at least ``rare_threshold`` AND its noisy count clears
  ``rare_threshold + sigma * z`` (``z`` the normal quantile of the column's share of the
  selection delta), so a category's existence is released with the usual partition-selection
  argument and a category held by fewer than ``rare_threshold`` rows is never stored. The rest
  share one "other" bucket that decodes to ``RARE_TOKEN`` (text columns) or to the most frequent
  kept category (other dtypes); its count is the noisy row count less the kept noisy counts;
* per numeric column: the counts of its four states (finite, NaN, +inf, -inf), a coarse
  histogram of the finite values on a fixed log-scale grid (from which the column's range is
  read as noisy 0.5% and 99.5% quantiles), and a fine histogram on that range (with exact zero
  as a cell of its own, and one cell per integer for narrow integer columns), from which the
  mixture modes are fitted and the point masses read.

The noise per count is ``sigma * sqrt(releases)``, ``sigma`` calibrated to the preprocessing
share of epsilon (:meth:`PrivacyBudget.preprocess_noise
<tabgan.privacy.budget.PrivacyBudget.preprocess_noise>`); :attr:`PrivatePreprocessor.release`
is the entry for the accountant. Everything stored is computed from these noisy counts.

:class:`RareCategoryFilter` (``protect_rare=k`` without DP) keeps exact counts but never stores
a category seen fewer than ``k`` times; numeric columns are fitted as usual.
"""

from __future__ import annotations

import json
import math
import warnings
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from tabgan.encoding.discrete import CategoricalCodec, to_json_value
from tabgan.encoding.numeric import (
    SPIKE_SHARE,
    NumericCodec,
    mixture_components,
    new_mixture,
)
from tabgan.encoding.schema import ColumnKind, ColumnSpec, Schema
from tabgan.privacy.budget import PrivacyBudget

RARE_TOKEN = "_RARE_"  # MOSTLY AI's token for suppressed categories
NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)
DISCRETE = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
RELEASES_PER_NUMERIC = 3  # states, coarse histogram, fine histogram
# coarse grid: t = sign(x) * log10(1 + |x| / SCALE) in quarter decades, up to |x| = 1e15
SCALE = 1e-4
T_MAX = math.log10(1 + 1e15 / SCALE)
T_STEP = 0.25
FINE_BINS = 128
MAX_UNIT_BINS = 256  # an integer column this narrow gets one cell per integer
QUANTILES = (0.005, 0.995)
#: a histogram cell passes for data when noise alone would lift any cell of the histogram that
#: far in at most this share of releases (Bonferroni over its cells). At a flat 3 sigma, empty
#: cells of the 152-cell coarse grid passed often enough to stretch a column's range by orders
#: of magnitude (tests/privacy: the range of a $100-$66,000 column); post-processing of the
#: released counts, so no privacy cost
FALSE_CELLS = 0.01
PSEUDO_ROWS = 4000  # points drawn from the noisy fine histogram to fit the mixture on


def _text_like(series: pd.Series, spec: ColumnSpec) -> bool:
    if spec.kind is ColumnKind.BOOLEAN:
        return False
    if spec.dtype == "category":
        cats = spec.options.get("categories", [])
        return all(isinstance(c, str) for c in cats if not isinstance(c, dict))
    return spec.dtype in ("object", "string", "str") or pd.api.types.is_string_dtype(series)


def _rare_bucket(codec: CategoricalCodec, series: pd.Series, spec: ColumnSpec) -> Any:
    """What the "other" bucket decodes to: the token for text, else the top kept value."""
    if _text_like(series, spec):
        return RARE_TOKEN
    return codec.categories[0] if codec.categories else None


def _store_kept(spec: ColumnSpec, codec: CategoricalCodec) -> None:
    """A pandas categorical column's schema lists its categories: keep only stored ones."""
    if "categories" in spec.options:
        # compared in JSON form, the form the schema holds them in
        kept = {json.dumps(to_json_value(v)) for v in codec.categories + codec.rare_values}
        spec.options["categories"] = [
            v for v in spec.options["categories"] if json.dumps(v) in kept
        ]
        if codec.rare_values == [RARE_TOKEN]:
            spec.options["categories"].append(RARE_TOKEN)


def _exact_counts(series: pd.Series) -> tuple[list[Any], np.ndarray]:
    """Every distinct value (missing as None) and its count, by descending count."""
    full = CategoricalCodec.fit(series, max_categories=2**62)  # merges 1 and 1.0 as fit does
    return full.categories, np.asarray(full.counts, dtype=np.float64)


class RareCategoryFilter:
    """``protect_rare=k`` without differential privacy: exact counts, but a category seen fewer
    than ``k`` times is never stored nor produced (it decodes as the "other" bucket).

    Parameters
    ----------
    k : int
        The threshold (rows).
    """

    #: the table's rules are found as usual: a rare category has no index, so no rule names it
    exact_rules = True

    def __init__(self, k: int) -> None:
        self.k = int(k)
        self.suppressed: dict[str, bool] = {}

    def begin(self, schema: Schema, n_rows: int, seed: np.random.SeedSequence) -> None:
        """Called once by the encoder before any column is fitted."""

    def numeric(self, values: np.ndarray, spec: ColumnSpec, max_modes: int, seed) -> None:
        return None  # fitted as usual

    def categorical(
        self, series: pd.Series, spec: ColumnSpec, max_categories: int, seed
    ) -> CategoricalCodec:
        values, counts = _exact_counts(series)
        keep = [i for i in range(len(values)) if counts[i] >= self.k][: max(max_categories - 1, 1)]
        if len(keep) == len(values) and len(values) <= max_categories:
            codec = CategoricalCodec(values, [int(c) for c in counts])
        else:
            codec = CategoricalCodec([values[i] for i in keep], [int(counts[i]) for i in keep])
            rest = int(counts.sum() - counts[keep].sum())
            codec.rare_values = [_rare_bucket(codec, series, spec)]
            codec.rare_counts = [rest]
        self.suppressed[spec.name] = codec.has_other
        _store_kept(spec, codec)
        return codec

    def record(self) -> dict[str, Any]:
        """What the model file should say was protected."""
        return {"rare_threshold": self.k, "token": RARE_TOKEN, "private_preprocessing": False}


class PrivatePreprocessor:
    """Codecs from noisy statistics (see the module docstring for exactly what is released).

    Parameters
    ----------
    budget : PrivacyBudget
        The fit's budget, :meth:`~tabgan.privacy.budget.PrivacyBudget.validated`.
    """

    #: no rules: a rule (which values always go together, over how many rows) is an exact
    #: statistic of the rows, which the budget does not cover
    exact_rules = False

    def __init__(self, budget: PrivacyBudget) -> None:
        self.budget = budget
        self.sigma: float | None = None
        self.n_releases = 0
        self.other_counts: dict[str, int] = {}  # noisy size of each column's "other" bucket

    # ------------------------------------------------------------ setup
    def begin(self, schema: Schema, n_rows: int, seed: np.random.SeedSequence) -> None:
        """Size the noise for this schema and release the row count; called once by the
        encoder before any column (``seed``: the row count's noise)."""
        kinds = [spec.kind for spec in schema]
        n_numeric = sum(k in NUMERIC for k in kinds)
        self.n_discrete = sum(k in DISCRETE for k in kinds)
        self.n_releases = 1 + RELEASES_PER_NUMERIC * n_numeric + self.n_discrete
        self.sigma = self.budget.preprocess_noise(self.n_releases)
        # partition selection: each discrete column may add a category with probability at
        # most its share of the selection delta
        per_column = self.budget.selection_delta / max(self.n_discrete, 1)
        self.threshold = self.budget.rare_threshold + self.sigma * NormalDist().inv_cdf(
            1 - per_column
        )
        self.noisy_rows = float(n_rows + self._noise(seed, 1)[0])

    @property
    def release(self) -> tuple[float, float, int]:
        """The accountant's entry: ``(noise_multiplier, sample_rate=1, steps=1)``."""
        if self.sigma is None:
            raise RuntimeError("begin() has not run")
        return (self.sigma / math.sqrt(self.n_releases), 1.0, 1)

    def _clear(self, cells: int) -> float:
        """The noisy count above which a cell of a ``cells``-cell histogram is data, not noise
        (at least 3 sigma; see :data:`FALSE_CELLS`)."""
        z = NormalDist().inv_cdf(1 - FALSE_CELLS / max(cells, 1))
        return float(self.sigma) * max(3.0, z)

    def _noise(self, seed, size: int | tuple) -> np.ndarray:
        return np.random.default_rng(seed).normal(0.0, self.sigma, size)

    # ------------------------------------------------------------ discrete columns
    def categorical(
        self, series: pd.Series, spec: ColumnSpec, max_categories: int, seed
    ) -> CategoricalCodec:
        """Kept categories by noisy count (see the module docstring)."""
        values, counts = _exact_counts(series)
        noisy = counts + self._noise(seed, len(values))
        gate = (counts >= self.budget.rare_threshold) & (noisy >= self.threshold)
        order = [i for i in np.argsort(-noisy, kind="stable") if gate[i]]
        order = order[: max(max_categories - 1, 1)]
        kept = [max(1, round(noisy[i])) for i in order]
        codec = CategoricalCodec([values[i] for i in order], kept)
        # the "other" bucket is always there (whether some category was left out is itself
        # private); its noisy count may be 0: the conditional vector then never asks for it
        other = max(0, round(self.noisy_rows - float(noisy[order].sum())))
        self.other_counts[spec.name] = other
        codec.rare_values = [_rare_bucket(codec, series, spec)]
        codec.rare_counts = [max(other, 1)]  # a draw weight: the codec needs it positive
        _store_kept(spec, codec)
        return codec

    # ------------------------------------------------------------ numeric columns
    def numeric(self, values: np.ndarray, spec: ColumnSpec, max_modes: int, seed) -> NumericCodec:
        """A mixture codec fitted on noisy histograms (see the module docstring)."""
        s_states, s_coarse, s_fine, s_fit = seed.spawn(4)
        values = np.asarray(values, dtype=np.float64)
        state_counts = np.array(
            [
                np.isfinite(values).sum(),
                np.isnan(values).sum(),
                np.isposinf(values).sum(),
                np.isneginf(values).sum(),
            ],
            dtype=np.float64,
        )
        noisy_states = state_counts + self._noise(s_states, 4)
        # a fixed domain of four cells: keeping a state is post-processing, no selection delta
        seen = [
            name
            for name, c in zip(("nan", "+inf", "-inf"), noisy_states[1:], strict=True)
            if c > 3 * self.sigma
        ]
        states = ["finite", *seen] if seen else []
        finite = values[np.isfinite(values)]
        lo, hi = self._bounds(finite, s_coarse)
        integer = spec.kind is ColumnKind.INTEGER
        if integer:
            lo, hi = math.floor(lo), math.ceil(hi)
        centres, widths, noisy, exact = self._fine(finite, lo, hi, integer, s_fine)
        # the coarse grid's edges are loose: tighten the range to the clearly occupied cells
        strong = noisy > self._clear(len(noisy))
        if strong.any():
            half = np.where(exact, 0.0, widths / 2)  # an exact cell is its own value
            lo = float((centres - half)[strong].min())
            hi = float((centres + half)[strong].max())
        probs = np.where((centres >= lo) & (centres <= hi), np.clip(noisy, 0, None), 0.0)
        total = probs.sum()
        if total <= 0:  # the noise drowned everything: one mode over the range
            mid, half = (lo + hi) / 2, max((hi - lo) / 2, 1e-6)
            return NumericCodec([1.0], [mid], [half / 2], [half / 0.99], lo, hi, states)
        probs = probs / total
        spikes = sorted(float(centres[i]) for i in np.flatnonzero(exact & (probs >= SPIKE_SHARE)))
        rest = ~np.isin(centres, spikes) | ~exact
        rng = np.random.default_rng(s_fit)
        weights, means, stds, halfwidths = self._mixture(
            centres[rest], widths[rest], probs[rest], max_modes, lo, hi, rng
        )
        return NumericCodec(
            [float(w) for w in weights],
            [float(m) for m in means],
            [float(s) for s in stds],
            [float(h) for h in halfwidths],
            float(lo),
            float(hi),
            states,
            spikes,
        )

    def _bounds(self, finite: np.ndarray, seed) -> tuple[float, float]:
        """The range as noisy quantiles on the coarse, data-independent log grid."""
        edges_t = np.arange(-T_MAX, T_MAX + T_STEP, T_STEP)
        t = np.sign(finite) * np.log10(1 + np.abs(finite) / SCALE)
        counts, _ = np.histogram(np.clip(t, edges_t[0], edges_t[-1]), bins=edges_t)
        noisy = counts + self._noise(seed, len(counts))
        # empty cells far from the data would otherwise pass as data: keep clear signals only
        kept = np.where(noisy > self._clear(len(noisy)), noisy, 0.0)
        if kept.sum() > 0:
            cdf = np.cumsum(kept) / kept.sum()
            lo_i = int(np.searchsorted(cdf, QUANTILES[0]))
            hi_i = int(np.searchsorted(cdf, QUANTILES[1]))
        else:  # few rows under much noise: the clear runs of neighbouring cells, widening
            lo_i, hi_i = self._clear_run(noisy)
        lo_t, hi_t = edges_t[lo_i], edges_t[hi_i + 1]

        def back(v: float) -> float:
            return float(np.sign(v) * (10 ** abs(v) - 1) * SCALE)

        return back(lo_t), back(hi_t)

    def _clear_run(self, noisy: np.ndarray) -> tuple[int, int]:
        """First and last cell of the runs of ``w`` neighbouring cells whose noisy sum is
        clear (``w`` doubling from 2 until some run is); if none is at any width, the run
        that stands out most (its sum in noise standard deviations): a coarser range beats
        one read from noise alone."""
        total = np.concatenate([[0.0], np.cumsum(noisy)])
        best, run = -math.inf, (0, len(noisy) - 1)
        w = 2
        while w < len(noisy) * 2:
            w = min(w, len(noisy))
            sums = total[w:] - total[:-w]  # run i: cells i .. i + w - 1
            clear = np.flatnonzero(sums > self._clear(len(sums)) * math.sqrt(w))
            if clear.size:
                return int(clear[0]), int(clear[-1]) + w - 1
            z = sums / math.sqrt(w)
            if z.max() > best:
                best, top = float(z.max()), int(np.argmax(z))
                run = (top, top + w - 1)
            w *= 2
        return run

    def _fine(
        self, finite: np.ndarray, lo: float, hi: float, integer: bool, seed
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Noisy counts on the range: ``(centres, widths, noisy counts, cell is one exact
        value)``; values outside the range count in the edge cells."""
        x = np.clip(finite, lo, hi)
        if integer and hi - lo + 1 <= MAX_UNIT_BINS:
            centres = np.arange(lo, hi + 1, dtype=np.float64)
            counts = np.bincount(np.round(x - lo).astype(np.int64), minlength=len(centres))
            widths = np.ones(len(centres))
            exact = np.ones(len(centres), dtype=bool)
        else:
            edges = np.linspace(lo, hi, FINE_BINS + 1) if hi > lo else np.array([lo, lo + 1e-9])
            zero = (x == 0) & (lo <= 0 <= hi)
            counts, _ = np.histogram(x[~zero], bins=edges)
            centres = (edges[:-1] + edges[1:]) / 2
            widths = np.diff(edges)
            exact = np.zeros(len(centres), dtype=bool)
            if lo <= 0 <= hi:  # exact zero, the usual point mass, as a cell of its own
                centres = np.append(centres, 0.0)
                widths = np.append(widths, 0.0)
                counts = np.append(counts, zero.sum())
                exact = np.append(exact, True)
        noisy = counts + self._noise(seed, len(counts))
        return centres, widths, noisy, exact

    @staticmethod
    def _mixture(centres, widths, probs, max_modes, lo, hi, rng):
        """A variational mixture fitted on points drawn from the noisy histogram: weights,
        means, stds and half-widths (4 std, widened to reach the points each mode holds)."""
        floor = max((hi - lo) * 1e-3, 1e-9)
        if probs.sum() <= 0 or len(centres) == 0:
            half = max((hi - lo) / 2, floor)
            return np.ones(1), np.array([(lo + hi) / 2]), np.array([half / 2]), np.array([half])
        p = probs / probs.sum()
        cell = rng.choice(len(centres), size=PSEUDO_ROWS, p=p)
        points = centres[cell] + (rng.random(PSEUDO_ROWS) - 0.5) * widths[cell]
        center, scale = float(points.mean()), float(points.std())
        if scale <= floor or np.unique(points).size < 2:
            std = max(scale, floor)
            reach = float(np.abs(points - center).max())
            return (
                np.ones(1),
                np.array([center]),
                np.array([std]),
                np.array([max(4 * std, reach / 0.99)]),
            )
        gmm = new_mixture(min(max_modes, np.unique(points).size), rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gmm.fit(((points - center) / scale).reshape(-1, 1))
        weights, means, stds = mixture_components(gmm, center, scale, floor)
        logp = np.log(weights) - np.log(stds) - 0.5 * ((points[:, None] - means) / stds) ** 2
        mode = np.argmax(logp, axis=1)
        reach = np.zeros(len(means))
        np.maximum.at(reach, mode, np.abs(points - means[mode]))
        return weights, means, stds, np.maximum(4 * stds, reach / 0.99)

    def record(self) -> dict[str, Any]:
        """What the model file should say was protected and released."""
        return {
            "rare_threshold": self.budget.rare_threshold,
            "token": RARE_TOKEN,
            "private_preprocessing": True,
            "preprocess_noise_per_count": self.sigma,
            "preprocess_releases": self.n_releases,
            "category_threshold": self.threshold,
        }


def condition_counts(encoder: Any, privacy: PrivatePreprocessor | None = None) -> np.ndarray:
    """The conditional vector's category counts read from a fitted encoder's codecs, in the
    order of its conditional spans: under DP these are the noisy counts already released, so
    the sampler's frequencies cost no further budget (pass them to
    :meth:`ConditionalSampler.from_data <tabgan.gan.sampler.ConditionalSampler.from_data>`).
    With the ``privacy`` hook that fitted the encoder, each "other" bucket counts its noisy
    size (possibly 0) rather than the codec's positive draw weight."""
    others = {} if privacy is None else privacy.other_counts
    out: list[float] = []
    for span in encoder.spans:
        if not span.conditional:
            continue
        codec = encoder.codecs_[encoder.schema_.names.index(span.column)]
        other = others.get(span.column, sum(codec.rare_counts))
        counts = list(codec.counts) + ([other] if codec.has_other else [])
        if len(counts) != span.width:
            raise ValueError(f"column {span.column!r}: counts do not match its span")
        out.extend(float(c) for c in counts)
    return np.asarray(out, dtype=np.float64)
