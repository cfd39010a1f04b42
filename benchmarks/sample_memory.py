"""Peak memory of sampling to Parquet: the CLI's chunked stream against one held frame.

    python benchmarks/sample_memory.py --rows 300000 1000000

A tiny model of a 20-column table (the one ``tests/test_scale.py`` uses) is fitted once; then,
for each row count, a child process samples that many rows to a Parquet file, by ``tabgan
sample`` (chunk by chunk) and by ``model.sample(n).to_parquet`` (all rows held at once), and its
peak resident memory (``ru_maxrss``) is read. ``MALLOC_ARENA_MAX=2`` as in the test. Linux only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import common
import numpy as np
import pandas as pd

_PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # KiB on Linux
"""
_HELD = "import sys; from tabgan import TabGAN; m = TabGAN.load(sys.argv[1], device='cpu'); "
_HELD += "m.sample(int(sys.argv[2])).to_parquet(sys.argv[3])"


def peak_mb(cmd: list[str]) -> float:
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    run = subprocess.run(
        [sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True, check=True, env=env
    )
    return int(run.stdout.split()[-1]) / 1024


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, nargs="+", default=[300_000, 1_000_000])
    p.add_argument("--label", default="")
    args = p.parse_args()
    from tabgan import TabGAN

    rng = np.random.default_rng(0)
    wide = {f"x{i}": rng.normal(size=300) for i in range(10)}
    wide |= {f"c{i}": rng.choice(["alpha", "beta", "gamma", "delta"], 300) for i in range(10)}
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "m.tabgan"
        tiny = {"generator_dims": (32,), "discriminator_dims": (32,)}
        TabGAN(epochs=1, batch_size=50, seed=0, device="cpu", **tiny).fit(pd.DataFrame(wide)).save(
            model
        )
        for n in args.rows:
            out = str(Path(tmp) / f"out{n}.parquet")
            cli = [sys.executable, "-m", "tabgan_cli.main", "sample", "-n", str(n), "-m"]
            streamed = peak_mb([*cli, str(model), "-o", out, "--device", "cpu", "-q"])
            held = peak_mb([sys.executable, "-c", _HELD, str(model), str(n), out])
            runs.append({"rows": n, "streamed_mb": streamed, "held_mb": held})
            print(f"  {n} rows: streamed {streamed:.1f} MB, held {held:.1f} MB", file=sys.stderr)
    table = [
        "| rows | `tabgan sample -o x.parquet` peak (MB) | `sample(n).to_parquet` peak (MB) |",
        "|---:|---:|---:|",
        *(f"| {r['rows']:,} | {r['streamed_mb']:.1f} | {r['held_mb']:.1f} |" for r in runs),
    ]
    payload = {**common.header({"rows": args.rows}, None), "runs": runs}
    common.report("sample-memory", args.label, payload, table)


if __name__ == "__main__":
    main()
