"""Mode-specific normalisation (CTGAN): a variational Gaussian mixture per numeric column.

The mixture (sklearn's ``BayesianGaussianMixture``, Dirichlet-process prior) is fitted on a
bounded random subsample of the finite values; modes with weight <= ``MIN_WEIGHT`` are dropped.
A value ``x`` becomes a scalar ``(x - mean_k) / halfwidth_k`` clipped to [-0.99, 0.99] and a
one-hot of its mode ``k``, drawn from the posterior over the modes whose range holds ``x``
(Gumbel-max with an rng, the most likely mode without). ``halfwidth_k`` is CTGAN's ``4 std_k``,
widened where needed to reach every training value assigned to mode ``k``: tails the subsample
missed would otherwise be clipped and lost. NaN and infinities, when the training column has
them, get a one-hot "state" of their own so they come back at their real rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.mixture import BayesianGaussianMixture

STATES = ("finite", "nan", "+inf", "-inf")
MIN_WEIGHT = 0.005


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

    @property
    def n_modes(self) -> int:
        return len(self.means)

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
            return cls([1.0], [0.0], [1.0], [4.0], 0.0, 0.0, states)
        rng = np.random.default_rng(seed)
        sample = finite if finite.size <= fit_rows else rng.choice(finite, fit_rows, replace=False)
        lo, hi = float(finite.min()), float(finite.max())
        center, scale = float(sample.mean()), float(sample.std())
        distinct = np.unique(sample)
        if distinct.size == 1 or scale == 0.0:
            width = max(abs(hi - lo), 1e-6)
            return cls([1.0], [float(distinct[0])], [width], [4 * width], lo, hi, states)
        z = ((sample - center) / scale).reshape(-1, 1)
        gmm = BayesianGaussianMixture(
            n_components=int(min(max_modes, distinct.size)),
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=0.001,
            max_iter=100,
            n_init=1,
            random_state=int(rng.integers(2**31 - 1)),
        )
        gmm.fit(z)
        keep = gmm.weights_ > MIN_WEIGHT
        if not keep.any():
            keep = gmm.weights_ == gmm.weights_.max()
        weights = gmm.weights_[keep] / gmm.weights_[keep].sum()
        means = gmm.means_[keep, 0] * scale + center
        floor = max((hi - lo) * 1e-6, 1e-12)
        stds = np.maximum(np.sqrt(gmm.covariances_[keep].reshape(-1)) * scale, floor)
        order = np.argsort(means)
        weights, means, stds = weights[order], means[order], stds[order]
        # Tails beyond 4 std of every mode (a subsample misses extremes) would be clipped and
        # lost: widen each mode's range to cover all values whose most likely mode it is.
        mode = np.argmax(_log_posterior(finite, weights, means, stds), axis=1)
        reach = np.zeros(len(means))
        np.maximum.at(reach, mode, np.abs(finite - means[mode]))
        halfwidths = np.maximum(4 * stds, reach / 0.99)
        return cls(
            [float(w) for w in weights],
            [float(m) for m in means],
            [float(s) for s in stds],
            [float(h) for h in halfwidths],
            lo,
            hi,
            states,
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
        x = np.where(finite, values, self.means[int(np.argmax(self.weights))])
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
        scalar[~finite] = 0.0
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
        means, halves = np.asarray(self.means), np.asarray(self.halfwidths)
        mode = np.argmax(block[:, 1 : 1 + self.n_modes], axis=1)
        scalar = np.clip(block[:, 0].astype(np.float64), -1.0, 1.0)
        x = np.clip(scalar * halves[mode] + means[mode], self.minimum, self.maximum)
        if self.states:
            state = np.argmax(block[:, 1 + self.n_modes :], axis=1)
            fills = {"nan": np.nan, "+inf": np.inf, "-inf": -np.inf}
            for i, name in enumerate(self.states[1:], start=1):
                x[state == i] = fills[name]
        return x

    def to_dict(self) -> dict:
        return {
            "weights": self.weights,
            "means": self.means,
            "stds": self.stds,
            "halfwidths": self.halfwidths,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "states": self.states,
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
            )
        except OverflowError as exc:  # int()/float() of JSON 1e400
            raise ValueError(f"numeric codec: {exc}") from exc
        n = len(codec.weights)
        if n == 0 or not len(codec.means) == len(codec.stds) == len(codec.halfwidths) == n:
            raise ValueError("numeric codec: mode lists are empty or of different lengths")
        if not all(np.isfinite(codec.means)) or min(codec.stds + codec.halfwidths) <= 0:
            raise ValueError("numeric codec: mode means must be finite and widths positive")
        states = codec.states
        if states and (states[0] != "finite" or len(set(states)) != len(states)):
            raise ValueError(f"numeric codec: bad states {states}")
        if not set(states) <= set(STATES):
            raise ValueError(f"numeric codec: unknown states {states}")
        return codec


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
