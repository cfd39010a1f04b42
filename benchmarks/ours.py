"""Time tabgan on one table (a child of speed.py and quality.py; prints one JSON object).

    python benchmarks/ours.py --csv examples/data/adult.csv --discrete '["workclass", ...]' \
        --epochs 20 --batch-size 500 --seed 0 --sample-rows 100000 --device cpu

Measures (a) ``TableEncoder(seed).fit`` alone, (b) the whole ``TabGAN(...).fit`` (wall clock,
plus the model's own ``fit_seconds_``/``encoder_seconds_``), with every epoch's duration taken
from the ``EpochInfo`` callback, and (c) ``model.sample(n)`` (and, when the model refines, the same
draw with the refiner set aside: what ``refine=False`` costs). ``--out-csv`` also writes the
sampled rows (not timed) for quality scoring.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--csv", required=True)
    p.add_argument("--discrete", default="[]", help="JSON list of discrete column names")
    p.add_argument("--epochs", type=int, default=None, help="default: TabGAN's own")
    p.add_argument(
        "--batch-size",
        type=lambda v: v if v == "default" else int(v),
        default=500,
        help="an integer, or 'default' for TabGAN's own",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample-rows", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--params", default="{}", help="JSON object of extra TabGAN parameters")
    p.add_argument("--out-csv", default=None)
    p.add_argument("--skip-encoder", action="store_true", help="don't time the encoder alone")
    args = p.parse_args(argv)

    import pandas as pd
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from common import unrefined
    from gpumon import GpuMonitor

    import tabgan
    from tabgan import TabGAN
    from tabgan.encoding import TableEncoder
    from tabgan.model import precision_dtype

    df = pd.read_csv(args.csv)
    discrete = json.loads(args.discrete)
    # compare.py leaves epochs and batch size to TabGAN's defaults
    params: dict = {"seed": args.seed}
    if args.epochs is not None:
        params["epochs"] = args.epochs
    if args.batch_size != "default":
        params["batch_size"] = args.batch_size
    params.update(json.loads(args.params))
    params["device"] = args.device
    out: dict = {
        "tool": "tabgan",
        "version": tabgan.__version__,
        "tabgan_path": str(Path(tabgan.__file__).resolve().parent),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "device": args.device,
        "rows": len(df),
        "params": params,
    }

    if not args.skip_encoder:
        start = time.perf_counter()
        encoder = TableEncoder(seed=args.seed).fit(df, discrete_columns=discrete)
        out["encoder_fit_s"] = time.perf_counter() - start
        start = time.perf_counter()
        encoder.transform(df)
        out["encoder_transform_s"] = time.perf_counter() - start
        out["output_dim"] = int(encoder.output_dim)
        out["cond_dim"] = int(sum(s.width for s in encoder.spans if s.conditional))

    epoch_ends: list[float] = []  # EpochInfo.seconds: since training started

    def callback(info) -> None:
        epoch_ends.append(info.seconds)

    model = TabGAN(**params)
    with GpuMonitor(enabled=args.device.startswith("cuda")) as gpu:
        start = time.perf_counter()
        model.fit(df, discrete_columns=discrete, callback=callback)
        out["fit_s"] = time.perf_counter() - start
    out["gpu_util_fit"] = gpu.summary()
    out["fit_seconds_attr"] = model.fit_seconds_
    out["encoder_seconds_attr"] = model.encoder_seconds_
    out["epoch_s"] = [b - a for a, b in zip([0.0, *epoch_ends], epoch_ends, strict=False)]
    # what fit spends outside the epochs: encoder fit, transform, moving data, building nets
    out["setup_s"] = model.fit_seconds_ - (epoch_ends[-1] if epoch_ends else 0.0)
    out["steps_per_epoch"] = int(model.steps_per_epoch_)
    out["batch_size"] = int(model.batch_size_)
    out["generator_params"] = sum(t.numel() for t in model.generator_.parameters())
    try:  # since train_precision="auto" keeps float32 for small steps
        from tabgan.device import train_dtype as _train_dtype

        layout = model.layout_
        width = layout.output_dim + layout.cond_dim
        train_dtype = _train_dtype(model.train_precision, model.device_, model.batch_size_, width)
    except (ImportError, AttributeError):  # an older tabgan (compare.py --tabgan-repo)
        train_dtype = precision_dtype(model.train_precision, model.device_)
    out["train_precision"] = str(train_dtype).removeprefix("torch.")

    if args.sample_rows:
        start = time.perf_counter()
        synthetic = model.sample(args.sample_rows, seed=args.seed)
        out["sample_s"] = time.perf_counter() - start
        out["sample_rows"] = args.sample_rows
        out["refined"] = getattr(model, "refiner_", None) is not None
        if out["refined"]:  # the same generator without the filter (refine=False's speed)
            with unrefined(model):
                start = time.perf_counter()
                model.sample(args.sample_rows, seed=args.seed)
                out["sample_plain_s"] = time.perf_counter() - start
        dtype = (
            model.sample_dtype()
            if hasattr(model, "sample_dtype")
            else precision_dtype(model.sample_precision, model.device_)  # an older tabgan
        )
        out["sample_precision"] = str(dtype).removeprefix("torch.")
        if out["sample_precision"] != "float32":  # what the rounding saves, same model
            model.set_params(sample_precision="float32")
            with unrefined(model):
                start = time.perf_counter()
                model.sample(args.sample_rows, seed=args.seed)
                out["sample_plain_f32_s"] = time.perf_counter() - start
        if args.out_csv:
            synthetic.to_csv(args.out_csv, index=False)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())
