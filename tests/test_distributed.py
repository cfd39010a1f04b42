"""Distributed training: 2 gloo ranks on the CPU, launched by torchrun on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from tabgan.gan import distributed
from tabgan.model import TabGAN

pytestmark = pytest.mark.skipif(
    not torch.distributed.is_available() or sys.platform == "win32",
    reason="needs torch.distributed with gloo",
)

ROWS = 400  # even, so the two strided shards need no padding row

# Each rank fits the same table through TabGAN.fit; a Trainer subclass records the networks
# right after construction (after the rank-0 broadcast) and keeps the trainer for the end.
WORKER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    import torch
    import tabgan.model
    from tabgan.gan import Trainer, distributed

    seen = {}

    class Spy(Trainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen["trainer"] = self
            seen["init"] = {
                f"{name}.{k}": v.detach().clone()
                for name, net in (("g", self.generator), ("d", self.discriminator))
                for k, v in net.state_dict().items()
            }

    tabgan.model.Trainer = Spy
    data, out = sys.argv[1], sys.argv[2]
    df = pd.read_csv(data)
    model = tabgan.model.TabGAN(
        epochs=2, batch_size=100, pac=10, ema_decay=0.0, seed=3, device="cpu",
        generator_dims=(32,), discriminator_dims=(32,), noise_dim=16,
    ).fit(df)
    t = seen["trainer"]
    rank = distributed.context().rank
    tensors = {
        **{f"init.{k}": v for k, v in seen["init"].items()},
        **{f"g.{k}": v.detach().clone() for k, v in t.generator.state_dict().items()},
        **{f"d.{k}": v.detach().clone() for k, v in t.discriminator.state_dict().items()},
        "data": t.data.clone(),
        "rng": t.rng.get_state(),
        "counts": model.condition_counts_.clone(),
        "history": torch.tensor(model.history_, dtype=torch.float64),
        "world": torch.tensor(distributed.context().world_size),
    }
    torch.save(tensors, f"{out}/rank{rank}.pt")
    if distributed.is_main():
        model.save(f"{out}/model.tabgan")
    # as tabgan_cli.main does under torchrun: skip the C++ teardown in which gloo's threads
    # can abort a finished process (SIGABRT)
    import os
    sys.stdout.flush()
    os._exit(0)
    """
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _torchrun(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc-per-node",
        "2",
        "--master-addr",
        "127.0.0.1",
        "--master-port",
        str(_free_port()),
        *args,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("TABGAN_DISTRIBUTED", None)
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def _table(n: int = ROWS) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "y": rng.gamma(2.0, size=n),
            "c": rng.choice(["a", "b", "c", "rare"], size=n, p=[0.5, 0.3, 0.19, 0.01]),
            "flag": rng.choice([True, False], size=n),
        }
    )


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("dist")
    _table().to_csv(tmp / "data.csv", index=False)
    (tmp / "worker.py").write_text(WORKER, encoding="utf-8")
    _torchrun([str(tmp / "worker.py"), str(tmp / "data.csv"), str(tmp)], cwd=tmp)
    return tmp


def _load(folder: Path, rank: int) -> dict[str, torch.Tensor]:
    return torch.load(folder / f"rank{rank}.pt", weights_only=True)


def test_weights_identical_on_all_ranks_after_training(two_ranks: Path) -> None:
    r0, r1 = _load(two_ranks, 0), _load(two_ranks, 1)
    assert int(r0["world"]) == int(r1["world"]) == 2
    # each rank saw its own shard and its own random stream ...
    assert r0["data"].shape == r1["data"].shape == (ROWS // 2, r0["data"].shape[1])
    assert not torch.equal(r0["data"], r1["data"])
    assert not torch.equal(r0["rng"], r1["rng"])
    # ... yet every parameter is bit-identical, and training moved it away from the init
    params = [k for k in r0 if k.startswith(("g.", "d.")) and "running" not in k]
    params = [k for k in params if "num_batches" not in k]
    assert params
    for key in params:
        assert torch.equal(r0[key], r1[key]), key
        assert torch.equal(r0[f"init.{key}"], r1[f"init.{key}"]), key
    moved = [k for k in params if not torch.equal(r0[k], r0[f"init.{k}"])]
    assert len(moved) == len(params)


def test_fitted_state_is_global_and_identical(two_ranks: Path) -> None:
    r0, r1 = _load(two_ranks, 0), _load(two_ranks, 1)
    # generation counts are the whole table's (2 shards of 200 rows each, summed)
    assert torch.equal(r0["counts"], r1["counts"])
    assert torch.equal(r0["history"], r1["history"])  # losses averaged over ranks
    model = TabGAN.load(two_ranks / "model.tabgan", device="cpu")
    widths = [s.width for s in model.layout_.cond_spans]
    per_span = [float(part.sum()) for part in torch.split(r0["counts"], widths)]
    assert per_span and all(total == ROWS for total in per_span)
    assert model.n_rows_ == ROWS
    out = model.sample(50, seed=0)
    assert list(out.columns) == ["x", "y", "c", "flag"] and len(out) == 50


def test_torchrun_cli_fit_writes_one_model_that_samples(tmp_path: Path) -> None:
    _table().to_csv(tmp_path / "data.csv", index=False)
    proc = _torchrun(
        [
            "-m",
            "tabgan_cli.main",
            "fit",
            "data.csv",
            "--epochs",
            "1",
            "--batch-size",
            "100",
            "--device",
            "cpu",
            "--seed",
            "0",
        ],
        cwd=tmp_path,
    )
    # rank 0 alone prints and writes (one "Wrote" line, not one per rank)
    assert proc.stderr.count("Wrote model.tabgan") == 1
    model = TabGAN.load(tmp_path / "model.tabgan", device="cpu")
    assert len(model.sample(20, seed=1)) == 20


def test_shard_is_strided_equal_and_covers_every_row() -> None:
    shards = [distributed.shard(11, r, 3) for r in range(3)]
    assert [len(s) for s in shards] == [4, 4, 4]  # padded to ceil(11 / 3)
    assert shards[0].tolist() == [0, 3, 6, 9]
    assert set(np.concatenate(shards).tolist()) == set(range(11))
    assert distributed.shard(5, 0, 1).tolist() == [0, 1, 2, 3, 4]


def test_single_process_helpers_are_no_ops(monkeypatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    ctx, device = distributed.setup(torch.device("cpu"))
    assert not ctx.active and ctx.is_main and device == torch.device("cpu")
    assert distributed.broadcast_json({"a": 1}) == {"a": 1}
    assert distributed.main_then_share(lambda: [1, 2]) == [1, 2]
    assert distributed.rank_seed(7, 0) != distributed.rank_seed(7, 1)
    assert distributed.rank_seed(7, 1) == distributed.rank_seed(7, 1)
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "2")
    assert not distributed.is_main()
    monkeypatch.setenv("TABGAN_DISTRIBUTED", "0")  # opted out: every rank fits on its own
    assert distributed.is_main() and not distributed.env_context().active
