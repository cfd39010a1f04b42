"""Differential privacy for tabgan: the budget, its accountant and private preprocessing.

Pure Python and numpy here (Opacus is imported only when an accountant is built); the critic's
DP-SGD is in :mod:`tabgan.gan.private`. docs/privacy.md says what is and is not guaranteed.
"""

from tabgan.privacy.accountant import (
    ACCOUNTANT,
    Accountant,
    PrivacyDependencyError,
    calibrate_noise,
)
from tabgan.privacy.budget import (
    DEFAULT_RARE_THRESHOLD,
    PrivacyBudget,
    TrainingPlan,
    default_delta,
    describe,
    plan_training,
    privacy_record,
)

__all__ = [
    "ACCOUNTANT",
    "DEFAULT_RARE_THRESHOLD",
    "Accountant",
    "PrivacyBudget",
    "PrivacyDependencyError",
    "TrainingPlan",
    "calibrate_noise",
    "default_delta",
    "describe",
    "plan_training",
    "privacy_record",
]
