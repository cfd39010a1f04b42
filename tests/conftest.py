"""Shared fixtures: small generated mixed tables and a tiny fitted model."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

# CI draws the same property-test examples on every run (a failure there is reproducible, not
# a coin toss); developers' runs keep exploring new examples
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def make_mixed_table(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """A small table with every common column kind and some missing values."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], size=n, p=[0.6, 0.3, 0.1])
    age = rng.integers(18, 90, size=n)
    income = np.where(group == "a", 30_000, 60_000) + rng.normal(0, 5_000, size=n)
    score = rng.normal(0, 1, size=n)
    score[rng.random(n) < 0.1] = np.nan
    color = pd.Series(rng.choice(["red", "green", "blue"], size=n), dtype=object)
    color[rng.random(n) < 0.15] = None
    flag = rng.random(n) < 0.3
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, size=n), unit="D")
    return pd.DataFrame(
        {
            "group": group,
            "age": age,
            "income": income,
            "score": score,
            "color": color,
            "flag": flag,
            "day": day.strftime("%Y-%m-%d"),
        }
    )


@pytest.fixture
def mixed_table() -> pd.DataFrame:
    return make_mixed_table()


@pytest.fixture(scope="session")
def fitted_model():
    from tabgan import TabGAN

    df = make_mixed_table(300, seed=1)
    return TabGAN(epochs=2, batch_size=50, seed=0, device="cpu").fit(df), df
