"""TabGANResampler as a step of an imbalanced-learn pipeline, cross-validated.

    python examples/pipeline.py [--rows 400] [--epochs 10]

The resampler runs only while the pipeline is fitted (on each training fold), never on the
rows being scored, so cross-validation stays honest. Needs imbalanced-learn
(``pip install "tabgan[imbalanced]"``). About a minute on two CPU cores.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.preprocessing import OrdinalEncoder

from tabgan import TabGANResampler

DATA = Path(__file__).resolve().parent / "data" / "adult.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description="tabgan in a cross-validated pipeline")
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()

    df = pd.read_csv(DATA).sample(n=args.rows, random_state=0)
    X, y = df.drop(columns=["income"]), df["income"]

    encode = make_column_transformer(
        (
            OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
            make_column_selector(dtype_exclude="number"),
        ),
        remainder="passthrough",
    )
    classifier = HistGradientBoostingClassifier(random_state=0)
    baseline = make_pipeline(encode, classifier)
    augmented = make_pipeline(
        # pandas in, pandas out: mixed column types go straight into the resampler
        TabGANResampler(sampling_strategy="auto", epochs=args.epochs, seed=0),
        clone(encode),
        clone(classifier),
    )
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    for name, pipe in (("real only", baseline), ("with TabGAN rows", augmented)):
        scores = cross_val_score(pipe, X, y, cv=cv, scoring="f1_macro")
        print(f"{name:>18}: macro-F1 {scores.mean():.3f} ± {scores.std():.3f}")


if __name__ == "__main__":
    main()
