"""Reading and writing tables (CSV, Parquet, Excel to read) with clear errors and atomic writes.

The CSV delimiter is detected (comma, semicolon, tab or pipe: the one that splits the first
lines, parsed with quotes, into the same number of fields, more than one) unless ``sep`` is
given; a table read as one column whose header or values hold a likely delimiter is refused,
since it is almost surely a delimiter mistake (and learning it would copy whole rows).

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
import importlib.util
import io
import os
import re
import tempfile
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from tabgan.errors import DataFileError, InvalidDataError, InvalidParameterError, TabGANError

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_SUPPORTED = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES)
#: delimiters tried when none is given, in order of preference on a tie
DELIMITERS = (",", ";", "\t", "|")
_SEP_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
#: lines of the file's head the delimiter is judged on
_SNIFF_LINES = 50
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
    """Return ``"csv"`` or ``"parquet"`` for a path, judged by its extension (write formats)."""
    name = str(path).lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES) or name == "-":
        return "csv"
    if name.endswith(EXCEL_SUFFIXES):
        raise DataFileError(
            f"{path}: unknown table format for writing; Excel is read, not written: "
            f"give a name ending in {_SUPPORTED}"
        )
    raise DataFileError(f"{path}: unknown table format; supported file names end in {_SUPPORTED}")


def read_format(path: str | os.PathLike) -> str:
    """Return ``"csv"``, ``"parquet"`` or ``"excel"`` for a path to read, by its extension."""
    if str(path).lower().endswith(EXCEL_SUFFIXES):
        return "excel"
    name = str(path).lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES) or name == "-":
        return "csv"
    raise DataFileError(
        f"{path}: unknown table format; supported file names end in {_SUPPORTED} "
        f"or {', '.join(EXCEL_SUFFIXES)}"
    )


def check_sep(sep: str | None) -> str | None:
    """Validate a delimiter given by the user; ``None`` means "detect it".

    Accepts one character or a name: ``comma``, ``semicolon``, ``tab`` (or ``\\t``), ``pipe``.

    Raises
    ------
    InvalidParameterError
        ``sep`` is empty, longer than one character (and not a name), a quote or a newline.
    """
    if sep is None:
        return None
    value = _SEP_NAMES.get(str(sep).lower(), str(sep))
    if len(value) != 1 or value in '"\r\n':
        raise InvalidParameterError(
            f"sep={sep!r} is not a delimiter; give one character such as ',' ';' '|' or a name: "
            "comma, semicolon, tab, pipe"
        )
    return value


def sep_name(sep: str) -> str:
    """A printable name of a delimiter (``'tab'`` for the tab character)."""
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(sep, repr(sep))


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    if path.is_dir():
        raise DataFileError(f"{path}: is a directory, not a data file")
    if not os.access(path, os.R_OK):
        raise DataFileError(f"{path}: permission denied")
    if path.stat().st_size == 0:
        raise DataFileError(f"{path}: the file is empty")


def read_table(
    path: str | os.PathLike, sep: str | None = None, notes: list[str] | None = None
) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel file into a DataFrame.

    Parameters
    ----------
    path
        A ``.csv``/``.tsv``/``.txt``/``.csv.gz``, ``.parquet`` or ``.xlsx`` file (Excel needs
        the optional ``openpyxl``: ``pip install 'tabgan[excel]'``; the first sheet is read).
    sep
        The CSV delimiter (one character, or ``comma``/``semicolon``/``tab``/``pipe``).
        ``None`` detects it among comma, semicolon, tab and pipe.
    notes
        If given, a line is appended for what a user should be told, e.g. that the delimiter
        detected was a semicolon (nothing is printed; the CLI prints these).

    Raises
    ------
    DataFileError
        The file is missing, a folder, empty, binary, not UTF-8 or malformed; it reads as one
        column whose header or values hold a likely delimiter; Excel without openpyxl.
    InvalidDataError
        The table has no rows or duplicate column names.
    InvalidParameterError
        ``sep`` is not a single character or known name.
    """
    path = Path(path)
    sep = check_sep(sep)
    _check_readable(path)
    fmt = read_format(path)
    if fmt == "parquet":
        df = _read_parquet(path)
    elif fmt == "excel":
        df = _read_excel(path)
    else:
        df = _read_csv(path, sep, notes)
    _check_frame(df, str(path))
    return df


def detect_delimiter(path: str | os.PathLike, notes: list[str] | None = None) -> str:
    """The delimiter of a CSV file, judged on its first lines (see :func:`sniff_delimiter`).

    ``notes`` (if given) gets a line naming the delimiter when it is not a comma.
    """
    path = Path(path)
    head = _read_head(path)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if len(head) == _HEAD_BYTES:  # the last line may be cut: leave it out
        text = text[: text.rfind("\n") + 1] or text
    sep = sniff_delimiter(text, default=_default_sep(path))
    if notes is not None and sep != ",":
        notes.append(f"{path}: read with {sep_name(sep)} ({sep!r}) as the delimiter (detected)")
    return sep


def sniff_delimiter(text: str, default: str = ",") -> str:
    """The delimiter that splits ``text`` (the first lines of a CSV) most consistently.

    Each of :data:`DELIMITERS` parses the text with CSV quoting rules (so delimiters inside
    quoted values do not count); a candidate qualifies when the header has more than one field
    and at least 90% of the following records have as many. The qualifying candidate with the
    most fields wins (ties go to the earlier one in :data:`DELIMITERS`); with none,
    ``default``. Unlike ``csv.Sniffer`` this cannot be fooled by a delimiter that is frequent
    inside values but not in the header.
    """
    best, best_width = default, 1
    for cand in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=cand))[: _SNIFF_LINES + 1]
        except csv.Error:
            continue
        widths = [len(r) for r in rows if r]
        if not widths or widths[0] < 2:
            continue
        body = widths[1:]
        same = sum(w == widths[0] for w in body)
        if body and same < 0.9 * len(body):
            continue
        if widths[0] > best_width:
            best, best_width = cand, widths[0]
    return best


def _default_sep(path: Path) -> str:
    return "\t" if str(path).lower().endswith((".tsv", ".tsv.gz")) else ","


def check_single_column(df: pd.DataFrame, path: str | os.PathLike) -> None:
    """Refuse a one-column read whose header or values hold a likely delimiter.

    Raises
    ------
    DataFileError
        ``df`` has one column and its name, or half its text values, contain a delimiter.
    """
    if df.shape[1] != 1:
        return
    name = str(df.columns[0])
    values = df.iloc[:1000, 0].dropna()
    values = values[values.map(lambda v: isinstance(v, str))]
    for cand in DELIMITERS:
        in_header = cand in name
        share = float(values.str.contains(cand, regex=False).mean()) if len(values) else 0.0
        if in_header or share >= 0.5:
            where = (
                f"its header {_clip(name)!r} holds"
                if in_header
                else f"{share:.0%} of its values hold"
            )
            raise DataFileError(
                f"{path}: read as a single column, but {where} {sep_name(cand)} "
                f"({cand!r}), a likely delimiter; give the delimiter (sep={cand!r}, or "
                f"--sep '{cand if cand != chr(9) else 'tab'}' on the command line)"
            )


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


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
            "header; quote values that contain the delimiter, or give the right delimiter (--sep)"
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


def _read_excel(path: Path) -> pd.DataFrame:
    if importlib.util.find_spec("openpyxl") is None:
        raise DataFileError(
            f"{path}: reading Excel files needs openpyxl: pip install 'tabgan[excel]' "
            "(or pip install openpyxl), or save the sheet as CSV"
        )
    try:
        return pd.read_excel(path, sheet_name=0, engine="openpyxl")
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError... for bad files
        raise DataFileError(f"{path}: not a readable Excel file ({_first_line(exc)})") from exc


def check_text_head(path: Path) -> bytes:
    """The first bytes of a CSV file, refusing UTF-16/32 and binary files."""
    head = _read_head(path)
    for bom in _UTF16_32_BOMS:
        if head.startswith(bom):
            raise DataFileError(f"{path}: the file is UTF-16 or UTF-32 text; re-save it as UTF-8")
    if b"\x00" in head:
        raise DataFileError(f"{path}: looks like a binary file, not CSV text")
    return head


def _read_csv(path: Path, sep: str | None = None, notes: list[str] | None = None) -> pd.DataFrame:
    head = check_text_head(path)
    detected = sep is None
    if detected:
        sep = detect_delimiter(path, notes)
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
    if detected:
        check_single_column(df, path)
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
