"""Every table the installed statsmodels, lifelines and scikit-learn ship, through the command line.

    python benchmarks/package_tables.py --epochs 10 --label all

A smoke run on tables nobody tuned for: each table of at least ``--min-rows`` rows goes through
``tabgan fit --epochs N``, ``sample -n 300``, ``evaluate`` (with ``--model`` and an HTML report)
and ``info``, each a fresh process as a user runs them. The result lists every command's exit
status, the first line of any error, the fit seconds ``fit`` reports and the widest encoded
column. It measures robustness, not quality or speed (short fits; times are only indicative).
Tables are taken as the packages give them (``load_pandas().data``, lifelines' loaders,
scikit-learn's ``as_frame`` sets); their licenses are those of the packages' datasets.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import common
import pandas as pd

STEPS = ("fit", "sample", "evaluate", "info")


def package_tables(min_rows: int) -> dict[str, pd.DataFrame]:
    """name -> table for every loadable table of at least ``min_rows`` rows."""
    out: dict[str, pd.DataFrame] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import statsmodels.datasets as smd

        for mod in pkgutil.iter_modules(smd.__path__):
            try:
                data = importlib.import_module(f"statsmodels.datasets.{mod.name}").load_pandas()
            except Exception:  # helpers and modules without a table
                continue
            if isinstance(getattr(data, "data", None), pd.DataFrame):
                out[f"sm_{mod.name}"] = data.data
        import lifelines.datasets as ld

        for name in sorted(n for n in dir(ld) if n.startswith("load_")):
            try:
                df = getattr(ld, name)()
            except Exception:  # loaders that need arguments
                continue
            if isinstance(df, pd.DataFrame):
                out[f"ll_{name[5:]}"] = df
        from sklearn import datasets as skd

        for name in ("iris", "wine", "breast_cancer", "diabetes", "linnerud"):
            out[f"sk_{name}"] = getattr(skd, f"load_{name}")(as_frame=True).frame
    return {k: v for k, v in out.items() if len(v) >= min_rows}


def run(args: list[str]) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "tabgan_cli.main", *args], capture_output=True, text=True
    )
    return proc.returncode, proc.stderr


def first_error(stderr: str) -> str | None:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip().startswith(("Error", "Trace"))]
    return lines[0][:200] if lines else None


def one(name: str, df: pd.DataFrame, epochs: int, work: Path) -> dict:
    data, model = work / f"{name}.csv", work / f"{name}.tabgan"
    synth, report = work / f"{name}.syn.csv", work / f"{name}.html"
    df.to_csv(data, index=False)
    steps = {
        "fit": ["fit", str(data), "-m", str(model), "--epochs", str(epochs), "--seed", "0"],
        "sample": ["sample", "-m", str(model), "-n", "300", "-o", str(synth), "--seed", "1"],
        "evaluate": [
            *("evaluate", str(data), str(synth), "-m", str(model), "-q"),
            *("--report", str(report)),
        ],
        "info": ["info", str(model)],
    }
    row: dict = {"table": name, "rows": len(df), "columns": df.shape[1]}
    for step, argv in steps.items():
        rc, err = run(argv)
        row[step] = rc
        if rc:
            row["error"] = f"{step}: {first_error(err)}"
            break
        if step == "fit":
            found = re.search(r"epochs in ([\d.]+) s", err)
            row["fit_s"] = float(found.group(1)) if found else None
    if "error" not in row:  # the widest encoded column, from the model file
        from tabgan import TabGAN

        widths: dict[str, int] = {}
        for span in TabGAN.load(model).encoder_.spans:
            widths[span.column] = widths.get(span.column, 0) + span.width
        if widths:
            col = max(widths, key=widths.get)
            row["widest"] = f"{col} ({widths[col]})"
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--min-rows", type=int, default=20)
    p.add_argument("--label", default="")
    args = p.parse_args()
    tables = package_tables(args.min_rows)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, df in tables.items():
            rows.append(one(name, df, args.epochs, Path(tmp)))
            r = rows[-1]
            print(f"  {name}: {r.get('error') or 'ok'}", file=sys.stderr, flush=True)
    failed = [r for r in rows if "error" in r]
    settings = {"epochs": args.epochs, "min_rows": args.min_rows, "tables": len(rows)}
    payload = {**common.header(settings, None), "runs": rows}
    table = [
        "| table | rows | columns | fit | sample | evaluate | info | fit (s) | widest column |",
        "|---|---:|---:|---|---|---|---|---:|---|",
        *(
            f"| {r['table']} | {r['rows']} | {r['columns']} | "
            + " | ".join("–" if r.get(s) is None else str(r[s]) for s in STEPS)
            + f" | {'–' if r.get('fit_s') is None else format(r['fit_s'], '.1f')} | "
            + f"{r.get('widest', '–')} |"
            for r in rows
        ),
        "",
        f"{len(rows) - len(failed)} of {len(rows)} tables went through every command "
        "(exit status 0 each).",
        *(f"- {r['table']}: {r['error']}" for r in failed),
    ]
    common.report("package-tables", args.label, payload, table)


if __name__ == "__main__":
    main()
