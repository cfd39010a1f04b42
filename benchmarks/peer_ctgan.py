"""Time sdv-dev's ctgan on one table (prints one JSON object).

Runs INSIDE the peer's virtual environment (benchmarks/setup_peer.sh); imports ctgan, pandas,
numpy and torch, never tabgan:

    benchmarks/.venv-ctgan/bin/python benchmarks/peer_ctgan.py --csv examples/data/adult.csv \
        --discrete '["workclass", ...]' --epochs 20 --batch-size 500 --seed 0 --sample-rows 100000

Measures (a) ``DataTransformer().fit`` alone, (b) the whole ``CTGAN(...).fit`` (wall clock), with
every epoch's duration taken by timing ctgan's own epoch loop (its ``tqdm`` iterator is wrapped)
and its in-fit transformer fit/transform timed too, and (c) ``sample(n)``. ``--out-csv`` also
writes the sampled rows (not timed) for quality scoring.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time


class _TimedIterator:
    """Wraps ctgan's epoch iterator: a timestamp as each epoch starts and once after the last."""

    def __init__(self, inner, stamps: list[float]) -> None:
        self._inner = inner
        self._stamps = stamps

    def __iter__(self):
        for item in self._inner:
            self._stamps.append(time.perf_counter())
            yield item
        self._stamps.append(time.perf_counter())

    def __getattr__(self, name):  # set_description etc. go to tqdm
        return getattr(self._inner, name)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--csv", required=True)
    p.add_argument("--discrete", default="[]", help="JSON list of discrete column names")
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample-rows", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--params", default="{}", help="JSON object of extra CTGAN parameters")
    p.add_argument("--out-csv", default=None)
    p.add_argument("--skip-encoder", action="store_true", help="don't time the transformer alone")
    args = p.parse_args(argv)

    import pandas as pd
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    import ctgan
    import ctgan.synthesizers.ctgan as ctgan_module
    from ctgan import CTGAN
    from ctgan.data_transformer import DataTransformer
    from gpumon import GpuMonitor

    df = pd.read_csv(args.csv)
    discrete = json.loads(args.discrete)
    out: dict = {
        "tool": "ctgan",
        "version": ctgan.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "device": args.device,
        "rows": len(df),
    }

    if not args.skip_encoder:
        start = time.perf_counter()
        transformer = DataTransformer()
        transformer.fit(df, discrete)
        out["encoder_fit_s"] = time.perf_counter() - start
        start = time.perf_counter()
        transformer.transform(df)
        out["encoder_transform_s"] = time.perf_counter() - start
        out["output_dim"] = int(transformer.output_dimensions)

    # instrument ctgan's fit from outside: its epoch loop and its transformer
    stamps: list[float] = []
    inner: dict[str, float] = {}
    real_tqdm = ctgan_module.tqdm

    class TimedTransformer(DataTransformer):
        def fit(self, *a, **k):
            t = time.perf_counter()
            result = super().fit(*a, **k)
            inner["fit"] = time.perf_counter() - t
            return result

        def transform(self, *a, **k):
            t = time.perf_counter()
            result = super().transform(*a, **k)
            inner["transform"] = time.perf_counter() - t
            return result

    ctgan_module.tqdm = lambda *a, **k: _TimedIterator(real_tqdm(*a, **k), stamps)
    ctgan_module.DataTransformer = TimedTransformer

    # same architecture and optimiser settings as tabgan's defaults (ctgan's defaults too)
    params = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "verbose": False,
        "enable_gpu": args.device.startswith("cuda"),
    }
    params.update(json.loads(args.params))
    out["params"] = params
    model = CTGAN(**params)
    model.set_random_state(args.seed)
    with GpuMonitor(enabled=args.device.startswith("cuda")) as gpu:
        start = time.perf_counter()
        model.fit(df, discrete)
        out["fit_s"] = time.perf_counter() - start
    out["gpu_util_fit"] = gpu.summary()
    out["model_device"] = str(model._device)
    out["transformer_fit_in_fit_s"] = inner.get("fit")
    out["transformer_transform_in_fit_s"] = inner.get("transform")
    out["epoch_s"] = [b - a for a, b in itertools.pairwise(stamps)]
    out["setup_s"] = out["fit_s"] - (stamps[-1] - stamps[0] if stamps else 0.0)
    out["steps_per_epoch"] = max(1, len(df) // args.batch_size)
    out["generator_params"] = sum(t.numel() for t in model._generator.parameters())

    if args.sample_rows:
        start = time.perf_counter()
        synthetic = model.sample(args.sample_rows)
        out["sample_s"] = time.perf_counter() - start
        out["sample_rows"] = args.sample_rows
        if args.out_csv:
            synthetic.to_csv(args.out_csv, index=False)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())
