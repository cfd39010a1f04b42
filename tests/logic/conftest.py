"""A small hotel-bookings table that keeps every declared constraint of the tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tabgan.encoding import infer_schema


def bookings(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    checkin = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    city = rng.choice(["Paris", "Lyon", "Madrid"], n)
    price = rng.integers(40, 300, n).astype(float)
    tax = np.round(price * 0.0725, 2)
    return pd.DataFrame(
        {
            "checkin": checkin,
            "checkout": checkin + pd.to_timedelta(rng.integers(1, 15, n), unit="D"),
            "city": city,
            "country": pd.Series(city).map({"Paris": "FR", "Lyon": "FR", "Madrid": "ES"}),
            "price": price,
            "tax": tax,
            "total": np.round(price + tax, 2),
            "discount": np.round(rng.random(n), 3),
            "nights": rng.integers(1, 15, n),
        }
    )


@pytest.fixture
def table() -> pd.DataFrame:
    return bookings()


@pytest.fixture
def schema(table):
    return infer_schema(table)
