"""Data-parallel training with ``torch.distributed``, launched by ``torchrun``.

One training loop serves single-process and distributed runs: :class:`~tabgan.gan.Trainer`
calls ``grad_sync(module)`` once each network's gradients are set, and a distributed fit passes
:func:`all_reduce_gradients` there. DDP's wrapper is not used because its gradient hooks fire
during ``backward()``, and the critic's gradients are not made by ``backward()``: they are
computed in closed form (:mod:`tabgan.gan.gradients`). An explicit, coalesced all-reduce of
``.grad`` averages exactly the same gradients and is always correct.

How a run is laid out (see ``TabGAN.fit``):

- every rank reads the table; rank 0 fits the encoder and :func:`broadcast_json` shares its
  state, so all ranks encode identically;
- rank ``r`` of ``W`` trains on the rows :func:`shard` gives it (strided, padded to equal size);
- conditional-vector category counts are summed over ranks (:func:`all_reduce_tensor`), so
  training and generation probabilities are global, not per shard;
- networks start identical (same seed, then :func:`broadcast_parameters` for safety); noise,
  dropout and batch draws use a per-rank seed (:func:`rank_seed`);
- only rank 0 writes checkpoints and the model (:func:`is_main`).

Works with ``gloo`` on CPU (CI runs 2 processes) and ``nccl`` on GPUs (one per ``LOCAL_RANK``).
"""

from __future__ import annotations

import atexit
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from tabgan.errors import TabGANError
from tabgan.gan.sampler import ConditionalSampler


class PeerError(TabGANError, RuntimeError):
    """Rank 0 failed in a step the other ranks wait on; raised on the other ranks."""


@dataclass(frozen=True)
class DistContext:
    """Where this process sits in a run (``world_size == 1``: not distributed)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def active(self) -> bool:
        """True when gradients must be synchronised with other ranks."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """True on the rank that writes files and prints."""
        return self.rank == 0


# whether this module created the process group (and so tears it down), and registered atexit
_OWNED = {"group": False, "atexit": False}


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def env_context() -> DistContext:
    """What torchrun's environment (``WORLD_SIZE``, ``RANK``, ``LOCAL_RANK``) says.

    ``TABGAN_DISTRIBUTED=0`` opts out: a script that runs under torchrun for its own reasons
    can then fit an independent model on every rank.
    """
    if os.environ.get("TABGAN_DISTRIBUTED", "1").strip() == "0":
        return DistContext()
    return DistContext(
        rank=_env_int("RANK", 0),
        world_size=max(1, _env_int("WORLD_SIZE", 1)),
        local_rank=_env_int("LOCAL_RANK", 0),
    )


def context() -> DistContext:
    """The current process group if one is initialised, else the environment's view."""
    if os.environ.get("TABGAN_DISTRIBUTED", "1").strip() == "0":
        return DistContext()
    if dist.is_available() and dist.is_initialized():
        env = env_context()
        return DistContext(dist.get_rank(), dist.get_world_size(), env.local_rank)
    return env_context()


def _active() -> bool:
    """True when collectives must run: a group of several ranks that tabgan may use."""
    return dist.is_available() and dist.is_initialized() and context().active


def is_main() -> bool:
    """True on rank 0, and in any single-process run (safe to call before :func:`setup`)."""
    return context().is_main


def setup(device: torch.device) -> tuple[DistContext, torch.device]:
    """Join the process group torchrun prepared, if any.

    Parameters
    ----------
    device
        The device the caller resolved. Under torchrun a CUDA device without an explicit index
        becomes ``cuda:LOCAL_RANK`` (one GPU per process); NCCL is used on CUDA, gloo otherwise.

    Returns
    -------
    (DistContext, torch.device)
        The context (``world_size == 1`` outside torchrun: nothing is initialised) and the
        device this rank trains on.
    """
    env = env_context()
    if env.world_size <= 1 or not dist.is_available():
        return DistContext(), device
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", env.local_rank)
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
            backend = "nccl"
        else:
            backend = "gloo"
        # env:// reads MASTER_ADDR/PORT, RANK and WORLD_SIZE that torchrun set
        kwargs = {"device_id": device} if backend == "nccl" else {}
        dist.init_process_group(backend=backend, init_method="env://", **kwargs)
        if not _OWNED["atexit"]:
            atexit.register(teardown)  # after an error: free the group before the interpreter
            _OWNED["atexit"] = True
        _OWNED["group"] = True
    return DistContext(dist.get_rank(), dist.get_world_size(), env.local_rank), device


def finish() -> None:
    """End of a distributed fit: wait for every rank, then destroy the group :func:`setup` made.

    Destroying while the interpreter is still whole, on all ranks together, avoids gloo worker
    threads aborting the process at exit (seen as SIGABRT, "terminate called without an active
    exception", in about one run in ten without it). A later fit in the same process joins again.
    """
    if _OWNED["group"] and dist.is_available() and dist.is_initialized():
        dist.barrier()
        teardown()


def teardown() -> None:
    """Destroy the process group if :func:`setup` created it (registered at exit).

    No barrier first: after a failure on one rank the others may be stuck in a collective, and
    waiting for them here would turn torchrun's clean shutdown into a hang.
    """
    if _OWNED["group"] and dist.is_available() and dist.is_initialized():
        try:
            dist.destroy_process_group()
        except (RuntimeError, ValueError):  # already gone with a peer: nothing left to free
            pass
    _OWNED["group"] = False


def _comm_device(fallback: torch.device | None = None) -> torch.device:
    """Where collective buffers must live: the current GPU for NCCL, the CPU for gloo."""
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return fallback if fallback is not None and fallback.type == "cpu" else torch.device("cpu")


# ---------------------------------------------------------------------- seeds and shards
def rank_seed(seed: int, rank: int) -> int:
    """A seed for ``rank``'s noise and batch draws, independent of other ranks' streams.

    Derived with :class:`numpy.random.SeedSequence` from ``(seed, rank)``, so runs stay
    reproducible for a fixed world size while ranks never share a random stream.
    """
    state = np.random.SeedSequence([int(seed), int(rank)]).generate_state(1, dtype=np.uint64)
    return int(state[0] & 0x7FFF_FFFF_FFFF_FFFF)


def shard(n_rows: int, rank: int, world_size: int) -> np.ndarray:
    """Row indices of ``rank``'s shard: strided (``rank, rank + W, ...``), padded to equal size.

    Strided rather than contiguous so a file sorted by date or by class still gives every rank a
    look-alike slice. Every shard has ``ceil(n_rows / W)`` rows (the last ``n_rows % W``-short
    shards repeat a row from the start of the table, as ``DistributedSampler`` does), so all
    ranks run the same number of steps per epoch: unequal counts would deadlock the all-reduce.
    """
    if world_size <= 1:
        return np.arange(n_rows)
    per_rank = -(-n_rows // world_size)
    return np.arange(rank, per_rank * world_size, world_size) % n_rows


# ---------------------------------------------------------------------- collectives
def _flat_groups(tensors: Iterable[torch.Tensor]) -> dict[tuple, list[torch.Tensor]]:
    groups: dict[tuple, list[torch.Tensor]] = {}
    for t in tensors:
        groups.setdefault((t.dtype, t.device), []).append(t)
    return groups


def _coalesced(
    tensors: Sequence[torch.Tensor], op: Callable[[torch.Tensor], None], average: bool
) -> None:
    """Apply one collective per (dtype, device) to all ``tensors`` through a flat buffer."""
    world = dist.get_world_size()
    for group in _flat_groups(tensors).values():
        flat = torch.cat([t.detach().reshape(-1) for t in group])
        comm = _comm_device(flat.device)
        buf = flat.to(comm)
        op(buf)
        if average:
            buf.div_(world) if buf.is_floating_point() else buf.floor_divide_(world)
        buf = buf.to(flat.device)
        offset = 0
        for t in group:
            n = t.numel()
            with torch.no_grad():
                t.copy_(buf[offset : offset + n].view_as(t))
            offset += n


def all_reduce_gradients(module: torch.nn.Module) -> None:
    """Average the gradients of ``module``'s trainable parameters over all ranks.

    One all-reduce per dtype on a flattened buffer (tens of small tensors would each pay the
    latency otherwise). A trainable parameter without a gradient gets a zero one first, as DDP
    does for unused parameters: every rank must contribute the same buffer layout, and a
    ``None`` on one rank only would misalign it.
    """
    if not _active():
        return
    params = [p for p in module.parameters() if p.requires_grad]
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
    _coalesced([p.grad for p in params], dist.all_reduce, average=True)


def broadcast_parameters(module: torch.nn.Module, src: int = 0) -> None:
    """Copy rank ``src``'s parameters and buffers (batch-norm statistics) to every rank."""
    if not _active():
        return
    tensors = [*module.parameters(), *module.buffers()]
    _coalesced(tensors, lambda b: dist.broadcast(b, src), average=False)


def average_buffers(module: torch.nn.Module) -> None:
    """Average floating-point buffers (batch-norm running statistics) over all ranks.

    Parameters stay identical through averaged gradients, but running statistics are updated
    from each rank's own batches; averaging them makes the fitted model the same on every rank.
    """
    if not _active():
        return
    buffers = [b for b in module.buffers() if b.is_floating_point()]
    if buffers:
        _coalesced(buffers, dist.all_reduce, average=True)


def all_reduce_tensor(tensor: torch.Tensor, average: bool = False) -> torch.Tensor:
    """Sum (or average) ``tensor`` over all ranks; returns a new tensor on ``tensor``'s device."""
    if not _active():
        return tensor.clone()
    out = tensor.detach().clone()
    _coalesced([out], dist.all_reduce, average=average)
    return out


def broadcast_json(obj: Any, src: int = 0) -> Any:
    """Send rank ``src``'s JSON-able object to every rank (``obj`` is ignored elsewhere).

    JSON over a byte tensor rather than ``broadcast_object_list``: that one pickles, and tabgan
    keeps its state as plain data everywhere.
    """
    if not _active():
        return obj
    device = _comm_device()
    if dist.get_rank() == src:
        payload = torch.frombuffer(bytearray(json.dumps(obj).encode("utf-8")), dtype=torch.uint8)
        size = torch.tensor([payload.numel()], dtype=torch.int64, device=device)
    else:
        payload = None
        size = torch.zeros(1, dtype=torch.int64, device=device)
    dist.broadcast(size, src)
    buf = (
        payload.to(device)
        if payload is not None
        else torch.empty(int(size.item()), dtype=torch.uint8, device=device)
    )
    dist.broadcast(buf, src)
    return json.loads(bytes(buf.cpu().numpy()).decode("utf-8"))


def use_global_counts(sampler: ConditionalSampler, log_frequency: bool) -> None:
    """Make a shard's sampler draw conditions by the whole table's category counts.

    Row look-ups (training-by-sampling) keep using the shard's own index. The counts used for
    generation (saved as the model's ``condition_counts_``) and the training probabilities
    become global; a category absent from this shard (rare ones can be, with many ranks) gets
    training probability 0 here, and its column's other categories are renormalised, because
    the shard has no row to pair with it.
    """
    if not _active():
        return
    counts = all_reduce_tensor(sampler.counts)
    whole = ConditionalSampler(sampler.layout, counts, log_frequency)
    sampler.counts = whole.counts
    if not sampler.n_columns:
        return
    sampler.sample_probs = whole.sample_probs
    weights = whole.train_probs.double() * (sampler.category_count > 0)
    totals = torch.zeros(sampler.n_columns, dtype=torch.float64, device=weights.device)
    totals.index_add_(0, sampler.cat_column, weights)
    per_column = totals[sampler.cat_column].clamp_min(1e-12) * sampler.n_columns
    sampler.train_probs = (weights / per_column).float()


def average_history(pairs: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Per-epoch (generator, discriminator) losses averaged over ranks (one all-reduce)."""
    if not pairs or not _active():
        return [tuple(p) for p in pairs]
    mean = all_reduce_tensor(torch.tensor(pairs, dtype=torch.float64), average=True)
    return [(float(g), float(d)) for g, d in mean.tolist()]


def local_rows(n_rows: int) -> np.ndarray | None:
    """The rows of an ``n_rows`` table this rank trains on, or None outside a distributed
    run (all of them)."""
    ctx = context()
    return shard(n_rows, ctx.rank, ctx.world_size) if ctx.active else None


def start_networks(
    seed: int, rng: torch.Generator, *modules: torch.nn.Module
) -> Callable[[torch.nn.Module], None] | None:
    """Start a run's networks identical on every rank, then give each rank its own random
    streams (noise, dropout, batches); returns the gradient synchronisation for the trainer
    (None outside a distributed run)."""
    ctx = context()
    if not ctx.active:
        return None
    for module in modules:
        broadcast_parameters(module)
    reseed(seed, rng)
    return all_reduce_gradients


def reseed(seed: int, rng: torch.Generator) -> None:
    """Each rank's own streams from ``seed`` (after a resume, the checkpoint holds rank 0's
    streams: pass ``seed + epoch``). A no-op outside a distributed run."""
    ctx = context()
    if ctx.active:
        rng.manual_seed(rank_seed(seed, ctx.rank))
        torch.manual_seed(rank_seed(seed, ctx.rank))


def main_then_share(make: Callable[[], Any]) -> Any:
    """Run ``make()`` on rank 0 only and return its JSON-able result on every rank.

    If it raises on rank 0, the others raise :class:`PeerError` with its message instead of
    waiting forever for a broadcast that will not come.
    """
    if not _active():
        return make()
    if context().is_main:
        try:
            result = make()
        except Exception as exc:
            broadcast_json({"error": f"{type(exc).__name__}: {exc}"})
            raise
        broadcast_json({"ok": result})
        return result
    message = broadcast_json(None)
    if "error" in message:
        raise PeerError(f"rank 0 failed: {message['error']}")
    return message["ok"]


__all__ = [
    "DistContext",
    "PeerError",
    "all_reduce_gradients",
    "all_reduce_tensor",
    "average_buffers",
    "average_history",
    "broadcast_json",
    "broadcast_parameters",
    "context",
    "env_context",
    "finish",
    "is_main",
    "local_rows",
    "main_then_share",
    "rank_seed",
    "reseed",
    "setup",
    "shard",
    "start_networks",
    "teardown",
    "use_global_counts",
]
