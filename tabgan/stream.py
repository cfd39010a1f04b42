"""Reading tables larger than memory: record batches and a bounded uniform sample.

:func:`read_sample` streams a CSV or Parquet file through pyarrow one record batch at a time
and keeps a uniform random sample of at most ``max_rows`` rows, so fitting a model on a table
of any length needs memory for the sample only. :func:`iter_batches` yields the file as
DataFrames of a fixed number of rows (for chunked encoding or scoring).

The sample is "random keys, keep the smallest": every row gets an independent uniform key and
the ``max_rows`` rows with the smallest keys are a uniform sample without replacement. Per
batch this is vectorised (one ``random`` call, one comparison against the current threshold);
candidates are buffered and compacted with ``argpartition`` only when the buffer doubles, so the
work is O(rows) plus O(max_rows) per compaction, and memory stays under about 2x the sample.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from tabgan.errors import DataFileError, InvalidDataError
from tabgan.io import check_sep, check_single_column, check_text_head, detect_delimiter, read_format

#: bytes pyarrow reads per CSV block; type inference looks at the first block
CSV_BLOCK_BYTES = 16 << 20
# pyarrow names the row too ("Row #3000: ") when it reads on one thread (OMP_NUM_THREADS=1)
_CONVERSION_RE = re.compile(r"In CSV column #(\d+): (?:Row #\d+: )?CSV conversion error to (\w+)")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    if path.is_dir():
        raise DataFileError(f"{path}: is a directory, not a data file")
    if path.stat().st_size == 0:
        raise DataFileError(f"{path}: the file is empty")


def _csv_batches(path: Path, column_types: dict[str, object], delimiter: str):
    import pyarrow.csv as pacsv

    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        # missing text is missing, as pandas reads it (pyarrow's default keeps it as "")
        convert_options=pacsv.ConvertOptions(column_types=column_types, strings_can_be_null=True),
    )


def _batches(
    path: Path, batch_rows: int, sep: str | None = None, notes: list[str] | None = None
) -> Iterator:
    """pyarrow record batches of a CSV, Parquet or Excel file; ``None`` means "starting over".

    The CSV delimiter is ``sep`` or, when ``None``, detected as :func:`tabgan.io.read_table`
    does (with the same refusal of a one-column table holding a likely delimiter). An Excel
    sheet (at most about a million rows) is read whole and cut into batches.

    A CSV column whose type changes after the first block (whole numbers, then ``1.5``; numbers,
    then text) makes pyarrow's streaming reader fail mid-file. The column is then widened
    (integer or all-missing to float, anything else to text), ``None`` is yielded so the
    consumer can drop or skip what it has seen, and reading starts again from the top.
    """
    import pyarrow as pa

    _check_file(path)
    sep = check_sep(sep)
    fmt = read_format(path)
    if fmt == "excel":
        from tabgan.io import read_table

        table = pa.Table.from_pandas(read_table(path), preserve_index=False)
        yield from table.to_batches(max_chunksize=batch_rows)
        return
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            handle = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as exc:
            raise DataFileError(f"{path}: not a readable Parquet file ({exc})") from exc
        yield from handle.iter_batches(batch_size=batch_rows)
        return
    check_text_head(path)
    detected = sep is None
    delimiter = detect_delimiter(path, notes) if detected else sep
    column_types: dict[str, object] = {}
    checked = False
    while True:
        names: list[str] = []
        try:
            reader = _csv_batches(path, column_types, delimiter)
            names = reader.schema.names
            for batch in reader:
                if detected and not checked and batch.num_columns == 1:
                    check_single_column(batch.to_pandas(), path)
                checked = True
                yield batch
            return
        except pa.ArrowInvalid as exc:
            match = _CONVERSION_RE.search(str(exc))
            first = str(exc).splitlines()[0]
            if match is None or not names:
                raise DataFileError(f"{path}: malformed CSV ({first})") from exc
            name = names[int(match.group(1))]
            if column_types.get(name) == pa.string():  # text cannot fail: give up, not loop
                raise DataFileError(f"{path}: column {name!r} cannot be read ({first})") from exc
            # int (or all-missing so far) -> float64 -> string: each column widens at most twice
            numeric = match.group(2).startswith(("int", "uint", "null"))
            column_types[name] = pa.float64() if numeric else pa.string()
            yield None


def iter_batches(
    path: str | os.PathLike,
    rows: int = 100_000,
    sep: str | None = None,
    notes: list[str] | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield the table in ``path`` (CSV, Parquet or Excel) as DataFrames of ``rows`` rows (the
    last may be shorter); memory holds about one chunk.

    ``sep`` and ``notes`` are as in :func:`tabgan.io.read_table` (``None`` detects the
    delimiter; a note says which was used when it is not a comma).

    For a CSV whose column types change after the first 16 MB, reading restarts with the column
    widened and the rows already yielded are skipped, so later chunks may carry the wider dtype
    (float instead of int, text instead of numbers); Parquet has one schema and never does this.
    """
    import pyarrow as pa

    if rows <= 0:
        raise InvalidDataError(f"rows must be a positive integer, got {rows!r}")
    path = Path(path)
    pending: list = []
    held = 0
    emitted = 0
    seen = 0  # rows read in this pass (after a restart: skip up to `emitted`)
    for batch in _batches(path, rows, sep, notes):
        if batch is None:
            pending, held, seen = [], 0, 0
            continue
        if seen + batch.num_rows <= emitted:
            seen += batch.num_rows
            continue
        if seen < emitted:
            batch = batch.slice(emitted - seen)
        seen += batch.num_rows
        pending.append(batch)
        held += batch.num_rows
        while held >= rows:
            table = pa.Table.from_batches(pending).combine_chunks()
            yield table.slice(0, rows).to_pandas()
            emitted += rows
            rest = table.slice(rows)
            pending, held = ([rest] if rest.num_rows else []), rest.num_rows
            pending = [b for t in pending for b in t.to_batches()]
    if held:
        yield pa.Table.from_batches(pending).to_pandas()


def read_sample(
    path: str | os.PathLike,
    max_rows: int,
    seed: int | None = 0,
    batch_rows: int = 65_536,
    sep: str | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """A uniform random sample of at most ``max_rows`` rows of a CSV or Parquet file.

    Parameters
    ----------
    path
        A ``.csv``/``.tsv``/``.csv.gz`` or ``.parquet`` file, of any length.
    max_rows
        Rows to keep; a file with fewer rows comes back whole.
    seed
        Seed of the row keys: the same seed gives the same sample (every torchrun rank must
        use the same one).
    batch_rows
        Rows per Parquet record batch (CSV is read in 16 MB blocks).
    sep, notes
        As in :func:`tabgan.io.read_table`: the CSV delimiter (``None`` detects it) and a list
        that gets a line when the detected delimiter is not a comma.

    Returns
    -------
    pandas.DataFrame
        ``min(max_rows, rows in file)`` rows, in file order, index ``0..n-1``.

    Notes
    -----
    Peak memory is about twice the sample (kept rows plus buffered candidates) plus one batch;
    the file's length does not matter.
    """
    import pyarrow as pa

    if isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)) or max_rows < 1:
        raise InvalidDataError(f"max_rows must be a positive integer, got {max_rows!r}")
    path = Path(path)
    rng = np.random.default_rng(seed)
    tables: list = []  # kept rows and candidates, as pyarrow tables
    keys: list[np.ndarray] = []
    row_ids: list[np.ndarray] = []
    held = 0
    threshold = np.inf  # the max_rows-th smallest key kept so far (stale between compactions)
    start = 0
    for batch in _batches(path, batch_rows, sep, notes):
        if batch is None:  # a CSV column was widened: start over with a fresh, same-seed draw
            tables, keys, row_ids, held, threshold, start = [], [], [], 0, np.inf, 0
            rng = np.random.default_rng(seed)
            continue
        n = batch.num_rows
        k = rng.random(n)
        ids = np.arange(start, start + n, dtype=np.int64)
        start += n
        take = np.flatnonzero(k < threshold)
        if not take.size:
            continue
        tables.append(pa.Table.from_batches([batch]).take(take) if take.size < n else batch)
        keys.append(k[take])
        row_ids.append(ids[take])
        held += take.size
        if held >= 2 * max_rows:
            tables, keys, row_ids, threshold = _compact(tables, keys, row_ids, max_rows)
            held = max_rows
    if not tables:
        raise InvalidDataError(f"{path}: the table has a header but no rows")
    if held > max_rows:
        tables, keys, row_ids, _ = _compact(tables, keys, row_ids, max_rows)
    table = _concat(tables)
    order = np.argsort(np.concatenate(row_ids), kind="stable")  # back to file order
    return table.take(order).to_pandas().reset_index(drop=True)


def _concat(tables: list):
    import pyarrow as pa

    tables = [pa.Table.from_batches([t]) if isinstance(t, pa.RecordBatch) else t for t in tables]
    # promote_options: a restart never mixes schemas, but null-only batches infer "null" type
    return pa.concat_tables(tables, promote_options="permissive")


def _compact(tables, keys, row_ids, max_rows):
    """Keep the ``max_rows`` smallest keys; return the parts and the new threshold."""
    all_keys = np.concatenate(keys)
    keep = np.argpartition(all_keys, max_rows - 1)[:max_rows]
    table = _concat(tables).take(keep)
    kept = all_keys[keep]
    return [table], [kept], [np.concatenate(row_ids)[keep]], float(kept.max())


__all__ = ["iter_batches", "read_sample"]
