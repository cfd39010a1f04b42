"""Reading and writing tables (CSV, Parquet) with clear errors and atomic writes."""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from tabgan.errors import DataFileError, InvalidDataError

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")


def table_format(path: str | os.PathLike) -> str:
    """Return ``"csv"`` or ``"parquet"`` for a path, judged by its extension."""
    name = str(path).lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES) or name == "-":
        return "csv"
    raise DataFileError(f"{path}: unknown table format; use a .csv or .parquet file name")


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    if path.is_dir():
        raise DataFileError(f"{path}: is a directory, not a data file")
    if not os.access(path, os.R_OK):
        raise DataFileError(f"{path}: permission denied")
    if path.stat().st_size == 0:
        raise DataFileError(f"{path}: the file is empty")


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a CSV or Parquet file into a DataFrame.

    Raises
    ------
    DataFileError
        The file is missing, a folder, empty, binary, not UTF-8 or malformed.
    InvalidDataError
        The table has no rows or duplicate column names.
    """
    path = Path(path)
    _check_readable(path)
    fmt = table_format(path)
    if fmt == "parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types; all mean "not a readable parquet"
            raise DataFileError(
                f"{path}: not a readable Parquet file ({_first_line(exc)})"
            ) from exc
    else:
        df = _read_csv(path)
    _check_frame(df, str(path))
    return df


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _read_csv(path: Path) -> pd.DataFrame:
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if b"\x00" in head:
        raise DataFileError(f"{path}: looks like a binary file, not CSV text")
    sep = "\t" if str(path).lower().endswith(".tsv") else ","
    try:
        header = pd.read_csv(path, sep=sep, nrows=0, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text; re-save the file as UTF-8") from exc
    except pd.errors.EmptyDataError as exc:
        raise DataFileError(f"{path}: the file has no header row") from exc
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise DataFileError(f"{path}: malformed CSV ({_first_line(exc)})") from exc
    names = [str(c) for c in header.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    # pandas renames duplicates to "a.1"; detect them from the raw header instead
    raw_header = next(
        csv.reader([head.decode("utf-8", errors="replace").splitlines()[0]], delimiter=sep)
    )
    raw_dupes = sorted({n for n in raw_header if raw_header.count(n) > 1})
    dupes = dupes or raw_dupes
    if dupes:
        raise InvalidDataError(
            f"{path}: duplicate column names {dupes}; give every column a unique name"
        )
    try:
        return pd.read_csv(path, sep=sep, encoding="utf-8", low_memory=False)
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text; re-save the file as UTF-8") from exc
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise DataFileError(f"{path}: malformed CSV ({_first_line(exc)})") from exc


def _check_frame(df: pd.DataFrame, where: str) -> None:
    if df.shape[1] == 0:
        raise InvalidDataError(f"{where}: the table has no columns")
    if len(df) == 0:
        raise InvalidDataError(f"{where}: the table has a header but no rows")
    names = [str(c) for c in df.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InvalidDataError(
            f"{where}: duplicate column names {dupes}; give every column a unique name"
        )


def check_writable(path: str | os.PathLike) -> Path:
    """Fail early, before any long work, if ``path`` cannot be written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise DataFileError(f"{path}: is a directory; give a file name")
    if not folder.exists():
        raise DataFileError(f"{path}: folder {folder} does not exist")
    if not folder.is_dir():
        raise DataFileError(f"{path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK):
        raise DataFileError(f"{path}: folder {folder} is not writable")
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` only on success.

    Readers never see a half-written file, and an interrupted write (error, Ctrl-C) leaves the
    previous file, if any, untouched and no temporary file behind.
    """
    path = check_writable(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600; give the file the mode a plain open() would (0666 minus umask)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``df`` to CSV or Parquet (by extension), atomically."""
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        try:
            if fmt == "parquet":
                df.to_parquet(tmp, index=False)
            else:
                df.to_csv(tmp, index=False)
        except OSError as exc:
            raise DataFileError(f"{path}: cannot write ({_first_line(exc)})") from exc
