"""What a private fit of :class:`tabgan.TabGAN` needs from this package, in one object.

``TabGAN(epsilon=..., delta=..., protect_rare=...)`` builds a :class:`PrivateFit` when it
validates its parameters; the fit's steps ask it for the encoder's hook, the conditional
vector's counts, the critic's DP-SGD plan and, at the end, the model file's privacy record.
numpy only: the estimator turns the counts into tensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tabgan.errors import InvalidParameterError
from tabgan.privacy.accountant import Accountant
from tabgan.privacy.budget import (
    DEFAULT_RARE_THRESHOLD,
    PrivacyBudget,
    TrainingPlan,
    plan_training,
    privacy_record,
)
from tabgan.privacy.preprocess import PrivatePreprocessor, RareCategoryFilter, condition_counts


@dataclass
class PrivateFit:
    """A fit's privacy: a differential-privacy budget (``budget``; None without DP) and the
    encoder hook that fits the columns from noisy statistics or drops rare categories."""

    budget: PrivacyBudget | None
    hook: PrivatePreprocessor | RareCategoryFilter

    @classmethod
    def from_params(
        cls, epsilon: Any, delta: Any, protect_rare: Any, n_rows: int
    ) -> PrivateFit | None:
        """The estimator's ``epsilon``, ``delta`` and ``protect_rare``, validated (None: neither
        DP nor rare-value protection was asked for)."""
        if protect_rare is not None and (
            isinstance(protect_rare, bool) or not isinstance(protect_rare, (int, np.integer))
            or protect_rare < 1
        ):  # fmt: skip
            raise InvalidParameterError(
                f"protect_rare must be a positive integer (rows), got {protect_rare!r}"
            )
        if epsilon is None:
            if delta is not None:
                raise InvalidParameterError("delta needs epsilon: set both, or epsilon alone")
            if protect_rare is None:
                return None
            return cls(None, RareCategoryFilter(int(protect_rare)))
        threshold = DEFAULT_RARE_THRESHOLD if protect_rare is None else int(protect_rare)
        budget = PrivacyBudget(epsilon, delta, rare_threshold=threshold).validated(n_rows)
        return cls(budget, PrivatePreprocessor(budget))

    @property
    def differential(self) -> bool:
        """Whether this fit trains with differential privacy (not only rare-value protection)."""
        return self.budget is not None

    def condition_counts(self, encoder: Any) -> np.ndarray | None:
        """Under DP, the conditional vector's counts from the noisy counts already released
        (no further budget); None otherwise (the true counts of the encoded rows)."""
        if not self.differential:
            return None
        return condition_counts(encoder, self.hook)

    def training_plan(
        self, n_rows: int, batch_size: int, pac: int, planned_steps: int
    ) -> TrainingPlan | None:
        """The critic's DP-SGD plan after the preprocessing's release (None without DP)."""
        if not self.differential:
            return None
        accountant = Accountant([self.hook.release])
        return plan_training(self.budget, n_rows, batch_size, pac, planned_steps, accountant)

    def record(self, spent: dict[str, Any] | None) -> dict[str, Any]:
        """The model file's privacy record; ``spent`` is the trainer's ``privacy_spent()``."""
        if not self.differential:
            return self.hook.record()
        history = spent["history"] if spent else [list(self.hook.release)]
        extra = {"epochs_run": 0, "stopped_early": False}
        if spent:
            extra = {"epochs_run": spent["epochs"], "stopped_early": spent["stopped_early"]}
        return privacy_record(
            self.budget, Accountant(tuple(h) for h in history), **self.hook.record(), **extra
        )


__all__ = ["PrivateFit"]
