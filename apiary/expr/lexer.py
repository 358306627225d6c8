"""Turns expression text into tokens, each with its place in the text.

The parser is the only caller. Lexical mistakes (an unclosed string, a stray ``=``, a character
the language does not use) are reported here with a hint, because this is where the offending
characters are known exactly.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import Enum
from typing import NamedTuple

from apiary.expr.errors import ExprSyntaxError


class Tok(Enum):
    INT = "number"
    DECIMAL = "decimal number"
    STRING = "string"
    NAME = "name"
    OP = "operator"
    END = "end of expression"


class Token(NamedTuple):
    """One token; a tuple because a long expression has many and tuples are cheap to build."""

    kind: Tok
    text: str
    offset: int
    value: int | Decimal | str | None = None

    @property
    def end(self) -> int:
        return self.offset + len(self.text)


_TOKEN = re.compile(r"""
    (?:[ \t\r\n\f]+|//[^\n]*)*                          # spaces and comments, skipped
    (?:(?P<number>[0-9]+(?:\.[0-9]*)?)
      |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<op>==|!=|<=|>=|&&|\|\||[<>!+\-*/%?:()\[\],.])
      |(?P<quote>['"])
      |(?P<other>.)
    )?""", re.VERBOSE | re.DOTALL)
_STRING_BODY = {"'": re.compile(r"(?:[^'\\\n]|\\.)*"), '"': re.compile(r'(?:[^"\\\n]|\\.)*')}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "`": "`", "n": "\n", "r": "\r", "t": "\t",
                   "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_MISTAKES = {
    "=": ("'=' is not an operator", "use == to compare two values"),
    "&": ("'&' is not an operator", "use && for 'and'"),
    "|": ("'|' is not an operator", "use || for 'or'"),
}


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` followed by an END token; raises ExprSyntaxError."""
    tokens: list[Token] = []
    append, match, pos, size = tokens.append, _TOKEN.match, 0, len(text)
    while True:
        found = match(text, pos)
        assert found is not None
        kind = found.lastgroup
        if kind is None:
            append(Token(Tok.END, "", size))
            return tokens
        start = found.start(kind)
        if kind == "name":
            token = Token(Tok.NAME, found.group(kind), start)
        elif kind == "op":
            token = Token(Tok.OP, found.group(kind), start)
        elif kind == "number":
            token = _number(text, start, found.group(kind))
        elif kind == "quote":
            token = _string(text, start)
        else:
            token = _mistake(text, start)
        append(token)
        pos = token.end


def _mistake(text: str, pos: int) -> Token:
    char = text[pos]
    if char in _MISTAKES:
        message, hint = _MISTAKES[char]
        raise ExprSyntaxError(message, pos, 1, hint)
    raise ExprSyntaxError(f"unexpected character {char!r}", pos, 1,
                          "names use only the letters A-Z, digits and _")


def _number(text: str, pos: int, literal: str) -> Token:
    end = pos + len(literal)
    if end < len(text) and (text[end].isalnum() or text[end] == "_"):
        raise ExprSyntaxError(f"unexpected {text[end]!r} after the number {literal}", end, 1,
                              "write numbers as plain digits like 42 or 12.50")
    if "." not in literal:
        return Token(Tok.INT, literal, pos, int(literal))
    if literal.endswith("."):
        raise ExprSyntaxError(f"the number {literal} needs digits after the point", pos,
                              len(literal), f"write {literal}0")
    return Token(Tok.DECIMAL, literal, pos, Decimal(literal))


def _string(text: str, pos: int) -> Token:
    quote = text[pos]
    body = _STRING_BODY[quote].match(text, pos + 1)
    assert body is not None
    end = body.end()
    if end >= len(text) or text[end] != quote:
        raise ExprSyntaxError("this string is never closed", pos, end - pos,
                              f"end it with a matching {quote} on the same line")
    raw = body.group()
    return Token(Tok.STRING, text[pos:end + 1], pos, _unescape(raw, pos + 1))


def _unescape(raw: str, start: int) -> str:
    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape]
        if escape[0] in "uUx" and len(escape) > 1:
            code = int(escape[1:], 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise ExprSyntaxError(f"\\{escape} is not a valid character",
                                      start + match.start(), len(escape) + 1)
            return chr(code)
        raise ExprSyntaxError(f"unknown escape \\{escape}", start + match.start(), 2,
                              "use \\\\ for a backslash, \\n for a new line, \\' or \\\" "
                              "for a quote, \\uXXXX for any character")

    return _ESCAPE.sub(replace, raw) if "\\" in raw else raw
