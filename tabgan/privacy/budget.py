"""The privacy budget of a fit and how it is shared out (docs/privacy.md gives the argument).

A fit with ``epsilon`` spends it in two parts, composed by one :class:`Accountant`:

* the preprocessing (numeric ranges and mixtures, category lists, the conditional vector's
  frequencies) is one Gaussian release over the whole table, given ``preprocess_share`` of
  epsilon;
* the critic's DP-SGD steps get the rest: with ``noise_multiplier=None`` the noise is calibrated
  so that the planned epochs fit exactly, otherwise training stops before the epoch that would
  overspend.

``delta`` is split too: ``selection_share`` of it pays for releasing which categories exist
(a category is released only when its noisy count clears a threshold, which a category held by
one row passes with probability at most that share); the accountant reports epsilon at the rest.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from tabgan.errors import InvalidParameterError
from tabgan.privacy.accountant import ACCOUNTANT, Accountant, calibrate_noise

DEFAULT_RARE_THRESHOLD = 5  # MOSTLY AI's randomised threshold is about 5 to 7 rows


def default_delta(n_rows: int) -> float:
    """``min(1e-5, 1 / (10 n))``: well below ``1/n``, the level at which a mechanism may
    publish one whole row, and Opacus's customary 1e-5 for tables of up to 10,000 rows."""
    if n_rows < 1:
        raise InvalidParameterError("a private fit needs at least one row")
    return min(1e-5, 1.0 / (10.0 * n_rows))


@dataclass(frozen=True)
class PrivacyBudget:
    """What the user asks for (the estimator's ``epsilon``, ``delta`` and their options).

    Parameters
    ----------
    epsilon : float
        The total epsilon of the fit: preprocessing and training together.
    delta : float, optional
        The total delta; default :func:`default_delta` of the row count.
    preprocess_share : float
        Share of epsilon for the private preprocessing (0 < share < 1).
    selection_share : float
        Share of delta for releasing the category lists (0 < share < 1).
    noise_multiplier : float, optional
        DP-SGD noise (standard deviation over sensitivity). ``None``: the smallest that lets the
        planned epochs fit the training share; a fixed value trains until the budget is spent.
    max_grad_norm : float
        Per-unit clipping norm ``C`` of the critic's gradients.
    rare_threshold : int
        Categories seen fewer times than this are never stored nor produced.
    """

    epsilon: float
    delta: float | None = None
    preprocess_share: float = 0.1
    selection_share: float = 0.1
    noise_multiplier: float | None = None
    max_grad_norm: float = 1.0
    rare_threshold: int = DEFAULT_RARE_THRESHOLD

    def validated(self, n_rows: int) -> PrivacyBudget:
        """A copy with the default delta filled in; ``InvalidParameterError`` on bad values."""
        eps = self.epsilon
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < math.inf:
            raise InvalidParameterError(f"epsilon must be a positive number, got {eps!r}")
        delta = default_delta(n_rows) if self.delta is None else self.delta
        if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not 0 < delta < 1:
            raise InvalidParameterError(f"delta must be in (0, 1), got {delta!r}")
        if delta >= 1.0 / n_rows:
            raise InvalidParameterError(
                f"delta ({delta:g}) must be below 1/rows ({1.0 / n_rows:g}): at 1/n a "
                "mechanism may publish a whole row; omit delta for min(1e-5, 1/(10 n))"
            )
        for name in ("preprocess_share", "selection_share"):
            share = getattr(self, name)
            if not isinstance(share, (int, float)) or not 0 < share < 1:
                raise InvalidParameterError(f"{name} must be in (0, 1), got {share!r}")
        sigma = self.noise_multiplier
        if sigma is not None and (not isinstance(sigma, (int, float)) or not sigma > 0):
            raise InvalidParameterError(f"noise_multiplier must be positive, got {sigma!r}")
        c = self.max_grad_norm
        if not isinstance(c, (int, float)) or not 0 < c < math.inf:
            raise InvalidParameterError(f"max_grad_norm must be positive, got {c!r}")
        k = self.rare_threshold
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidParameterError(f"rare_threshold must be an integer >= 1, got {k!r}")
        return PrivacyBudget(
            float(eps), float(delta), float(self.preprocess_share),
            float(self.selection_share), None if sigma is None else float(sigma), float(c), k,
        )  # fmt: skip

    @property
    def accountant_delta(self) -> float:
        """The delta at which the accountant's epsilon is read (delta less the selection's)."""
        return float(self.delta) * (1.0 - self.selection_share)

    @property
    def selection_delta(self) -> float:
        """The delta spent on releasing which categories exist (shared by the gated lists)."""
        return float(self.delta) * self.selection_share

    @property
    def preprocess_epsilon(self) -> float:
        return self.epsilon * self.preprocess_share

    def preprocess_noise(self, n_releases: int) -> float:
        """Noise standard deviation per count when ``n_releases`` histograms (each moved by at
        most 1 by one row) are released together within the preprocessing share.

        The histograms form one Gaussian mechanism of L2 sensitivity ``sqrt(n_releases)``; its
        noise multiplier is calibrated to ``preprocess_epsilon`` at :attr:`accountant_delta`.
        """
        sigma = calibrate_noise(self.preprocess_epsilon, self.accountant_delta, 1.0, 1)
        return sigma * math.sqrt(max(n_releases, 1))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TrainingPlan:
    """DP-SGD settings of the critic, as the training loop needs them.

    ``sensitivity`` is how far one row can move the sum of clipped unit gradients, in units
    of ``max_grad_norm``: 1 when each unit is one row (``pac=1``), 2 for PacGAN packs (a row
    changes the one pack it lands in, and that pack exists with or without it). The noise
    added to the sum has standard deviation ``noise_multiplier * sensitivity * max_grad_norm``.
    """

    noise_multiplier: float
    max_grad_norm: float
    sample_rate: float  # each row joins a step with this probability (Poisson sampling)
    packs: int  # fixed number of packs per step (pac > 1); expected rows per step (pac = 1)
    pac: int
    sensitivity: float
    max_epsilon: float  # stop before the composed epsilon would pass this
    delta: float  # the accountant's delta
    planned_steps: int
    prior: tuple[tuple[float, float, int], ...] = ()  # releases before training (the account)


def plan_training(
    budget: PrivacyBudget,
    n_rows: int,
    batch_size: int,
    pac: int,
    planned_steps: int,
    accountant: Accountant,
) -> TrainingPlan:
    """Plan the critic's DP-SGD after the releases already in ``accountant``.

    ``batch_size`` is the expected number of real rows per step (``sample_rate = batch_size /
    n_rows``); ``budget`` must be :meth:`PrivacyBudget.validated`.
    """
    if batch_size > n_rows:
        batch_size = n_rows  # a step cannot expect more rows than the table holds
    rate = batch_size / n_rows
    sigma = budget.noise_multiplier
    if sigma is None:
        try:
            sigma = calibrate_noise(
                budget.epsilon, budget.accountant_delta, rate, planned_steps, accountant.history
            )
        except ValueError as exc:
            raise InvalidParameterError(
                f"epsilon={budget.epsilon:g} is spent before training: {exc}"
            ) from exc
    packs = max(1, round(batch_size / pac)) if pac > 1 else batch_size
    return TrainingPlan(
        noise_multiplier=float(sigma),
        max_grad_norm=budget.max_grad_norm,
        sample_rate=rate,
        packs=packs,
        pac=pac,
        sensitivity=1.0 if pac == 1 else 2.0,
        max_epsilon=budget.epsilon,
        delta=budget.accountant_delta,
        planned_steps=planned_steps,
        prior=tuple(accountant.history),
    )


def privacy_record(budget: PrivacyBudget, accountant: Accountant, **protected: Any) -> dict:
    """What a model file records about its privacy (JSON-able): epsilon spent, delta, the
    accountant and its history, the budget asked for, and what was protected."""
    return {
        "epsilon": accountant.epsilon(budget.accountant_delta),
        "delta": budget.delta,
        "accountant": ACCOUNTANT,
        "accountant_delta": budget.accountant_delta,
        "selection_delta": budget.selection_delta,
        "history": [list(h) for h in accountant.history],
        "budget": budget.to_dict(),
        "protected": protected,
    }


def describe(record: dict | None) -> list[str]:
    """Lines for ``tabgan info``: what a model file's privacy record (:func:`privacy_record`,
    or a ``protect_rare`` record) says, or that the model has no guarantee."""
    if not record:
        return ["privacy: none (no differential privacy; rare categories stored as seen)"]
    protected = record.get("protected", record)
    k = protected.get("rare_threshold")
    if "epsilon" not in record:
        return [
            "privacy: no differential privacy",
            f"  categories seen fewer than {k} times: never stored nor produced "
            f"(shown as {protected.get('token')!r} in text columns)",
        ]
    budget = record.get("budget", {})
    steps = sum(int(h[2]) for h in record.get("history", [])[1:])
    return [
        f"privacy: ({record['epsilon']:.3g}, {record['delta']:.3g})-differential privacy "
        f"[{record['accountant']}, epsilon read at delta {record['accountant_delta']:.3g}]",
        f"  asked for epsilon {budget.get('epsilon')}; preprocessing share "
        f"{budget.get('preprocess_share')}, {steps} DP-SGD critic steps, clipping norm "
        f"{budget.get('max_grad_norm')}",
        f"  categories seen fewer than {k} times: never stored nor produced; preprocessing "
        f"{'private' if protected.get('private_preprocessing') else 'NOT private'}",
    ]
