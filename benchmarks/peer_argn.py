"""Time MOSTLY AI's TabularARGN (mostlyai-engine) on one table (prints one JSON object).

Runs INSIDE the second peer's virtual environment (benchmarks/setup_peer_argn.sh); imports
mostlyai.engine, pandas and torch, never tabgan:

    benchmarks/.venv-argn/bin/python benchmarks/peer_argn.py --csv examples/data/adult.csv \
        --seed 0 --sample-rows 32561 --out-csv /tmp/argn.csv

Fits ``mostlyai.engine.TabularARGN`` at its defaults (model ``MOSTLY_AI/Medium``, up to 100
epochs with its own early stopping on a validation split, value protection on, flexible
generation on): its ``fit`` runs the engine's ``split``, ``analyze``, ``encode`` and ``train`` in
a workspace directory, and the whole call is timed (wall clock). Then ``sample(n)`` is timed and,
with ``--out-csv``, the rows are written (not timed). ``--epochs`` sets ``max_epochs`` (quick
checks only; the default leaves the engine's own). The engine reads every column's kind from the
data itself (``tgt_encoding_types`` left to its inference), as a user at defaults would.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--csv", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample-rows", type=int, default=0)
    p.add_argument("--epochs", type=float, default=None, help="max_epochs (default: the engine's)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--params", default="{}", help="JSON object of extra TabularARGN parameters")
    p.add_argument("--workspace", default=None, help="workspace directory (default: a temp dir)")
    p.add_argument("--out-csv", default=None)
    args = p.parse_args(argv)

    import pandas as pd
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from importlib.metadata import version

    from mostlyai.engine import TabularARGN

    df = pd.read_csv(args.csv)
    params: dict = {"random_state": args.seed, "device": args.device, "verbose": 0}
    if args.epochs is not None:
        params["max_epochs"] = args.epochs
    params.update(json.loads(args.params))
    out: dict = {
        "tool": "argn",
        "version": version("mostlyai-engine"),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "device": args.device,
        "rows": len(df),
        "params": params,
    }

    with tempfile.TemporaryDirectory(prefix="argn-", dir=args.workspace) as work:
        model = TabularARGN(workspace_dir=work, **params)
        start = time.perf_counter()
        model.fit(df)
        out["fit_s"] = time.perf_counter() - start
        out["epochs_run"] = _epochs_run(Path(work))
        if args.sample_rows:
            start = time.perf_counter()
            synthetic = model.sample(n_samples=args.sample_rows)
            out["sample_s"] = time.perf_counter() - start
            out["sample_rows"] = len(synthetic)
            if args.out_csv:
                tmp = f"{args.out_csv}.{os.getpid()}.tmp"
                synthetic.to_csv(tmp, index=False)
                os.replace(tmp, args.out_csv)
    print(json.dumps(out), flush=True)


def _epochs_run(workspace: Path) -> float | None:
    """The last epoch the engine logged in its workspace's progress file (None when absent)."""
    for path in workspace.rglob("progress-messages.csv"):
        try:
            import pandas as pd

            progress = pd.read_csv(path)
        except (OSError, ValueError):
            return None
        if "epoch" in progress and len(progress):
            return float(progress["epoch"].max())
    return None


if __name__ == "__main__":
    sys.exit(main())
