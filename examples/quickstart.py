"""Quickstart: learn a table, draw rows, draw rows that meet conditions, save and reload.

    python examples/quickstart.py [--epochs 20]

About half a minute on two CPU cores with the defaults below (a 3,000-row sample of Adult and
few epochs: enough to show the API, not to make good data; use ~300 epochs for that).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from tabgan import ConditionError, TabGAN

DATA = Path(__file__).resolve().parent / "data" / "adult.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description="tabgan quickstart")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--rows", type=int, default=3_000, help="training rows to use")
    args = parser.parse_args()

    real = pd.read_csv(DATA).sample(n=args.rows, random_state=0)
    model = TabGAN(epochs=args.epochs, batch_size=500, seed=0).fit(real)
    print(f"learned {model.n_rows_} rows in {model.fit_seconds_:.1f} s on {model.device_}")

    synthetic = model.sample(1_000, seed=1)  # same columns and dtypes as `real`
    print(synthetic.head())

    # Conditions: a scalar means equality; (op, value) compares numbers.
    rich_women = model.sample(
        200, seed=2, conditions={"income": ">50K", "sex": "Female", "age": (">=", 40)}
    )
    assert len(rich_women) == 200 and (rich_women["sex"] == "Female").all()
    print(rich_women[["age", "sex", "income", "occupation"]].head())

    try:  # impossible conditions fail at once, naming the condition
        model.sample(10, conditions={"sex": "Unknown"})
    except ConditionError as exc:
        print(f"ConditionError: {exc}")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "adult.tabgan"
        model.save(path)
        again = TabGAN.load(path).sample(5, seed=1)
    print(again)


if __name__ == "__main__":
    main()
