"""How often each pair of categories of two discrete columns occurs together in training.

Sampling uses these counts to warn when conditions on two or more discrete columns ask for a
combination that few or no training rows hold (``class=crew`` with ``gender=female`` where the
real table has no female crew): the generator can still produce such rows, but they rest on
what it learned of each column alone, not on any real example. For three or more conditioned
columns the smallest pairwise count is an upper bound of the rows holding all of them.

Only observed cells are kept (sparse), and only while they stay small: a pair with more than
:data:`MAX_PAIR_CELLS` distinct combinations, or pairs past :data:`MAX_CELLS` in all, are left
out (no warning for them). A private fit (``protect_rare`` or ``epsilon``) keeps none: exact
joint counts would leak what the protection hides.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

import numpy as np

#: the most distinct combinations kept for one pair of columns
MAX_PAIR_CELLS = 5_000
#: the most combinations kept over all pairs
MAX_CELLS = 200_000


class PairCounts:
    """Sparse co-occurrence counts of category indices, per pair of discrete columns."""

    def __init__(self, cells: Mapping[tuple[str, str], np.ndarray] | None = None) -> None:
        # (a, b) -> (k, 3) int64 array of [index in a, index in b, rows]
        self.cells: dict[tuple[str, str], np.ndarray] = dict(cells or {})

    def __len__(self) -> int:
        return len(self.cells)

    @classmethod
    def fit(cls, codes: Mapping[str, np.ndarray]) -> PairCounts:
        """Count every pair of the columns' category indices (one int array per column, all
        of the same length)."""
        out: dict[tuple[str, str], np.ndarray] = {}
        total = 0
        for a, b in combinations(codes, 2):
            x = np.asarray(codes[a], dtype=np.int64)
            y = np.asarray(codes[b], dtype=np.int64)
            if len(x) == 0:
                continue
            width = int(y.max()) + 1
            keys, counts = np.unique(x * width + y, return_counts=True)
            if len(keys) > MAX_PAIR_CELLS or total + len(keys) > MAX_CELLS:
                continue
            total += len(keys)
            out[(a, b)] = np.stack([keys // width, keys % width, counts], axis=1)
        return cls(out)

    def rows_with(self, allowed: Mapping[str, np.ndarray]) -> tuple[int, int] | None:
        """``(rows, columns)``: the fewest training rows any pair of the conditioned columns
        has with both columns' allowed categories (exact for two columns, an upper bound for
        more), and how many columns were conditioned; ``None`` when no pair of them is known."""
        names = [name for name in allowed if allowed[name] is not None]
        best: int | None = None
        for a, b in combinations(names, 2):
            key, swap = ((a, b), False) if (a, b) in self.cells else ((b, a), True)
            cells = self.cells.get(key)
            if cells is None:
                continue
            first, second = (b, a) if swap else (a, b)
            keep = np.isin(cells[:, 0], allowed[first]) & np.isin(cells[:, 1], allowed[second])
            rows = int(cells[keep, 2].sum())
            best = rows if best is None else min(best, rows)
        return None if best is None else (best, len(names))

    def to_dict(self) -> dict:
        return {
            "pairs": [
                {"columns": [a, b], "cells": cells.astype(np.int64).tolist()}
                for (a, b), cells in self.cells.items()
            ]
        }

    @classmethod
    def from_dict(cls, d: Mapping, widths: Mapping[str, int]) -> PairCounts:
        """Rebuild from :meth:`to_dict` output, checked against the columns' category counts
        (``widths``): a corrupt file fails here."""
        cells: dict[tuple[str, str], np.ndarray] = {}
        for entry in d.get("pairs", []):
            a, b = entry["columns"]
            if a not in widths or b not in widths or a == b:
                raise ValueError(f"encoder state: pair counts on unknown columns {a!r}, {b!r}")
            arr = np.asarray(entry["cells"], dtype=np.int64).reshape(-1, 3)
            bad = (
                (arr[:, 0] < 0)
                | (arr[:, 0] >= widths[a])
                | (arr[:, 1] < 0)
                | (arr[:, 1] >= widths[b])
                | (arr[:, 2] < 1)
            )
            if bad.any():
                raise ValueError(f"encoder state: pair counts of {a!r}, {b!r} out of range")
            cells[(a, b)] = arr
        return cls(cells)


__all__ = ["MAX_CELLS", "MAX_PAIR_CELLS", "PairCounts"]
