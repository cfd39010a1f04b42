"""Speed: tabgan against sdv-dev's ctgan (and a bare-torch floor) on the same data, in one run.

    python benchmarks/speed.py --dataset adult --epochs 20 --repeats 3 --sample-rows 1000000

Each repeat runs tabgan, then ctgan, then the floor, each in a fresh process (so neither warms
the other), with the same table, discrete columns, epochs, batch size, seed, device and torch
threads. Reports medians over repeats and ratios peer / ours (above 1: tabgan is faster) of the
encoder fit, seconds per epoch (the first, warm-up epoch left out when there are more), the
end-to-end fit and sampling; and ms per training step of the floor, tabgan and ctgan.
"""

from __future__ import annotations

import argparse
import sys

import common

KEYS = [
    ("encoder_fit_s", "encoder fit (s)"),
    ("epoch_s", "seconds per epoch"),
    ("ms_per_step", "ms per training step"),
    ("fit_s", "end-to-end fit (s)"),
    ("setup_s", "fit outside epochs (s)"),
    ("sample_s", "sample (s)"),
    ("sample_plain_s", "sample without refinement (s)"),
    ("sample_plain_f32_s", "sample without refinement, float32 (s)"),
]


def steady_epoch(run: dict) -> float | None:
    """Median epoch time without the first (warm-up) epoch, unless it is the only one."""
    epochs = run.get("epoch_s") or []
    return common.median(epochs[1:] if len(epochs) > 1 else epochs)


def summarise(run: dict) -> dict:
    epoch = steady_epoch(run)
    out = {
        k: run.get(k)
        for k in (
            "encoder_fit_s",
            "fit_s",
            "setup_s",
            "sample_s",
            "sample_plain_s",
            "sample_plain_f32_s",
        )
    }
    out["epoch_s"] = epoch
    out["ms_per_step"] = epoch / run["steps_per_epoch"] * 1000 if epoch is not None else None
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="adult", choices=sorted(common.DATASETS))
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sample-rows", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    p.add_argument("--peer-python", default=str(common.DEFAULT_PEER_PYTHON))
    p.add_argument("--no-peer", action="store_true", help="time tabgan and the floor only")
    p.add_argument("--floor-steps", type=int, default=100)
    p.add_argument("--timeout", type=float, default=None, help="seconds per child process")
    p.add_argument("--label", default=None, help="added to the result file name")
    args = p.parse_args(argv)

    peer_python = None if args.no_peer else common.check_peer_python(args.peer_python)
    device = common.resolve_device(args.device)
    info = common.dataset_paths(args.dataset)
    train, _, _ = common.load_dataset(args.dataset)
    discrete = common.discrete_columns(train)
    settings = {
        "dataset": args.dataset,
        "rows": len(train),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "repeats": args.repeats,
        "sample_rows": args.sample_rows,
        "seed": args.seed,
        "device": device,
        "threads": args.threads,
        "discrete_columns": discrete,
    }
    payload = common.header(settings, args.threads)
    shared = common.child_args(
        csv=info["train"],
        discrete=discrete,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        sample_rows=args.sample_rows,
        device=device,
        threads=args.threads,
    )
    bench = str(common.BENCH)
    raw: dict[str, list[dict]] = {"tabgan": [], "ctgan": [], "floor": []}
    for r in range(args.repeats):
        print(f"repeat {r + 1}/{args.repeats}", file=sys.stderr, flush=True)
        ours = common.run_child([sys.executable, f"{bench}/ours.py", *shared], args.timeout)
        raw["tabgan"].append(ours)
        if peer_python:
            peer = common.run_child([peer_python, f"{bench}/peer_ctgan.py", *shared], args.timeout)
            raw["ctgan"].append(peer)
        floor_args = common.child_args(
            data_dim=ours["output_dim"],
            cond_dim=ours["cond_dim"],
            batch_size=args.batch_size,
            rows=len(train),
            steps=args.floor_steps,
            seed=args.seed,
            device=device,
            threads=args.threads,
        )
        raw["floor"].append(
            common.run_child([sys.executable, f"{bench}/floor.py", *floor_args], args.timeout)
        )

    per_run = {
        "tabgan": [summarise(x) for x in raw["tabgan"]],
        "ctgan": [summarise(x) for x in raw["ctgan"]],
        "floor": [{"ms_per_step": x["ms_per_step"], "epoch_s": x["epoch_s"]} for x in raw["floor"]],
    }
    medians = {
        tool: {key: common.median([run.get(key) for run in runs]) for key, _ in KEYS}
        for tool, runs in per_run.items()
    }
    ratios = {key: common.ratio(medians["ctgan"][key], medians["tabgan"][key]) for key, _ in KEYS}
    # ctgan has no refinement: its one sampling time is the yardstick for both of ours
    for key in ("sample_plain_s", "sample_plain_f32_s"):
        ratios[key] = common.ratio(medians["ctgan"]["sample_s"], medians["tabgan"][key])
    floor_step = medians["floor"]["ms_per_step"]
    over_floor = {
        tool: common.ratio(medians[tool]["ms_per_step"], floor_step) for tool in ("tabgan", "ctgan")
    }
    if raw["ctgan"]:
        payload["peer_version"] = raw["ctgan"][0]["version"]
        payload["peer_torch"] = raw["ctgan"][0]["torch"]
    gpu = {
        tool: [x["gpu_util_fit"] for x in raw[tool] if x.get("gpu_util_fit")]
        for tool in ("tabgan", "ctgan")
    }
    payload.update(
        {
            "widths": {
                "output_dim": raw["tabgan"][0].get("output_dim"),
                "cond_dim": raw["tabgan"][0].get("cond_dim"),
                "peer_output_dim": raw["ctgan"][0].get("output_dim") if raw["ctgan"] else None,
            },
            "raw": raw,
            "per_run": per_run,
            "medians": medians,
            "ratios_peer_over_ours": ratios,
            "step_over_floor": over_floor,
            "gpu_util_fit": gpu,
        }
    )

    table = [
        f"Medians of {args.repeats} alternating run(s); ratio = ctgan / tabgan (> 1: tabgan is "
        "faster). Seconds per epoch leave out the first epoch when there are more.",
        "",
        "| measure | floor | tabgan | ctgan | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in KEYS:
        if key == "sample_s":
            label = f"sample {args.sample_rows:,} rows (s)"
        if key == "sample_plain_s":
            label = f"sample {args.sample_rows:,} rows, tabgan without refinement (s)"
        if key == "sample_plain_f32_s":
            if medians["tabgan"][key] is None:
                continue
            label = f"sample {args.sample_rows:,} rows, tabgan without refinement, float32 (s)"
        table.append(
            f"| {label} | {common.fmt(medians['floor'].get(key))} "
            f"| {common.fmt(medians['tabgan'][key])} | {common.fmt(medians['ctgan'][key])} "
            f"| {common.fmt(ratios[key])} |"
        )
    w = payload["widths"]
    table += [
        "",
        f"Encoded width {w['output_dim']} (ctgan {w['peer_output_dim']}), conditional width "
        f"{w['cond_dim']}; {raw['tabgan'][0]['steps_per_epoch']} steps per epoch. Floor: "
        "plain-torch WGAN-GP step with the same network sizes (floor.py).",
        "Step time over the floor's: tabgan "
        f"{common.fmt(over_floor['tabgan'])}x, ctgan {common.fmt(over_floor['ctgan'])}x.",
    ]
    for verb, key in (("sampled", "sample_precision"), ("trained", "train_precision")):
        if precision := raw["tabgan"][0].get(key):
            table.append(f"tabgan {verb} with {key}='auto', which is {precision} on this machine.")
    for tool, samples in gpu.items():
        if samples:  # CUDA runs with nvidia-smi present
            table.append(
                f"{tool} GPU utilisation during fit: median of run means "
                f"{common.fmt(common.median([g['mean'] for g in samples]))}%"
            )
    name = f"speed-{args.dataset}" + (f"-{args.label}" if args.label else "")
    json_path, md_path = common.write_result(name, payload, table)
    print("\n".join(table))
    print(f"\nwrote {json_path.relative_to(common.REPO)} and {md_path.name}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
