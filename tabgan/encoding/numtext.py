"""Numbers written as text: ``"$1,234.50"``, ``"12%"``, ``"3,400 kg"``.

Spreadsheet exports and scraped tables often store amounts, rates and measures as formatted
text, which pandas reads as strings. Modelled as text, such a column is a list of mostly
one-off labels (ID-like, drawn at random from the stored values) or hundreds of categories,
and its link to every other column is lost. :func:`detect` finds the one format a text column's
values share, so the encoder models the numbers (:func:`parse`) and writes new ones back in the
same format (:func:`write`); the evaluator reads such columns as numbers the same way.

A format is only taken when every present value fits it, the values share one prefix and one
suffix, and something marks them as formatted numbers (a prefix, a suffix or a thousands
separator), and the prefix reads as a currency (``"$"``, ``"US$"``, ``"USD "``) and the suffix
as a unit (``"%"``, ``" kg"``). Plain digit strings, codes with leading zeros such as
``"02134"`` and labels or codes such as ``"ID123"``, ``"customer 12"`` or ``"12B"`` stay text.
Negative numbers may carry the minus before or after the prefix (``"-$5"``, ``"$-5"``).

pandas and numpy only.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

# optional minus, prefix (no digits, dots, commas or signs; may end in one space), optional
# minus, the number (digits, or 1-3 digits then comma groups of three), decimals, suffix
_PATTERN = re.compile(
    r"^(?P<lead>-?)(?P<pre>[^\d\s.,+-][^\d.,+-]*?\s?)?(?P<sign>-?)"
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    r"(?P<suf>\s?[^\d\s.,+-][^\d]*)?$"
)
# a prefix is a currency: symbols, maybe after up to three letters ("$", "R$", "US$"), or a
# three-letter code and a space ("USD 1,200"); a suffix is symbols ("%") or follows a space
# ("12 kg", "3 months"). Other letters make a label or a code: "ID123", "customer 12", "12B"
_PREFIX = re.compile(r"|[A-Za-z]{0,3}[^\w\s]+\s?|[A-Z]{3} ")
_SUFFIX = re.compile(r"|[^\w\s]+| .+")
#: at most this many decimals are read as a number's (longer fractions are not a display format)
MAX_DECIMALS = 8


def detect(values: pd.Series) -> dict[str, Any] | None:
    """The number format every present value of a text column shares, or ``None``.

    Returns a JSON-able dict: ``prefix`` and ``suffix`` (strings, maybe empty), ``thousands``
    (whether values group digits with commas), ``decimals`` (the decimals every value is
    written with, or ``None`` when they differ), ``integral`` (no value has decimals) and
    ``sign`` (``"after"`` when negative values put the minus after the prefix, ``"$-5"``,
    else ``"before"``).
    """
    present = values.dropna()
    if present.empty or not all(isinstance(v, str) for v in present.iloc[:50]):
        return None
    text = present.astype(str).str.strip()
    parts = text.str.extract(_PATTERN)
    if parts["int"].isna().any():
        return None
    prefixes = parts["pre"].fillna("").unique()
    suffixes = parts["suf"].fillna("").unique()
    if len(prefixes) != 1 or len(suffixes) != 1:
        return None
    prefix, suffix = str(prefixes[0]), str(suffixes[0])
    if not (_PREFIX.fullmatch(prefix) and _SUFFIX.fullmatch(suffix)):
        return None  # a label or a code: "ID123", "customer 12", "12B"
    digits = parts["int"].astype(str)
    thousands = bool(digits.str.contains(",", regex=False).any())
    if not (prefix or suffix or thousands):
        return None  # plain digits stored as text: codes, not amounts
    if (digits.str.len().gt(1) & digits.str.startswith("0")).any():
        return None  # leading zeros: a code such as a postal code
    negative = parts["lead"].eq("-") | parts["sign"].eq("-")
    if (parts["lead"].eq("-") & parts["sign"].eq("-")).any() or negative.all():
        return None  # "ID-1001" in every row: a separator, not a minus
    frac_len = parts["frac"].fillna("").str.len()
    if frac_len.max() > MAX_DECIMALS:
        return None
    lengths = frac_len.unique()
    after = bool(prefix) and negative.any() and parts.loc[negative, "sign"].eq("-").all()
    return {
        "prefix": prefix,
        "suffix": suffix,
        "thousands": thousands,
        "decimals": int(lengths[0]) if len(lengths) == 1 else None,
        "integral": bool(frac_len.max() == 0),
        "sign": "after" if after else "before",
    }


def parse(values: pd.Series, fmt: dict[str, Any]) -> np.ndarray:
    """The numbers of text values in ``fmt`` (float64; missing or unreadable values are NaN)."""
    out = np.full(len(values), np.nan)
    present = values.notna().to_numpy()
    if not present.any():
        return out
    text = values[present].astype(str).str.strip()
    parts = text.str.extract(_PATTERN)
    pre = parts["pre"].fillna("")
    suf = parts["suf"].fillna("")
    ok = parts["int"].notna() & pre.eq(fmt["prefix"]) & suf.eq(fmt["suffix"])
    number = parts["int"].fillna("0").str.replace(",", "", regex=False)
    number = number + "." + parts["frac"].fillna("0")
    magnitude = pd.to_numeric(number, errors="coerce").to_numpy(dtype=np.float64)
    negative = (parts["lead"].eq("-") | parts["sign"].eq("-")).to_numpy()
    magnitude[negative] *= -1.0
    magnitude[~ok.to_numpy()] = np.nan
    out[present] = magnitude
    return out


def write(values: np.ndarray, fmt: dict[str, Any]) -> pd.Series:
    """Numbers as text in ``fmt`` (object dtype; non-finite values become ``None``)."""
    values = np.asarray(values, dtype=np.float64)
    decimals = fmt.get("decimals")
    group = "," if fmt.get("thousands") else ""
    prefix, suffix = fmt.get("prefix", ""), fmt.get("suffix", "")
    after = fmt.get("sign") == "after"

    def body(v: float) -> str:
        if decimals is not None:
            return f"{abs(v):{group}.{decimals}f}"
        whole, _, frac = np.format_float_positional(abs(v), trim="-").partition(".")
        head = f"{int(whole):{group}d}"
        return f"{head}.{frac}" if frac else head

    def one(v: float) -> str | None:
        if not np.isfinite(v):
            return None
        digits = body(v)
        minus = "-" if v < 0 and digits.strip("0.,") else ""  # no "-$0.00"
        return f"{prefix}{minus}{digits}{suffix}" if after else f"{minus}{prefix}{digits}{suffix}"

    # a formatted string per value: Python's format spec is the one that groups digits
    return pd.Series([one(v) for v in values], dtype=object)


def check(fmt: Any) -> dict[str, Any]:
    """``fmt`` if it is a format :func:`detect` could have returned; else ``ValueError`` (a
    model file's schema is untrusted input)."""
    keys = {"prefix", "suffix", "thousands", "decimals", "integral", "sign"}
    if not isinstance(fmt, dict) or set(fmt) != keys:
        raise ValueError(f"number format must have the keys {sorted(keys)}")
    for key in ("prefix", "suffix"):
        if (
            not isinstance(fmt[key], str)
            or len(fmt[key]) > 40
            or any(c.isdigit() for c in fmt[key])
        ):
            raise ValueError(f"number format: bad {key} {fmt[key]!r}")
    decimals = fmt["decimals"]
    if decimals is not None and (
        isinstance(decimals, bool)
        or not isinstance(decimals, int)
        or not 0 <= decimals <= MAX_DECIMALS
    ):
        raise ValueError(f"number format: decimals {decimals!r} not in [0, {MAX_DECIMALS}]")
    if not isinstance(fmt["thousands"], bool) or not isinstance(fmt["integral"], bool):
        raise ValueError("number format: thousands and integral must be true or false")
    if fmt["sign"] not in ("before", "after"):
        raise ValueError(f"number format: sign {fmt['sign']!r} is not 'before' or 'after'")
    return fmt


def example(fmt: dict[str, Any]) -> str:
    """How the format writes a number, for messages: ``"$1,234.50"``, ``"12%"``."""
    value = 1234.5 if fmt.get("thousands") else 12.5
    return str(write(np.array([np.floor(value) if fmt.get("integral") else value]), fmt)[0])


__all__ = ["MAX_DECIMALS", "check", "detect", "example", "parse", "write"]
