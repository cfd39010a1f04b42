"""The accountant wrapper and the budget plan, against values computed independently."""

import math

import numpy as np
import pytest

pytest.importorskip("opacus")

from tabgan.errors import InvalidParameterError, TabGANError
from tabgan.privacy import (
    Accountant,
    PrivacyBudget,
    calibrate_noise,
    default_delta,
    plan_training,
)
from tabgan.privacy.accountant import ALPHAS


def _epsilon(rdp: np.ndarray, orders: np.ndarray, delta: float) -> float:
    # the RDP -> (epsilon, delta) conversion of Balle et al. (2020), which Opacus uses
    eps = rdp - (np.log(delta) + np.log(orders)) / (orders - 1) + np.log((orders - 1) / orders)
    return float(np.nanmin(eps))


def _sampled_gaussian_rdp(q: float, sigma: float, alpha: int) -> float:
    # Mironov, Talwar and Zhang (2019), integer orders: the binomial expansion, in log space
    terms = [
        math.lgamma(alpha + 1) - math.lgamma(k + 1) - math.lgamma(alpha - k + 1)
        + (alpha - k) * math.log1p(-q) + k * math.log(q) + (k * k - k) / (2 * sigma**2)
        for k in range(alpha + 1)
    ]  # fmt: skip
    top = max(terms)
    return (top + math.log(sum(math.exp(t - top) for t in terms))) / (alpha - 1)


def test_full_batch_gaussian_matches_the_closed_form():
    sigma, delta = 2.0, 1e-5
    acc = Accountant()
    acc.step(sigma, 1.0, 3)
    orders = np.asarray(ALPHAS)
    expected = _epsilon(3 * orders / (2 * sigma**2), orders, delta)
    assert acc.epsilon(delta) == pytest.approx(expected, rel=1e-6)


def test_subsampled_gaussian_matches_an_independent_binomial_expansion():
    q, sigma, steps, delta = 256 / 60_000, 1.1, 10_000, 1e-5
    acc = Accountant()
    acc.step(sigma, q, steps)
    orders = np.arange(2, 64)
    rdp = np.array([steps * _sampled_gaussian_rdp(q, sigma, int(a)) for a in orders])
    integer_only = _epsilon(rdp, orders.astype(float), delta)
    got = acc.epsilon(delta)
    # Opacus also tries fractional orders, so it may be a little tighter, never looser
    assert integer_only * 0.95 <= got <= integer_only + 1e-9
    assert got == pytest.approx(2.16, abs=0.01)  # what Opacus 1.5/1.6 report for this setting


def test_epsilon_grows_with_steps_and_rate_and_falls_with_noise():
    base = Accountant()
    assert base.epsilon(1e-5) == 0.0
    values = [base.epsilon_after(1.0, 0.01, s, 1e-5) for s in (10, 100, 1000)]
    assert values == sorted(values) and values[0] > 0
    assert base.epsilon_after(1.0, 0.02, 100, 1e-5) > values[1]
    assert base.epsilon_after(2.0, 0.01, 100, 1e-5) < values[1]
    assert base.history == []  # epsilon_after records nothing


def test_history_round_trips_and_composes():
    acc = Accountant()
    acc.step(3.0, 1.0)
    acc.step(1.2, 0.01, 50)
    acc.step(1.2, 0.01, 50)
    assert acc.history == [(3.0, 1.0, 1), (1.2, 0.01, 100)]
    again = Accountant(acc.history)
    assert again.epsilon(1e-6) == acc.epsilon(1e-6)
    alone = Accountant()
    alone.step(1.2, 0.01, 100)
    assert acc.epsilon(1e-6) > alone.epsilon(1e-6)


def test_calibrated_noise_is_the_smallest_that_fits():
    prior = [(4.0, 1.0, 1)]
    sigma = calibrate_noise(3.0, 1e-5, 0.01, 500, prior)
    acc = Accountant(prior)
    assert acc.epsilon_after(sigma, 0.01, 500, 1e-5) <= 3.0
    assert acc.epsilon_after(sigma * 0.98, 0.01, 500, 1e-5) > 3.0
    with pytest.raises(ValueError):
        calibrate_noise(0.1, 1e-5, 0.01, 500, [(0.5, 1.0, 1)])


def test_default_delta_and_validation():
    assert default_delta(1000) == 1e-5
    assert default_delta(1_000_000) == pytest.approx(1e-7)
    budget = PrivacyBudget(epsilon=3).validated(5000)
    assert budget.delta == 1e-5 and budget.epsilon == 3.0
    assert budget.accountant_delta + budget.selection_delta == pytest.approx(budget.delta)
    for bad in (
        PrivacyBudget(epsilon=0),
        PrivacyBudget(epsilon=float("inf")),
        PrivacyBudget(epsilon=1, delta=1e-3),  # not below 1/n for 5000 rows
        PrivacyBudget(epsilon=1, preprocess_share=1.0),
        PrivacyBudget(epsilon=1, rare_threshold=0),
        PrivacyBudget(epsilon=1, noise_multiplier=-1.0),
    ):
        with pytest.raises(InvalidParameterError) as info:
            bad.validated(5000)
        assert isinstance(info.value, TabGANError)


def test_plan_fits_the_budget_after_preprocessing():
    budget = PrivacyBudget(epsilon=2.0).validated(10_000)
    acc = Accountant()
    acc.step(budget.preprocess_noise(1), 1.0)  # one unit-sensitivity histogram
    pre = acc.epsilon(budget.accountant_delta)
    assert pre <= budget.preprocess_epsilon + 1e-9
    plan = plan_training(budget, 10_000, 500, 10, 400, acc)
    assert plan.sample_rate == 0.05 and plan.packs == 50 and plan.sensitivity == 2.0
    assert plan.prior == tuple(acc.history)
    spent = acc.epsilon_after(plan.noise_multiplier, plan.sample_rate, 400, plan.delta)
    assert pre < spent <= 2.0
    fixed = plan_training(
        PrivacyBudget(epsilon=2.0, noise_multiplier=1.5).validated(10_000), 10_000, 500, 1, 400,
        acc,
    )  # fmt: skip
    assert fixed.noise_multiplier == 1.5 and fixed.sensitivity == 1.0 and fixed.packs == 500


def test_budget_spent_by_preprocessing_is_a_clear_error():
    budget = PrivacyBudget(epsilon=0.5).validated(1000)
    acc = Accountant([(0.3, 1.0, 1)])
    with pytest.raises(InvalidParameterError, match="spent before training"):
        plan_training(budget, 1000, 100, 1, 10, acc)


def test_missing_opacus_says_how_to_install(monkeypatch):
    import sys

    from tabgan.privacy import PrivacyDependencyError

    monkeypatch.setitem(sys.modules, "opacus.accountants", None)  # import now fails
    with pytest.raises(PrivacyDependencyError, match=r'pip install "tabgan\[privacy\]"'):
        Accountant()


def test_describe_says_what_the_record_holds():
    from tabgan.privacy import describe, privacy_record

    budget = PrivacyBudget(epsilon=3.0).validated(10_000)
    acc = Accountant([(5.0, 1.0, 1), (1.1, 0.05, 200)])
    record = privacy_record(budget, acc, rare_threshold=5, private_preprocessing=True)
    lines = describe(record)
    assert "differential privacy" in lines[0] and "opacus-rdp" in lines[0]
    assert "200 DP-SGD critic steps" in lines[1] and "fewer than 5 times" in lines[2]
    assert "none" in describe(None)[0]
    rare = describe({"rare_threshold": 7, "token": "_RARE_"})
    assert "no differential privacy" in rare[0] and "fewer than 7" in rare[1]
