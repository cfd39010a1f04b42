"""Generated tables with strong, known structure, so honesty checks have wide margins."""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_signal_table(n: int = 500, seed: int = 0) -> pd.DataFrame:
    """Numeric, categorical, boolean and missing values; columns strongly tied to each other.

    ``label`` (yes/no) and ``amount`` (numeric) are both nearly determined by ``x``, so a model
    trained on real rows predicts them well and one trained on column-shuffled rows cannot.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, n)
    z = 2.0 * x + rng.normal(0.0, 0.3, n)
    grade = np.where(x < -0.5, "low", np.where(x < 0.5, "mid", "high")).astype(object)
    city = pd.Series(rng.choice(["north", "south", "east", "west"], size=n), dtype=object)
    city[rng.random(n) < 0.1] = None
    w = np.round(rng.normal(50.0, 10.0, n), 1)
    w[rng.random(n) < 0.15] = np.nan
    label = np.where(x + rng.normal(0.0, 0.3, n) > 0, "yes", "no")
    return pd.DataFrame(
        {
            "x": x,
            "z": z,
            "grade": grade,
            "city": city,
            "w": w,
            "count": rng.integers(0, 1000, n),
            "member": x > 1.0,
            "amount": 3.0 * x + rng.normal(0.0, 0.3, n),
            "label": label,
        }
    )


def shuffle_columns(df: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Every column permuted on its own: marginals kept, every relation between columns broken."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: rng.permutation(df[c].to_numpy()) for c in df.columns})
