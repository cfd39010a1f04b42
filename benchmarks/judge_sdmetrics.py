"""SDMetrics' scores of synthetic tables against the real training rows (prints one JSON object).

Runs INSIDE the judge's environment (benchmarks/setup_peer_argn.sh makes benchmarks/.venv-judge);
imports sdmetrics and pandas only, and sees nothing but files: the real rows, each synthetic
table and the column kinds, all read from disk. Never imports tabgan or a peer:

    benchmarks/.venv-judge/bin/python benchmarks/judge_sdmetrics.py --real train.csv \
        --synthetic tabgan.csv argn.csv --metadata meta.json

``meta.json`` is ``{"columns": {name: {"sdtype": "numerical" | "categorical"}}}`` (SDMetrics'
single-table metadata), written by compare.py from the real training table. For each synthetic
file: ``QualityReport`` (its score, the mean of "Column Shapes" and "Column Pair Trends", and
each property's score, with the worst columns and pairs), and ``LogisticDetection`` (1 minus the
ROC AUC of a logistic regression telling real from synthetic rows, doubled and clipped: 1 means
it cannot tell). Both are SDMetrics' own code at its defaults, with two exceptions, both needed
for a figure at all and applied to every table alike: LogisticDetection's one-hot encoder,
fitted on the real rows, ignores a category they never have (SDMetrics raises on it; the real
test split has such values, and TabularARGN writes ``_RARE_`` for protected rare ones), so such a
value is coded as no known category, which the classifier can still tell apart; and the global
NumPy generator is seeded (0) before each score, because SDMetrics draws its cross-validation
folds from it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings


def _worst(details, key_columns: list[str], score: str = "Score", n: int = 5) -> list[dict]:
    if details is None or score not in details:
        return []
    rows = details.dropna(subset=[score]).sort_values(score).head(n)
    return [
        {**{k: str(r[k]) for k in key_columns}, "score": float(r[score])}
        for _, r in rows.iterrows()
    ]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--real", required=True)
    p.add_argument("--synthetic", nargs="+", required=True)
    p.add_argument("--metadata", required=True)
    p.add_argument(
        "--detection-rows",
        type=int,
        default=0,
        help="rows of each table for LogisticDetection (0: all)",
    )
    args = p.parse_args(argv)

    import functools
    from importlib.metadata import version

    import numpy as np
    import pandas as pd
    import sdmetrics.utils
    from sdmetrics.reports.single_table import QualityReport
    from sdmetrics.single_table import LogisticDetection
    from sklearn.preprocessing import OneHotEncoder

    sdmetrics.utils.OneHotEncoder = functools.partial(OneHotEncoder, handle_unknown="ignore")

    with open(args.metadata, encoding="utf-8") as fh:
        metadata = json.load(fh)
    columns = list(metadata["columns"])
    categorical = [c for c, m in metadata["columns"].items() if m["sdtype"] == "categorical"]

    def read(path: str) -> pd.DataFrame:
        df = pd.read_csv(path)
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise SystemExit(f"{path}: columns {missing} are missing")
        df = df[columns]
        for c in categorical:  # the same text for the same category in every file
            df[c] = (
                df[c]
                .astype(object)
                .where(df[c].notna(), None)
                .map(lambda v: v if v is None else str(v))
            )
        return df

    real = read(args.real)
    out: dict = {"sdmetrics": version("sdmetrics"), "results": []}
    for path in args.synthetic:
        synthetic = read(path)
        result: dict = {"synthetic": path}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.random.seed(0)  # noqa: NPY002 - SDMetrics' folds come from the global generator
            start = time.perf_counter()
            report = QualityReport()
            report.generate(real, synthetic, metadata, verbose=False)
            result["quality"] = float(report.get_score())
            props = report.get_properties()
            result["quality_properties"] = {
                str(r["Property"]): float(r["Score"]) for _, r in props.iterrows()
            }
            result["worst_columns"] = _worst(report.get_details("Column Shapes"), ["Column"])
            result["worst_pairs"] = _worst(
                report.get_details("Column Pair Trends"), ["Column 1", "Column 2"]
            )
            result["quality_s"] = time.perf_counter() - start
            np.random.seed(0)  # noqa: NPY002
            start = time.perf_counter()
            r, s = real, synthetic
            if args.detection_rows:
                r = r.sample(min(len(r), args.detection_rows), random_state=0)
                s = s.sample(min(len(s), args.detection_rows), random_state=0)
            result["logistic_detection"] = float(LogisticDetection.compute(r, s, metadata))
            result["detection_s"] = time.perf_counter() - start
        out["results"].append(result)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())
