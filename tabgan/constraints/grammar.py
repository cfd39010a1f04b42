"""The constraint grammar: a tokeniser and a small recursive-descent parser (never ``eval``).

::

    constraint  := fixed | comparison
    fixed       := "fixed" "(" name ("," name)+ ")"
    comparison  := sum op sum [op sum]        (two operators: a range, "0 <= discount <= 1")
    sum         := ["+" | "-"] term (("+" | "-") term)*
    term        := name | number | duration | string
    op          := "<=" | "<" | ">=" | ">" | "=" | "=="
    name        := identifier | `any text in backticks`
    duration    := number ("d" | "h" | "min" | "s")      (offsets between datetime columns)
    string      := 'text' | "text"                       (datetime bounds: '2020-01-01')

A name with characters other than letters, digits and ``_`` (``capital-gain``) goes in
backticks, or the ``-`` would read as a minus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tabgan.errors import InvalidParameterError


class ConstraintError(InvalidParameterError):
    """A constraint cannot be parsed or does not fit the table's columns."""


UNITS = {"d": 86_400.0, "h": 3_600.0, "min": 60.0, "s": 1.0}
COMPARISONS = ("<=", "<", ">=", ">", "=", "==")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?P<unit>min|d|h|s)?(?![A-Za-z0-9_])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | `(?P<quoted>[^`]*)`
  | '(?P<single>[^']*)'
  | "(?P<double>[^"]*)"
  | (?P<op><=|>=|==|=|<|>)
  | (?P<punct>[-+(),])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # name, number, duration, string, op, punct, end
    value: Any
    pos: int  # 1-based character position in the text

    def shown(self) -> str:
        if self.kind == "end":
            return "the end of the text"
        if self.kind == "name":
            return f"column {self.value!r}"
        return repr(self.value) if self.kind != "punct" else f"'{self.value}'"


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token.

    Raises
    ------
    ConstraintError
        A character that starts no token, an unclosed quote or backtick.
    """
    tokens = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            char = text[pos]
            hint = (
                "an unclosed quote or backtick"
                if char in "`'\""
                else f"unexpected character {char!r}"
            )
            raise ConstraintError(f"constraint {text!r}: {hint} at position {pos + 1}")
        kind = m.lastgroup
        if kind == "unit":
            kind = "number"
        start = pos + 1
        if m.group("number") is not None:
            number = float(m.group("number"))
            unit = m.group("unit")
            if unit:
                tokens.append(Token("duration", number * UNITS[unit], start))
            else:
                tokens.append(Token("number", number, start))
        elif m.group("name") is not None:
            tokens.append(Token("name", m.group("name"), start))
        elif m.group("quoted") is not None:
            if not m.group("quoted"):
                raise ConstraintError(f"constraint {text!r}: empty `` at position {start}")
            tokens.append(Token("name", m.group("quoted"), start))
        elif m.group("single") is not None or m.group("double") is not None:
            value = m.group("single") if m.group("single") is not None else m.group("double")
            tokens.append(Token("string", value, start))
        elif m.group("op") is not None:
            tokens.append(Token("op", m.group("op"), start))
        elif m.group("punct") is not None:
            tokens.append(Token("punct", m.group("punct"), start))
        pos = m.end()
    tokens.append(Token("end", None, len(text) + 1))
    return tokens


@dataclass(frozen=True)
class Term:
    sign: int  # +1 or -1
    kind: str  # name, number, duration, string
    value: Any


@dataclass(frozen=True)
class Parsed:
    """A parsed constraint before it is given meaning: ``fixed`` names, or sums and
    operators (``sums[0] ops[0] sums[1] [ops[1] sums[2]]``)."""

    fixed: tuple[str, ...] | None
    sums: tuple[tuple[Term, ...], ...] = ()
    ops: tuple[str, ...] = ()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.i]

    def fail(self, expected: str) -> ConstraintError:
        tok = self.peek
        return ConstraintError(
            f"constraint {self.text!r}: expected {expected} at position {tok.pos}, "
            f"found {tok.shown()}"
        )

    def take(self, kind: str, value: Any = None) -> Token | None:
        tok = self.peek
        if tok.kind == kind and (value is None or tok.value == value):
            self.i += 1
            return tok
        return None

    def parse(self) -> Parsed:
        if not self.text.strip():
            raise ConstraintError("empty constraint; write e.g. 'low <= high' or 'fixed(a, b)'")
        tok = self.peek
        nxt = self.tokens[self.i + 1]
        if (
            tok.kind == "name"
            and tok.value.lower() == "fixed"
            and nxt == Token("punct", "(", nxt.pos)
        ):
            return self.fixed()
        sums = [self.sum()]
        ops = []
        while self.peek.kind == "op":
            ops.append(self.take("op").value)
            sums.append(self.sum())
        if not ops:
            raise self.fail("a comparison (<=, <, >=, >, =)")
        if len(ops) > 2:
            raise ConstraintError(
                f"constraint {self.text!r}: at most two comparisons (a range: 'a <= x <= b'), "
                f"found {len(ops)}"
            )
        if self.peek.kind != "end":
            raise self.fail("a comparison, '+', '-' or the end")
        return Parsed(None, tuple(sums), tuple(ops))

    def fixed(self) -> Parsed:
        self.i += 2  # fixed (
        names = []
        while True:
            tok = self.take("name")
            if tok is None:
                raise self.fail("a column name")
            names.append(tok.value)
            if self.take("punct", ","):
                continue
            if self.take("punct", ")"):
                break
            raise self.fail("',' or ')'")
        if self.peek.kind != "end":
            raise self.fail("the end after fixed(...)")
        if len(names) < 2:
            raise ConstraintError(f"constraint {self.text!r}: fixed(...) needs two or more columns")
        if len(set(names)) != len(names):
            raise ConstraintError(f"constraint {self.text!r}: a column is named twice")
        return Parsed(tuple(names))

    def sum(self) -> tuple[Term, ...]:
        terms = []
        sign = 1
        if self.take("punct", "-"):
            sign = -1
        elif self.take("punct", "+"):
            sign = 1
        while True:
            tok = self.peek
            nxt = self.tokens[min(self.i + 1, len(self.tokens) - 1)]
            if tok.kind == "punct" and tok.value in "+-" and nxt.kind in ("number", "duration"):
                # a signed number after an operator: "a + -3"
                sign = sign if tok.value == "+" else -sign
                self.i += 1
                tok = nxt
            if tok.kind not in ("name", "number", "duration", "string"):
                raise self.fail("a column name or a value")
            self.i += 1
            terms.append(Term(sign, tok.kind, tok.value))
            if self.take("punct", "+"):
                sign = 1
            elif self.take("punct", "-"):
                sign = -1
            else:
                return tuple(terms)


def parse(text: str) -> Parsed:
    """Parse ``text`` by the grammar above.

    Raises
    ------
    ConstraintError
        With the position and what was expected there.
    """
    if not isinstance(text, str):
        raise ConstraintError(f"a constraint must be a string, got {type(text).__name__}")
    return _Parser(text).parse()


def format_name(name: str) -> str:
    """A column name as the grammar reads it back (backticks unless an identifier)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name.lower() != "fixed":
        return name
    return f"`{name}`"
