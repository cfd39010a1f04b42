"""The constraint grammar: every kind parses, reads back from its string form, and bad text
fails with the position and what was expected."""

from __future__ import annotations

import pytest

from tabgan.constraints import (
    Arithmetic,
    ConstraintError,
    FixedCombinations,
    Inequality,
    Range,
    parse_constraint,
)
from tabgan.errors import TabGANError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("checkin <= checkout", Inequality("checkin", "checkout")),
        ("checkout >= checkin", Inequality("checkin", "checkout")),
        ("checkin < checkout", Inequality("checkin", "checkout", strict=True)),
        ("checkout >= checkin + 1", Inequality("checkin", "checkout", 1)),
        ("checkin + 1 <= checkout", Inequality("checkin", "checkout", 1)),
        ("checkin <= checkout - 2.5", Inequality("checkin", "checkout", 2.5)),
        ("checkout >= checkin + -3", Inequality("checkin", "checkout", -3)),
        ("checkout >= checkin - -3", Inequality("checkin", "checkout", 3)),
        ("checkout >= checkin + 12h", Inequality("checkin", "checkout", "43200s")),
        ("0 <= discount <= 1", Range("discount", 0, 1)),
        ("1 >= discount > 0", Range("discount", 0, 1, strict_low=True)),
        ("discount <= 1", Range("discount", None, 1)),
        ("discount > -1", Range("discount", -1, None, strict_low=True)),
        ("`capital-gain` >= 0", Range("capital-gain", 0, None)),
        ("when >= '2020-01-01'", Range("when", "2020-01-01", None)),
        ("fixed(city, country)", FixedCombinations(["city", "country"])),
        ("FIXED(`a b`, c, d)", FixedCombinations(["a b", "c", "d"])),
        ("total = price + tax", Arithmetic("total", ["price", "tax"])),
        ("price + tax == total", Arithmetic("total", ["price", "tax"])),
        ("net = gross - tax - fee", Arithmetic("net", ["gross"], ["tax", "fee"])),
    ],
)
def test_every_kind_parses_and_reads_back(text, expected):
    parsed = parse_constraint(text)
    assert parsed == expected
    assert parse_constraint(str(parsed)) == parsed


@pytest.mark.parametrize(
    "text, message",
    [
        ("x <= ", "expected a column name or a value at position 6, found the end"),
        ("x ! 3", "unexpected character '!' at position 3"),
        ("`x <= 1", "unclosed quote or backtick at position 1"),
        ("", "empty constraint"),
        ("x", "expected a comparison"),
        ("x <= 1 2", "expected a comparison, '+', '-' or the end at position 8"),
        ("a < b < c < d", "at most two comparisons"),
        ("a <= b <= c", "a range puts one column between two values"),
        ("0 <= x >= 1", "a range needs two '<'/'<='"),
        ("fixed(a)", "two or more columns"),
        ("fixed(a, a)", "named twice"),
        ("fixed(a, 3)", "expected a column name at position 10"),
        ("fixed(a, b", "expected ',' or ')'"),
        ("a = 3", "'=' sets one column to a sum or difference"),
        ("a + b <= c", "an inequality compares a column with a value, or two columns"),
        ("capital-gain >= 0", "goes in backticks"),
        ("a <= b + 1 + 2h", "every offset with a unit, or none"),
        ("a <= 'x' + 1", "a date bound stands alone"),
        ("a <= b + 'x'", "an offset is a number or a duration"),
        ("a <= a + 1", "with itself"),
        ("5 <= x <= 1", "allows no value"),
        ("a = a + b", "names a column twice"),
    ],
)
def test_bad_text_fails_clearly(text, message):
    with pytest.raises(ConstraintError, match=None) as info:
        parse_constraint(text)
    assert message in str(info.value)
    assert isinstance(info.value, TabGANError) and "\n" not in str(info.value)


def test_not_a_string():
    with pytest.raises(ConstraintError, match="must be a string"):
        parse_constraint(3)


def test_nothing_is_evaluated():
    for text in ("__import__('os').system('x') <= 1", "x <= (1)", "x <= 1; y"):
        with pytest.raises(ConstraintError):
            parse_constraint(text)
