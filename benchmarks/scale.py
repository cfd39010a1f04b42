"""Scale: a generated wide table of a million rows; encoder, epoch, sampling, memory, 1 vs 2 ranks.

    python benchmarks/scale.py --rows 1000000 --columns 40 --epochs 1 --sample-rows 3000000

Steps, each timed in a fresh process whose peak RSS is read with ``getrusage``:

1. generate the table (``--columns`` mixed columns: ~half numeric, ~40% categorical of 2-60
   values, the rest boolean, a few with missing values) as Parquet in a temporary folder;
2. ``stream.read_sample`` of 10% of it (reservoir over record batches): seconds, peak RSS;
3. encoder fit and one full transform (rows/s) plus the encoded matrix's bytes per row;
4. ``TabGAN.fit`` for ``--epochs`` full epochs on 1 rank, then under ``torchrun`` on 2 gloo
   ranks (``--ranks``): seconds per epoch (one epoch = one pass over the whole table across
   all ranks) and peak RSS of the largest process;
5. ``tabgan sample -n --sample-rows -o out.parquet`` from the 1-rank model: rows/s, peak RSS;
6. ``tabgan sample -n --adult-sample-rows`` of Adult-shaped rows (a 1-epoch model of
   examples/data/adult.csv) to Parquet and to CSV: rows/s, peak RSS.

On a 2-core machine two ranks share the two cores with each other (and with torchrun), so the
2-rank figure shows the overhead of gradient all-reduce more than a speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
import numpy as np
import pandas as pd

SCRIPT = Path(__file__).resolve()
# Runs a command and prints its peak RSS (largest descendant) as the last stdout line.
RSS_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:]).returncode\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(json.dumps({'rc': rc, 'wall_s': time.perf_counter() - t, 'peak_rss_mb': rss / 1024}))"
)


def make_table(rows: int, columns: int, seed: int = 0) -> pd.DataFrame:
    """A mixed table: numbers (normal, skewed, bimodal, integer), categories, booleans."""
    rng = np.random.default_rng(seed)
    n_num = columns // 2
    n_cat = (columns * 2) // 5
    n_bool = columns - n_num - n_cat
    data: dict[str, np.ndarray] = {}
    base = rng.normal(size=rows)  # shared factor, so columns are related, not independent
    for i in range(n_num):
        kind = i % 4
        if kind == 0:
            v = base * (1 + i % 3) + rng.normal(size=rows)
        elif kind == 1:
            v = rng.gamma(2.0, 10.0, size=rows) * np.exp(0.3 * base)
        elif kind == 2:
            v = np.where(rng.random(rows) < 0.3, rng.normal(-5, 1, rows), rng.normal(5, 2, rows))
        else:
            v = np.round(rng.gamma(3.0, 20.0, size=rows))
        if i % 5 == 4:
            v = np.where(rng.random(rows) < 0.05, np.nan, v)
        data[f"num{i}"] = v
    for i in range(n_cat):
        k = 2 + (i * 7) % 59
        p = rng.dirichlet(np.full(k, 0.7))
        codes = rng.choice(k, size=rows, p=p)
        codes = np.where(base > 1.5, codes % max(1, k // 2), codes)
        data[f"cat{i}"] = np.array([f"v{j}" for j in range(k)], dtype=object)[codes]
    for i in range(n_bool):
        data[f"flag{i}"] = rng.random(rows) < (0.2 + 0.1 * i) + 0.1 * (base > 0)
    return pd.DataFrame(data)


# ---------------------------------------------------------------------- children
def child_encode(args: argparse.Namespace) -> dict:
    import pyarrow.parquet as pq

    from tabgan.encoding import TableEncoder

    df = pq.read_table(args.data).to_pandas()
    t = time.perf_counter()
    enc = TableEncoder(seed=0).fit(df)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    matrix = enc.transform(df, rng=np.random.default_rng(0))
    transform_s = time.perf_counter() - t
    return {
        "encoder_fit_s": fit_s,
        "transform_s": transform_s,
        "transform_rows_per_s": len(df) / transform_s,
        "output_dim": int(matrix.shape[1]),
        "encoded_bytes_per_row": int(matrix.shape[1]) * 4,
        "frame_bytes_per_row": float(df.memory_usage(deep=True).sum() / len(df)),
    }


def child_read_sample(args: argparse.Namespace) -> dict:
    from tabgan.stream import read_sample

    t = time.perf_counter()
    out = read_sample(args.data, args.max_rows, seed=0)
    return {"read_sample_s": time.perf_counter() - t, "sample_rows": len(out)}


def child_fit(args: argparse.Namespace) -> dict | None:
    import pyarrow.parquet as pq

    from tabgan.gan import distributed
    from tabgan.model import TabGAN

    df = pq.read_table(args.data).to_pandas()
    epochs: list[float] = []
    model = TabGAN(epochs=args.epochs, batch_size=args.batch_size, seed=0, device=args.device).fit(
        df, callback=lambda info: epochs.append(info.seconds)
    )
    if not distributed.is_main():
        return None
    if args.model:
        model.save(args.model)
    world = int(os.environ.get("WORLD_SIZE", 1))
    per_epoch = [b - a for a, b in zip([0.0, *epochs[:-1]], epochs, strict=True)]
    return {
        "ranks": world,
        "fit_s": model.fit_seconds_,
        "encoder_fit_s": model.encoder_seconds_,
        "epoch_s": per_epoch,
        "steps_per_epoch_per_rank": max(1, -(-len(df) // world) // args.batch_size),
    }


# ---------------------------------------------------------------------- parent
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measured(cmd: list[str], timeout: float | None) -> tuple[dict, dict]:
    """Run ``cmd`` under the RSS wrapper: (the child's JSON line or {}, {rc, wall_s, rss})."""
    print("  $ " + " ".join(cmd), file=sys.stderr, flush=True)
    full = [sys.executable, "-c", RSS_WRAPPER, *cmd]
    proc = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"failed: {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    usage = json.loads(lines[-1])
    if usage["rc"] != 0:
        raise RuntimeError(f"failed (exit {usage['rc']}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return (json.loads(lines[-2]) if len(lines) > 1 else {}), usage


def run(args: argparse.Namespace) -> None:
    settings = {
        k: getattr(args, k)
        for k in (
            "rows",
            "columns",
            "epochs",
            "batch_size",
            "sample_rows",
            "ranks",
            "device",
            "adult_sample_rows",
        )
    }
    payload = common.header(settings, None)
    me = [sys.executable, str(SCRIPT)]
    env_threads = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "")}
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="tabgan-scale-") as tmp:
        data = Path(tmp) / "big.parquet"
        model = Path(tmp) / "big.tabgan"
        t = time.perf_counter()
        make_table(args.rows, args.columns).to_parquet(data, row_group_size=100_000)
        results["generate_s"] = time.perf_counter() - t
        results["parquet_mb"] = data.stat().st_size / 2**20

        out, usage = measured(
            [
                *me,
                "--child",
                "read_sample",
                "--data",
                str(data),
                "--max-rows",
                str(args.rows // 10),
            ],
            args.timeout,
        )
        results["read_sample"] = {**out, "peak_rss_mb": usage["peak_rss_mb"]}
        out, usage = measured([*me, "--child", "encode", "--data", str(data)], args.timeout)
        results["encode"] = {**out, "peak_rss_mb": usage["peak_rss_mb"]}

        common_fit = [
            "--child", "fit", "--data", str(data), "--epochs", str(args.epochs),
            "--batch-size", str(args.batch_size), "--device", args.device,
        ]  # fmt: skip
        results["fit"] = []
        for ranks in sorted({1, args.ranks}):
            if ranks == 1:
                cmd = [*me, *common_fit, "--model", str(model)]
            else:
                cmd = [
                    sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(ranks),
                    "--master-addr", "127.0.0.1", "--master-port", str(_free_port()),
                    str(SCRIPT), *common_fit,
                ]  # fmt: skip
            out, usage = measured(cmd, args.timeout)
            results["fit"].append({**out, "peak_rss_mb": usage["peak_rss_mb"]})

        out_file = Path(tmp) / "out.parquet"
        cli = [sys.executable, "-m", "tabgan_cli.main", "sample", "-n", str(args.sample_rows)]
        cli += ["-m", str(model), "-o", str(out_file), "--seed", "0", "--device", args.device]
        _, usage = measured(cli, args.timeout)
        results["sample"] = {
            "rows": args.sample_rows,
            "wall_s": usage["wall_s"],
            "rows_per_s": args.sample_rows / usage["wall_s"],
            "peak_rss_mb": usage["peak_rss_mb"],
        }
        if args.adult_sample_rows:
            results["adult_sample"] = adult_sample(Path(tmp), args)
    payload["results"] = results
    payload["env"] = env_threads
    table = summary_table(results, args)
    json_path, md_path = common.write_result("scale", payload, table)
    print("\n".join(table))
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)


def adult_sample(tmp: Path, args: argparse.Namespace) -> dict:
    """Streamed sampling of Adult-shaped rows (15 columns, encoded width ~150) from a model
    fitted for one epoch on examples/data/adult.csv: the memory bound of `tabgan sample`
    (peak RSS must not grow with n), to Parquet and to CSV."""
    model = tmp / "adult.tabgan"
    cli = [sys.executable, "-m", "tabgan_cli.main"]
    adult = str(common.DATASETS["adult"]["train"])
    fit = [*cli, "fit", adult, "-m", str(model), "--epochs", "1", "--seed", "0", "--quiet"]
    measured([*fit, "--device", args.device], args.timeout)
    out: dict = {"rows": args.adult_sample_rows}
    for suffix in ("parquet", "csv"):
        target = tmp / f"adult_out.{suffix}"
        cmd = [*cli, "sample", "-n", str(args.adult_sample_rows), "-m", str(model)]
        cmd += ["-o", str(target), "--seed", "0", "--device", args.device]
        _, usage = measured(cmd, args.timeout)
        out[suffix] = {
            "wall_s": usage["wall_s"],
            "rows_per_s": args.adult_sample_rows / usage["wall_s"],
            "peak_rss_mb": usage["peak_rss_mb"],
            "file_mb": target.stat().st_size / 2**20,
        }
        target.unlink()
    return out


def summary_table(r: dict, args: argparse.Namespace) -> list[str]:
    enc = r["encode"]
    lines = [
        f"Table: {args.rows:,} rows x {args.columns} columns (Parquet {r['parquet_mb']:.0f} MB); "
        f"encoded width {enc['output_dim']} ({enc['encoded_bytes_per_row']} B/row float32); "
        f"pandas frame {enc['frame_bytes_per_row']:.0f} B/row.",
        "",
        "| step | figure |",
        "|---|---|",
        f"| reservoir sample of {r['read_sample']['sample_rows']:,} rows | "
        f"{r['read_sample']['read_sample_s']:.1f} s, peak RSS "
        f"{r['read_sample']['peak_rss_mb']:.0f} MB |",
        f"| encoder fit (whole table) | {enc['encoder_fit_s']:.1f} s |",
        f"| encode (transform) | {enc['transform_rows_per_s']:,.0f} rows/s, peak RSS "
        f"{enc['peak_rss_mb']:.0f} MB (frame + matrix) |",
    ]
    for fit in r["fit"]:
        epoch = common.median(fit["epoch_s"])
        lines.append(
            f"| fit, {fit['ranks']} rank(s), {args.epochs} epoch(s) | {epoch:.1f} s/epoch "
            f"({fit['steps_per_epoch_per_rank']} steps/rank of {args.batch_size}), fit "
            f"{fit['fit_s']:.1f} s, peak RSS {fit['peak_rss_mb']:.0f} MB per process |"
        )
    s = r["sample"]
    lines.append(
        f"| `tabgan sample -n {s['rows']:,} -o out.parquet` | {s['rows_per_s']:,.0f} rows/s "
        f"(whole command, {s['wall_s']:.1f} s), peak RSS {s['peak_rss_mb']:.0f} MB |"
    )
    a = r.get("adult_sample")
    for suffix in ("parquet", "csv") if a else ():
        lines.append(
            f"| Adult-shaped: `tabgan sample -n {a['rows']:,} -o out.{suffix}` | "
            f"{a[suffix]['rows_per_s']:,.0f} rows/s (whole command, {a[suffix]['wall_s']:.1f} s), "
            f"peak RSS {a[suffix]['peak_rss_mb']:.0f} MB |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--columns", type=int, default=40)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--sample-rows", type=int, default=3_000_000)
    p.add_argument("--ranks", type=int, default=2, help="also fit under torchrun with N ranks")
    p.add_argument(
        "--adult-sample-rows",
        type=int,
        default=3_000_000,
        help="also stream this many Adult-shaped rows to Parquet and CSV (0: skip)",
    )
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--timeout", type=float, default=None, help="seconds per child process")
    p.add_argument("--child", choices=["encode", "read_sample", "fit"], help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--model", help=argparse.SUPPRESS)
    p.add_argument("--max-rows", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child is None:
        run(args)
        return
    out = {"encode": child_encode, "read_sample": child_read_sample, "fit": child_fit}[args.child](
        args
    )
    if out is not None:
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
