"""scikit-learn's estimator checks for TabGAN and TabGANResampler.

Both are generators, not predictors: the checks about predict/transform outputs have nothing to
run on and pass trivially. Every check expected to fail is listed below with the reason.
"""

from __future__ import annotations

import warnings

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from tabgan import TabGAN, TabGANResampler

TINY = {
    "epochs": 1,
    "batch_size": 10,
    "generator_dims": (16,),
    "discriminator_dims": (16,),
    "seed": 0,
    "device": "cpu",
}

TABGAN_EXPECTED = {
    # a generator's own one-line errors (InvalidDataError naming the fix), not sklearn's wording
    "check_estimators_empty_data_messages": "empty-table message is tabgan's own wording",
    "check_fit2d_1sample": "too-few-rows message is tabgan's own wording (min 10 rows)",
}


def _expected(estimator) -> dict[str, str]:
    return TABGAN_EXPECTED if isinstance(estimator, TabGAN) else {}


@parametrize_with_checks(
    [TabGAN(**TINY), TabGANResampler(**TINY)], expected_failed_checks=_expected
)
def test_sklearn_compatible(estimator, check) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tiny fits on random data: convergence chatter
        check(estimator)


def test_resampler_passes_every_check() -> None:
    """The resampler needs no exceptions: say so explicitly, so one cannot creep in."""
    assert _expected(TabGANResampler()) == {}


@pytest.mark.parametrize("cls", [TabGAN, TabGANResampler])
def test_init_stores_only(cls) -> None:
    est = cls(**TINY)
    assert est.get_params()["epochs"] == 1
    assert not [k for k in vars(est) if k.endswith("_")]
