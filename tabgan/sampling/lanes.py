"""Lanes: sampling work spread over CPU threads, each running torch on one thread of its own.

Sampling a block of rows is a chain of small steps (noise, the generator's products, the
per-span draws, the refiner's features, the numpy/pandas decode), most of which torch or numpy
run on one core whatever the thread setting. So on a CPU, independent units of work on parallel
threads, each with one intra-op thread, keep every core busy where one unit at a time with
several intra-op threads leaves them idle between the parallel steps (1M rows from a 300-epoch
Adult model on two cores, refined: 3.58 s against 5.11 s before lanes and a cheaper decode,
``benchmarks/results/sampling-adult-300-s1-{lanes,before}-20261201-*.md``).

A unit's randomness comes from its own seed, fixed before it runs, and results come back in
submission order: the rows do not depend on the number of lanes or on thread timing.

``torch.set_num_threads(1)`` in a worker sets that thread's OpenMP team size, which is
thread-local, and torch's default for threads that first use torch later (and MKL's global
setting); leaving restores the caller's count, so only threads started by others while lanes
run could see one thread.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import torch

#: most worker threads: each holds one unit of rows (tens of MB) while it works
MAX_LANES = 8


def lane_count(device: torch.device) -> int:
    """How many lanes to run on ``device``: one per torch thread on the CPU (at most
    ``MAX_LANES``), one elsewhere (a GPU parallelises within each step)."""
    if device.type != "cpu":
        return 1
    return max(1, min(torch.get_num_threads(), MAX_LANES))


class Lanes:
    """Ordered parallel work: :meth:`submit` units, :meth:`next` returns the oldest result.

    With one lane every unit runs at once on the calling thread (no worker, no thread change).
    Use as a context manager: leaving cancels units not started, waits for running ones and
    restores torch's thread count.

    Parameters
    ----------
    lanes : int
        Worker threads.
    """

    def __init__(self, lanes: int) -> None:
        self.lanes = max(1, int(lanes))
        #: units worth keeping in flight: one more than the workers, so none waits on the caller
        self.depth = self.lanes + 1 if self.lanes > 1 else 1
        self._pending: deque[Future] = deque()
        self._pool: ThreadPoolExecutor | None = None
        self._threads = torch.get_num_threads()

    def __enter__(self) -> Lanes:
        if self.lanes > 1:
            self._pool = ThreadPoolExecutor(
                self.lanes,
                thread_name_prefix="tabgan-lane",
                initializer=torch.set_num_threads,
                initargs=(1,),
            )
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            torch.set_num_threads(self._threads)
        self._pending.clear()

    def __len__(self) -> int:
        """Units submitted and not yet taken by :meth:`next`."""
        return len(self._pending)

    @property
    def full(self) -> bool:
        """Whether as many units are in flight as are worth having."""
        return len(self._pending) >= self.depth

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(*args)``; with one lane, run it now."""
        if self._pool is not None:
            self._pending.append(self._pool.submit(fn, *args))
            return
        done: Future = Future()
        done.set_result(fn(*args))  # an error surfaces here, before any later unit runs
        self._pending.append(done)

    def next(self) -> Any:
        """The oldest unit's result (waits for it; re-raises its exception)."""
        return self._pending.popleft().result()
