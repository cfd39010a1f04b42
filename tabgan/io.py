"""Reading and writing tables (CSV, Parquet) with clear errors and atomic writes.

Every problem a user can cause (missing or empty file, a folder, binary or non-UTF-8 bytes,
ragged rows, an unbalanced quote, duplicate column names, a Parquet file that is really CSV, an
output folder that does not exist or cannot be written) is one :class:`DataFileError` or
:class:`InvalidDataError` line naming the file, the place and, where possible, the fix.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import os
import re
import tempfile
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from tabgan.errors import DataFileError, InvalidDataError, TabGANError

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
_SUPPORTED = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES)
_HEAD_BYTES = 8192
_PARQUET_MAGIC = b"PAR1"
_UTF16_32_BOMS = (
    codecs.BOM_UTF32_LE,  # before UTF-16 LE: it starts with the same two bytes
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)
_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_QUOTE_RE = re.compile(r"EOF inside string starting at row (\d+)")


def table_format(path: str | os.PathLike) -> str:
    """Return ``"csv"`` or ``"parquet"`` for a path, judged by its extension."""
    name = str(path).lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES) or name == "-":
        return "csv"
    raise DataFileError(f"{path}: unknown table format; supported file names end in {_SUPPORTED}")


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
    df = _read_parquet(path) if fmt == "parquet" else _read_csv(path)
    _check_frame(df, str(path))
    return df


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _duplicates(names: list[str]) -> list[str]:
    return sorted({n for n in names if names.count(n) > 1})


def _raise_duplicates(where: str, dupes: list[str]) -> None:
    if dupes:
        raise InvalidDataError(
            f"{where}: duplicate column names {dupes}; give every column a unique name"
        )


# ---------------------------------------------------------------------------------- Parquet
def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if head[:4] != _PARQUET_MAGIC:
        if _looks_like_text(head):
            raise DataFileError(
                f"{path}: not a Parquet file (it looks like CSV or other text); "
                "give it a .csv name if it is CSV"
            )
        raise DataFileError(f"{path}: not a Parquet file (no Parquet signature)")
    try:
        names = [str(n) for n in pq.read_schema(path).names]
    except Exception as exc:  # pyarrow raises many types; all mean "not a readable parquet"
        raise DataFileError(f"{path}: not a readable Parquet file ({_first_line(exc)})") from exc
    _raise_duplicates(str(path), _duplicates(names))
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # as above: corrupt pages, unsupported types, ...
        raise DataFileError(f"{path}: not a readable Parquet file ({_first_line(exc)})") from exc


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 4  # only a character cut at the end of the sample
    return True


# ---------------------------------------------------------------------------------- CSV
def _open_bytes(path: Path):
    return gzip.open(path, "rb") if str(path).lower().endswith(".gz") else open(path, "rb")


def _read_head(path: Path) -> bytes:
    try:
        with _open_bytes(path) as fh:
            return fh.read(_HEAD_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataFileError(
            f"{path}: not a readable gzip file ({_first_line(exc)}); "
            "compress it with gzip or save it as a plain .csv"
        ) from exc


def _not_utf8(path: Path) -> DataFileError:
    """Name the first byte that is not UTF-8 and its line (the error path only)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    try:
        with _open_bytes(path) as fh:
            while chunk := fh.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line += chunk.count(b"\n", 0, exc.start)
                    where = f"byte 0x{chunk[exc.start]:02x} on line {line}"
                    break
                line += chunk.count(b"\n")
            else:
                where = "it ends inside a character"
    except (OSError, EOFError, zlib.error):
        where = "unreadable bytes"
    return DataFileError(
        f"{path}: not UTF-8 text ({where}); re-save the file as UTF-8 "
        "(e.g. 'CSV UTF-8' in Excel, or iconv -f latin1 -t utf-8)"
    )


def _malformed(path: Path, exc: Exception) -> DataFileError:
    text = str(exc)
    fields = _FIELDS_RE.search(text)
    if fields:
        expected, line, saw = fields.groups()
        return DataFileError(
            f"{path}: malformed CSV: line {line} has {saw} fields, expected {expected} like the "
            "header; quote values that contain the delimiter"
        )
    quote = _QUOTE_RE.search(text)
    if quote:
        # pandas counts rows from 0 at the header line; report 1-based file lines
        line = int(quote.group(1)) + 1
        return DataFileError(
            f"{path}: malformed CSV: a quoted value starting on line {line} is never closed "
            "(unbalanced quote)"
        )
    return DataFileError(f"{path}: malformed CSV ({_first_line(exc)})")


def _read_csv(path: Path) -> pd.DataFrame:
    head = _read_head(path)
    for bom in _UTF16_32_BOMS:
        if head.startswith(bom):
            raise DataFileError(f"{path}: the file is UTF-16 or UTF-32 text; re-save it as UTF-8")
    if b"\x00" in head:
        raise DataFileError(f"{path}: looks like a binary file, not CSV text")
    sep = "\t" if str(path).lower().endswith((".tsv", ".tsv.gz")) else ","
    try:
        header = pd.read_csv(path, sep=sep, nrows=0, encoding="utf-8")
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except pd.errors.EmptyDataError as exc:
        raise DataFileError(f"{path}: the file has no header row") from exc
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise _malformed(path, exc) from exc
    # pandas renames duplicates to "a.1"; detect them from the raw header line too
    first_line = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
    raw_header = next(csv.reader([first_line], delimiter=sep), [])
    _raise_duplicates(
        str(path), _duplicates([str(c) for c in header.columns]) or _duplicates(raw_header)
    )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # index_col=False: rows longer than the header must not turn into a silent index
            # round_trip: every number is read exactly as written (pandas' default parser can
            # be one unit in the last place off, so values at the training range's edge, written
            # back out, would no longer read back inside it)
            df = pd.read_csv(
                path,
                sep=sep,
                encoding="utf-8",
                low_memory=False,
                index_col=False,
                float_precision="round_trip",
            )
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise _malformed(path, exc) from exc
    for warning in caught:
        if "does not match length of data" in str(warning.message):
            raise DataFileError(
                f"{path}: malformed CSV: the rows have more fields than the {df.shape[1]} names "
                "in the header; add the missing header names or check the delimiter"
            )
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return df


def _check_frame(df: pd.DataFrame, where: str) -> None:
    if df.shape[1] == 0:
        raise InvalidDataError(f"{where}: the table has no columns")
    if len(df) == 0:
        raise InvalidDataError(f"{where}: the table has a header but no rows")
    _raise_duplicates(where, _duplicates([str(c) for c in df.columns]))


# ---------------------------------------------------------------------------------- writing
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
    # os.access says yes to root even on read-only mounts and /proc: try for real
    try:
        with tempfile.TemporaryFile(prefix=f".{path.name}.", suffix=".probe", dir=folder):
            pass
    except OSError as exc:
        raise DataFileError(
            f"{path}: cannot write in folder {folder} ({exc.strerror or _first_line(exc)})"
        ) from exc
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` only on success.

    Readers never see a half-written file, and an interrupted write (error, Ctrl-C) leaves the
    previous file, if any, untouched and no temporary file behind. A plain ``OSError`` raised
    while writing (disk full, read-only file system) becomes a :class:`DataFileError`.
    """
    path = check_writable(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot write ({exc.strerror or _first_line(exc)})") from exc
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600; give the file the mode a plain open() would (0666 minus umask)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, TabGANError):
            raise DataFileError(
                f"{path}: cannot write ({exc.strerror or _first_line(exc)})"
            ) from exc
        raise


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``df`` to CSV or Parquet (by extension), atomically."""
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False)
