"""A thin wrapper over Opacus's RDP accountant, composing every noisy release of a fit.

Every release is a Gaussian mechanism described by ``(noise_multiplier, sample_rate, steps)``:
the noise standard deviation divided by the L2 sensitivity, the Poisson sampling rate (1 for a
release over the whole table) and how many times it ran. The private preprocessing is one such
entry with ``sample_rate=1``, each epoch of DP-SGD adds entries at the training rate, and the
epsilon of the whole fit is read from their composition. Opacus is imported inside the
functions, so tabgan works without the ``privacy`` extra until a private fit is asked for.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from tabgan.errors import TabGANError

ACCOUNTANT = "opacus-rdp"
# Opacus's default orders plus larger ones: a release over the whole table (sample_rate 1)
# at a large epsilon is tightest at high orders, and the default list stops at 63
ALPHAS = tuple(
    [1 + x / 10.0 for x in range(1, 100)]
    + list(range(12, 64))
    + [80, 96, 128, 192, 256, 384, 512, 1024]
)


class PrivacyDependencyError(TabGANError, ImportError):
    """Differential privacy was asked for but Opacus (the ``privacy`` extra) is missing."""


def _rdp_accountant() -> Any:
    try:
        from opacus.accountants import RDPAccountant
    except ImportError as exc:
        raise PrivacyDependencyError(
            'differential privacy needs Opacus: pip install "tabgan[privacy]"'
        ) from exc
    return RDPAccountant()


class Accountant:
    """Composition of Gaussian mechanisms under Rényi DP (Opacus's ``RDPAccountant``).

    Opacus's analysis is that of the sampled Gaussian mechanism (Mironov, Talwar and Zhang
    2019): each record joins a step independently with probability ``sample_rate`` (Poisson
    sampling) and the summed, clipped contributions get Gaussian noise of standard deviation
    ``noise_multiplier`` times their L2 sensitivity. Adjacent tables differ by adding or
    removing one row.

    Parameters
    ----------
    history : iterable of (float, float, int), optional
        Releases already made, as :attr:`history` returns them.
    """

    def __init__(self, history: Iterable[tuple[float, float, int]] = ()) -> None:
        self._acc = _rdp_accountant()
        for sigma, rate, steps in history:
            self.step(float(sigma), float(rate), int(steps))

    @property
    def history(self) -> list[tuple[float, float, int]]:
        """The composed releases as ``(noise_multiplier, sample_rate, steps)`` (JSON-able)."""
        return [(float(s), float(q), int(n)) for s, q, n in self._acc.history]

    def step(self, noise_multiplier: float, sample_rate: float, steps: int = 1) -> None:
        """Record ``steps`` runs of a Gaussian mechanism."""
        if not noise_multiplier > 0 or not 0 < sample_rate <= 1 or steps < 0:
            raise ValueError(
                f"bad release: noise_multiplier={noise_multiplier}, "
                f"sample_rate={sample_rate}, steps={steps}"
            )
        if steps == 0:
            return
        history = self._acc.history
        if history and history[-1][0] == noise_multiplier and history[-1][1] == sample_rate:
            history[-1] = (noise_multiplier, sample_rate, history[-1][2] + steps)
        else:
            history.append((noise_multiplier, sample_rate, steps))

    def epsilon(self, delta: float) -> float:
        """Epsilon of everything recorded so far, at ``delta`` (0 when nothing was)."""
        if not self._acc.history:
            return 0.0
        with warnings.catch_warnings():
            # "optimal order is the largest alpha": the bound is then merely not the tightest
            warnings.simplefilter("ignore", UserWarning)
            return float(self._acc.get_epsilon(delta=delta, alphas=list(ALPHAS)))

    def epsilon_after(
        self, noise_multiplier: float, sample_rate: float, steps: int, delta: float
    ) -> float:
        """Epsilon if ``steps`` more releases were recorded (nothing is recorded)."""
        trial = Accountant(self.history)
        trial.step(noise_multiplier, sample_rate, steps)
        return trial.epsilon(delta)


def calibrate_noise(
    target_epsilon: float,
    delta: float,
    sample_rate: float,
    steps: int,
    history: Iterable[tuple[float, float, int]] = (),
    tolerance: float = 0.005,
) -> float:
    """The smallest noise multiplier (to ``tolerance``, relative) with which ``steps`` releases
    at ``sample_rate``, composed after ``history``, stay within ``target_epsilon``.

    Raises
    ------
    ValueError
        ``history`` alone already spends ``target_epsilon``.
    """
    base = Accountant(history)
    if base.epsilon(delta) >= target_epsilon:
        raise ValueError("the earlier releases already spend the whole budget")

    def fits(sigma: float) -> bool:
        return base.epsilon_after(sigma, sample_rate, steps, delta) <= target_epsilon

    low, high = 0.0, 1.0
    while not fits(high):
        low, high = high, high * 2
        if high > 1e6:
            raise ValueError("no noise multiplier below 1e6 fits the budget")
    while high - low > tolerance * high:
        mid = (low + high) / 2
        if fits(mid):
            high = mid
        else:
            low = mid
    return high
