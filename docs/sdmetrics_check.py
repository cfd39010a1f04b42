"""Compare tabgan's overall quality score with SDMetrics' QualityReport on a few tables.

SDMetrics is not a dependency of tabgan: install it in a throwaway environment and point this
script at that interpreter::

    python -m venv /tmp/sdm && /tmp/sdm/bin/pip install sdmetrics pandas
    python docs/sdmetrics_check.py --sdm-python /tmp/sdm/bin/python [--adult-synthetic PATH]

Both tools score the same canonical tables (numbers as floats, categories as text labels with
missing values kept), described to SDMetrics as ``numerical`` or ``categorical`` columns the
way tabgan's evaluator reads them, so the comparison is about the score's definition, not
about parsing. The printed Markdown table is what docs/evaluate.md records.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from tabgan.evaluate.columns import NUMERIC, canonical, infer_columns
from tabgan.evaluate.quality import quality

ADULT = Path("/work/shared/data/adult")

_SDM_CODE = r"""
import json, sys, warnings
import pandas as pd
from sdmetrics.reports.single_table import QualityReport
warnings.simplefilter("ignore")
folder = sys.argv[1]
meta = json.load(open(f"{folder}/meta.json"))
real = pd.read_pickle(f"{folder}/real.pkl")
syn = pd.read_pickle(f"{folder}/syn.pkl")
report = QualityReport()
report.generate(real, syn, meta, verbose=False)
props = report.get_properties().set_index("Property")["Score"]
d = report.get_details("Column Pair Trends")
pairs = [[a, b, None if pd.isna(v) else float(v)]
         for a, b, v in zip(d["Column 1"], d["Column 2"], d["Score"])]
print(json.dumps({"score": report.get_score(), "column_shapes": props["Column Shapes"],
                  "column_pair_trends": props["Column Pair Trends"], "pairs": pairs}))
"""


def _signal(n: int, seed: int) -> pd.DataFrame:
    from tests.evaluate.tables import make_signal_table

    return make_signal_table(n, seed=seed)


def _cases(adult_synthetic: Path | None) -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    from tests.evaluate.tables import shuffle_columns

    real = _signal(1000, 0)
    rng = np.random.default_rng(0)
    noisy = real.copy()
    for c in ("x", "z", "amount", "w", "count"):
        noisy[c] = noisy[c] + rng.normal(0, float(real[c].std()), len(real))
    cases = [
        ("signal table: fresh rows of the same process", real, _signal(1000, 1)),
        ("signal table: every column shuffled", real, shuffle_columns(real, seed=1)),
        ("signal table: numbers + 1 sd of noise", real, noisy),
    ]
    if ADULT.exists():
        train = pd.read_csv(ADULT / "train.csv").sample(5000, random_state=0)
        test = pd.read_csv(ADULT / "test.csv").sample(5000, random_state=1)
        cases.append(("Adult: 5000 train rows vs 5000 test rows", train, test))
        cases.append(("Adult: columns shuffled", train, shuffle_columns(train, seed=2)))
        if adult_synthetic is not None:
            syn = pd.read_csv(adult_synthetic)
            cases.append(("Adult: tabgan, 5 epochs on 5000 rows", train, syn))
    return cases


def _sdmetrics(python: str, real: pd.DataFrame, syn: pd.DataFrame, infos) -> dict:
    meta = {
        "columns": {
            i.name: {"sdtype": "numerical" if i.kind == NUMERIC else "categorical"} for i in infos
        }
    }
    with tempfile.TemporaryDirectory() as folder:
        real.to_pickle(f"{folder}/real.pkl")
        syn.to_pickle(f"{folder}/syn.pkl")
        Path(folder, "meta.json").write_text(json.dumps(meta))
        run = subprocess.run(
            [python, "-c", _SDM_CODE, folder], capture_output=True, text=True, check=True
        )
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdm-python", required=True, help="python with sdmetrics installed")
    parser.add_argument("--adult-synthetic", type=Path, help="synthetic Adult rows (CSV)")
    args = parser.parse_args()
    print(
        "| table | overall tabgan / SDM | shapes tabgan / SDM | pairs tabgan / SDM "
        "| same-kind pairs: max abs diff (n) | pairs counted tabgan / SDM |"
    )
    print("|---|---|---|---|---|---|")
    for name, real, syn in _cases(args.adult_synthetic):
        infos = infer_columns(real)
        r, s = canonical(real, infos), canonical(syn[list(real.columns)], infos)
        ours = quality(r, s, infos)
        theirs = _sdmetrics(args.sdm_python, r, s, infos)
        kind = {i.name: i.kind for i in infos}
        mine = {frozenset(p["columns"]): p["score"] for p in ours["pairs"]}
        # pairs of two numbers or two categories: the same definition in both tools
        same = [
            abs(mine[frozenset((a, b))] - v)
            for a, b, v in theirs["pairs"]
            if v is not None and kind[a] == kind[b] and frozenset((a, b)) in mine
        ]
        counted = sum(v is not None for _, _, v in theirs["pairs"])
        print(
            f"| {name} | {ours['score']:.4f} / {theirs['score']:.4f} | "
            f"{ours['column_shapes']:.4f} / {theirs['column_shapes']:.4f} | "
            f"{ours['column_pair_trends']:.4f} / {theirs['column_pair_trends']:.4f} | "
            f"{max(same) if same else float('nan'):.1e} ({len(same)}) | "
            f"{ours['pairs_counted']} / {counted} of {len(theirs['pairs'])} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
