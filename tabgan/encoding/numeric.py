"""Mode-specific normalisation (CTGAN): a variational Gaussian mixture per numeric column.

The mixture (sklearn's ``BayesianGaussianMixture``, Dirichlet-process prior) is fitted on a
bounded random subsample of the finite values; modes with weight <= ``MIN_WEIGHT`` are dropped.
A value ``x`` becomes a scalar ``(x - mean_k) / halfwidth_k`` clipped to [-0.99, 0.99] and a
one-hot of its mode ``k``, drawn from the posterior over the modes whose range holds ``x``
(Gumbel-max with an rng, the most likely mode without). ``halfwidth_k`` is CTGAN's ``4 std_k``,
widened where needed to reach every training value assigned to mode ``k``: tails the subsample
missed would otherwise be clipped and lost. NaN and infinities, when the training column has
them, get a one-hot "state" of their own so they come back at their real rate.

Point masses ("spikes"): a value held by at least ``SPIKE_SHARE`` of the (sub)sample, such as the
zeros of a zero-inflated column (92% of Adult's capital-gain) or the 40 of hours-per-week, gets a
mode of its own with no width: it is encoded with scalar 0 and decoded to exactly that value. The
mixture is fitted on the other values. Without this a mixture component swallows the spike
together with its neighbours and decoding smears it (synthetic capital-gain was non-zero in 53%
of rows instead of 8%).

Numbers as the table writes them: ``decimals`` is the fewest decimals (up to ``MAX_DECIMALS``)
that write every finite training value exactly (0 for integer-valued floats; ``None`` when the
column needs more, i.e. it is written at full float precision); decoded values are rounded to it.

Range edges: a decoded value outside the training range ``[minimum, maximum]`` is reflected back
inside (``lo + |x - lo|`` folded with period ``2 (hi - lo)``), not clipped. Clipping put every
overshoot exactly on the minimum or maximum: a point mass the real column does not have (1.75% of
synthetic Titanic ages at the minimum against 0.06% real). Reflection keeps the overshoot's own
spread, so the density near an edge stays a density. Spikes (real point masses) are decoded to
their value as before. States saved before these keys decode as before: no rounding, clipping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

STATES = ("finite", "nan", "+inf", "-inf")
MIN_WEIGHT = 0.005
SPIKE_SHARE = 0.05
MAX_DECIMALS = 6
EDGES = ("clip", "reflect")


@dataclass
class NumericCodec:
    """Learned parameters of one numeric column (plain floats: JSON-able)."""

    weights: list[float]
    means: list[float]
    stds: list[float]
    halfwidths: list[float]  # scalar = (x - mean) / halfwidth; >= 4 std, covers assigned values
    minimum: float
    maximum: float
    states: list[str]  # non-finite states seen in training, "finite" first; [] if none
    spikes: list[float] = field(default_factory=list)  # point masses, sorted; modes after means
    decimals: int | None = None  # decimals decoded values are rounded to; None: no rounding
    edges: str = "clip"  # how values outside [minimum, maximum] come back: see EDGES
    # a monotone map of the mixture's decoded values onto the real column's quantiles, learned
    # after training from the generator's own rows (tabgan.calibrate): [knots, targets] or None
    calibration: list[list[float]] | None = None

    @property
    def n_modes(self) -> int:
        """Modes in the one-hot: the mixture's components, then one per spike."""
        return len(self.means) + len(self.spikes)

    @classmethod
    def fit(
        cls, values: np.ndarray, max_modes: int, fit_rows: int, seed: np.random.SeedSequence
    ) -> NumericCodec:
        """Fit the mixture on a bounded random subsample of the finite values."""
        values = np.asarray(values, dtype=np.float64)
        finite = values[np.isfinite(values)]
        seen = {
            "nan": bool(np.isnan(values).any()),
            "+inf": bool(np.isposinf(values).any()),
            "-inf": bool(np.isneginf(values).any()),
        }
        states = ["finite", *[s for s in STATES[1:] if seen[s]]] if any(seen.values()) else []
        if finite.size == 0:
            return cls([1.0], [0.0], [1.0], [4.0], 0.0, 0.0, states, [], 0, "reflect")
        decimals = decimals_of(finite)
        rng = np.random.default_rng(seed)
        sample = finite if finite.size <= fit_rows else rng.choice(finite, fit_rows, replace=False)
        lo, hi = float(finite.min()), float(finite.max())
        distinct, counts = np.unique(sample, return_counts=True)
        if distinct.size == 1:
            width = max(abs(hi - lo), 1e-6)
            return cls(
                [1.0],
                [float(distinct[0])],
                [width],
                [4 * width],
                lo,
                hi,
                states,
                [],
                decimals,
                "reflect",
            )
        spikes = distinct[counts >= SPIKE_SHARE * sample.size]
        rest = finite[~np.isin(finite, spikes)]  # every value the mixture must cover
        rest_sample = sample[~np.isin(sample, spikes)]
        floor = max((hi - lo) * 1e-6, 1e-12)
        if rest.size == 0:
            weights = means = stds = np.zeros(0)
        elif np.unique(rest_sample).size < 2:
            # too few other values for a mixture: one component over all of them
            weights = np.ones(1)
            means = np.array([float(rest.mean())])
            stds = np.array([max(float(rest.std()), floor)])
        else:
            weights, means, stds = _mixture(rest_sample, max_modes, floor, rng)
        # Tails beyond 4 std of every mode (a subsample misses extremes) would be clipped and
        # lost: widen each mode's range to cover all values whose most likely mode it is.
        halfwidths = 4 * stds
        if rest.size:
            mode = np.argmax(_log_posterior(rest, weights, means, stds), axis=1)
            reach = np.zeros(len(means))
            np.maximum.at(reach, mode, np.abs(rest - means[mode]))
            halfwidths = np.maximum(4 * stds, reach / 0.99)
        return cls(
            [float(w) for w in weights],
            [float(m) for m in means],
            [float(s) for s in stds],
            [float(h) for h in halfwidths],
            lo,
            hi,
            states,
            [float(v) for v in spikes],
            decimals,
            "reflect",
        )

    @property
    def width(self) -> int:
        return 1 + self.n_modes + len(self.states)

    def transform(self, values: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
        """``(n,) -> (n, width)``: [scalar, mode one-hot, state one-hot (if any)]."""
        values = np.asarray(values, dtype=np.float64)
        n = values.shape[0]
        out = np.zeros((n, self.width), dtype=np.float32)
        finite = np.isfinite(values)
        n_mix = len(self.means)
        spikes = np.asarray(self.spikes, dtype=np.float64)
        fallback = float(self.means[int(np.argmax(self.weights))]) if n_mix else spikes[0]
        x = np.where(finite, values, fallback)
        right = np.minimum(np.searchsorted(spikes, x), max(len(spikes) - 1, 0))
        pos = right  # the spike x equals, if any (spikes are sorted)
        on_spike = spikes[pos] == x if len(spikes) else np.zeros(n, dtype=bool)
        mode = np.zeros(n, dtype=np.int64)
        scalar = np.zeros(n, dtype=np.float64)
        if n_mix:
            means, halves = np.asarray(self.means), np.asarray(self.halfwidths)
            logp = _log_posterior(x, np.asarray(self.weights), means, np.asarray(self.stds))
            mode = np.argmax(logp, axis=1)  # the most likely mode: its range always holds x
            if rng is not None:
                # Gumbel-max draw from the posterior, among the modes whose range holds x
                allowed = np.abs(x[:, None] - means) <= halves * 0.99
                allowed[np.arange(n), mode] = True
                noisy = np.where(allowed, logp + rng.gumbel(size=logp.shape), -np.inf)
                mode = np.argmax(noisy, axis=1)
            mode[~finite] = int(np.argmax(self.weights))
            scalar = np.clip((x - means[mode]) / halves[mode], -0.99, 0.99)
        else:
            # only spikes were seen in training: any other value goes to the nearest one
            left = np.maximum(right - 1, 0)
            pos = np.where(np.abs(spikes[left] - x) <= np.abs(spikes[right] - x), left, right)
            on_spike = np.ones(n, dtype=bool)
        on_spike &= finite
        mode[on_spike] = n_mix + pos[on_spike]
        scalar[on_spike | ~finite] = 0.0
        out[:, 0] = scalar
        out[np.arange(n), 1 + mode] = 1.0
        if self.states:
            state = np.zeros(n, dtype=np.int64)
            for i, name in enumerate(self.states[1:], start=1):
                state[_state_mask(values, name)] = i
            out[np.arange(n), 1 + self.n_modes + state] = 1.0
        return out

    def inverse(self, block: np.ndarray) -> np.ndarray:
        """``(n, width) -> (n,)`` float values (soft one-hots are read by argmax)."""
        mode = np.argmax(block[:, 1 : 1 + self.n_modes], axis=1)
        state = np.argmax(block[:, 1 + self.n_modes :], axis=1) if self.states else None
        return self.decode(block[:, 0], mode, state)

    def decode(
        self, scalar: np.ndarray, mode: np.ndarray, state: np.ndarray | None = None
    ) -> np.ndarray:
        """Float values from each row's scalar, mode index and (with states) state index."""
        means, halves = np.asarray(self.means), np.asarray(self.halfwidths)
        n_mix = len(means)
        mode = np.asarray(mode)
        if n_mix:
            mix = np.minimum(mode, n_mix - 1)
            # a diverged generator may emit NaN: read it as 0 rather than leak it into the values
            scalar = np.clip(np.nan_to_num(np.asarray(scalar, dtype=np.float64)), -1.0, 1.0)
            x = self._within(scalar * halves[mix] + means[mix])
            if self.calibration is not None:
                x = self._within(calibrated(x, *self.calibration))
            if self.decimals is not None:
                # rounding cannot leave the range: its ends are written with these decimals
                x = np.round(x, self.decimals)
        else:
            x = np.zeros(len(mode), dtype=np.float64)
        if self.spikes:
            on_spike = mode >= n_mix
            x[on_spike] = np.asarray(self.spikes)[mode[on_spike] - n_mix]
        if self.states and state is not None:
            fills = {"nan": np.nan, "+inf": np.inf, "-inf": -np.inf}
            for i, name in enumerate(self.states[1:], start=1):
                x[state == i] = fills[name]
        return x

    def _within(self, x: np.ndarray) -> np.ndarray:
        """Values brought into the training range by the codec's edge policy."""
        if self.edges == "reflect":
            return reflect(x, self.minimum, self.maximum)
        return np.clip(x, self.minimum, self.maximum)

    def mixture_values(self, scalar: np.ndarray, mode: np.ndarray) -> np.ndarray:
        """The uncalibrated, unrounded values of the rows whose mode is a mixture component
        (not a spike), in row order: what :mod:`tabgan.calibrate` maps."""
        n_mix = len(self.means)
        mode = np.asarray(mode)
        keep = mode < n_mix
        if not n_mix or not keep.any():
            return np.zeros(0)
        scalar = np.clip(np.nan_to_num(np.asarray(scalar, dtype=np.float64)[keep]), -1.0, 1.0)
        mix = mode[keep]
        return self._within(scalar * np.asarray(self.halfwidths)[mix] + np.asarray(self.means)[mix])

    def to_dict(self) -> dict:
        return {
            "weights": self.weights,
            "means": self.means,
            "stds": self.stds,
            "halfwidths": self.halfwidths,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "states": self.states,
            "spikes": self.spikes,
            "decimals": self.decimals,
            "edges": self.edges,
            "calibration": self.calibration,
        }

    @classmethod
    def from_dict(cls, d: dict) -> NumericCodec:
        """Rebuild from :meth:`to_dict`; ``ValueError`` if the state is inconsistent (a
        corrupt file must not load and then fail while sampling)."""
        try:
            codec = cls(
                [float(v) for v in d["weights"]],
                [float(v) for v in d["means"]],
                [float(v) for v in d["stds"]],
                [float(v) for v in d["halfwidths"]],
                float(d["minimum"]),
                float(d["maximum"]),
                [str(s) for s in d["states"]],
                [float(v) for v in d.get("spikes", [])],  # absent in files before spikes
                # absent in files before precision and reflection: decode as those did
                None if d.get("decimals") is None else int(d["decimals"]),
                str(d.get("edges", "clip")),
                # absent in files before calibration: decode uncalibrated, as those did
                _calibration(d.get("calibration")),
            )
        except OverflowError as exc:  # int()/float() of JSON 1e400
            raise ValueError(f"numeric codec: {exc}") from exc
        n = len(codec.weights)
        if not len(codec.means) == len(codec.stds) == len(codec.halfwidths) == n:
            raise ValueError("numeric codec: mode lists are of different lengths")
        if codec.n_modes == 0:
            raise ValueError("numeric codec: no modes")
        if (
            not all(np.isfinite(codec.means + codec.spikes))
            or min(codec.stds + codec.halfwidths, default=1.0) <= 0
        ):
            raise ValueError("numeric codec: mode means must be finite and widths positive")
        if list(np.unique(codec.spikes)) != codec.spikes:
            raise ValueError("numeric codec: spikes must be sorted and distinct")
        if codec.decimals is not None and not 0 <= codec.decimals <= MAX_DECIMALS:
            raise ValueError(f"numeric codec: decimals {codec.decimals} out of [0, {MAX_DECIMALS}]")
        if codec.edges not in EDGES:
            raise ValueError(f"numeric codec: unknown edge policy {codec.edges!r}")
        states = codec.states
        if states and (states[0] != "finite" or len(set(states)) != len(states)):
            raise ValueError(f"numeric codec: bad states {states}")
        if not set(states) <= set(STATES):
            raise ValueError(f"numeric codec: unknown states {states}")
        return codec


def calibrated(x: np.ndarray, knots: list[float], targets: list[float]) -> np.ndarray:
    """``x`` mapped piecewise-linearly from ``knots`` (increasing) to ``targets``
    (non-decreasing); beyond the end knots values keep their distance to them (no point mass
    at the ends: the caller's edge policy brings them back into range)."""
    k, t = np.asarray(knots), np.asarray(targets)
    y = np.interp(x, k, t)
    below, above = x < k[0], x > k[-1]
    y[below] = t[0] - (k[0] - x[below])
    y[above] = t[-1] + (x[above] - k[-1])
    return y


def _calibration(value: Any) -> list[list[float]] | None:
    """A stored calibration, checked: two equal-length finite lists of at least two knots,
    the knots increasing and the targets non-decreasing."""
    if value is None:
        return None
    try:
        knots, targets = ([float(v) for v in part] for part in value)
    except (TypeError, ValueError) as exc:
        raise ValueError("numeric codec: calibration must be two lists of numbers") from exc
    k, t = np.asarray(knots), np.asarray(targets)
    if (
        len(k) != len(t)
        or len(k) < 2
        or not np.isfinite(np.concatenate([k, t])).all()
        or (np.diff(k) <= 0).any()
        or (np.diff(t) < 0).any()
    ):
        raise ValueError("numeric codec: calibration knots must increase, targets not decrease")
    return [knots, targets]


def decimals_of(values: np.ndarray, cap: int = MAX_DECIMALS) -> int | None:
    """The fewest decimals (``0..cap``) that write every finite value exactly, or ``None``.

    "Exactly" allows the float's own representation error (``0.1 * 10`` is not 1 in binary):
    a value passes at ``d`` decimals when it is within ``1e-9`` relative of its rounding.
    """
    x = np.asarray(values, dtype=np.float64)
    x = np.unique(x[np.isfinite(x)])  # few distinct values in most columns: cheap
    if x.size == 0:
        return 0
    for d in range(cap + 1):
        scaled = x * 10.0**d
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return d
    return None


def reflect(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Fold values outside ``[lo, hi]`` back inside by reflection at the ends (a triangle wave
    of period ``2 (hi - lo)``): continuous, so no point mass appears at either end."""
    x = np.asarray(x, dtype=np.float64)
    width = hi - lo
    if not width > 0:
        return np.full_like(x, lo)
    outside = (x < lo) | (x > hi)
    if not outside.any():
        return x
    y = np.mod(x[outside] - lo, 2 * width)
    out = x.copy()
    out[outside] = lo + np.minimum(y, 2 * width - y)
    return out


def new_mixture(components: int, rng: np.random.Generator) -> Any:
    """The variational Gaussian mixture every numeric codec fits (Dirichlet-process prior, so
    unneeded components get no weight), seeded from ``rng``. scikit-learn loads here, on the
    first fit, so reading a model file (``tabgan info``) does not wait for it."""
    from sklearn.mixture import BayesianGaussianMixture

    return BayesianGaussianMixture(
        n_components=int(components),
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=0.001,
        max_iter=100,
        n_init=1,
        random_state=int(rng.integers(2**31 - 1)),
    )


def _mixture(
    sample: np.ndarray, max_modes: int, floor: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A variational Gaussian mixture of ``sample``: (weights, means, stds), by mean."""
    center, scale = float(sample.mean()), float(sample.std())
    z = ((sample - center) / scale).reshape(-1, 1)
    gmm = new_mixture(min(max_modes, np.unique(sample).size), rng)
    gmm.fit(z)
    return mixture_components(gmm, center, scale, floor)


def mixture_components(
    gmm: Any, center: float, scale: float, floor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A mixture fitted on standardised values as (weights, means, stds) in the column's
    units, by mean: components under ``MIN_WEIGHT`` dropped (the heaviest always kept), stds at
    least ``floor``."""
    keep = gmm.weights_ > MIN_WEIGHT
    if not keep.any():
        keep = gmm.weights_ == gmm.weights_.max()
    weights = gmm.weights_[keep] / gmm.weights_[keep].sum()
    means = gmm.means_[keep, 0] * scale + center
    stds = np.maximum(np.sqrt(gmm.covariances_[keep].reshape(-1)) * scale, floor)
    order = np.argsort(means)
    return weights[order], means[order], stds[order]


def _log_posterior(
    x: np.ndarray, weights: np.ndarray, means: np.ndarray, stds: np.ndarray
) -> np.ndarray:
    """Unnormalised log posterior of each mode for each value: ``(n, n_modes)``."""
    return np.log(weights) - np.log(stds) - 0.5 * ((x[:, None] - means) / stds) ** 2


def _state_mask(values: np.ndarray, name: str) -> np.ndarray:
    if name == "nan":
        return np.isnan(values)
    if name == "+inf":
        return np.isposinf(values)
    return np.isneginf(values)
