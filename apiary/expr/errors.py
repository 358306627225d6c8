"""Errors raised or reported for expressions.

Every problem with an expression is an :class:`ExprError`: a plain-English message, the place in
the expression text it refers to (``offset``/``length``) so that editors and the definition
validator can underline it, an optional ``hint`` that says what to write instead, and a stable
``code`` that ``docs/expressions.md`` explains.

Exception tree::

    ApiaryError
     └── ExprError                 any problem with an expression (APY-E3xx)
          └── ExprSyntaxError      the text is not a valid expression (APY-E301, APY-E310)

``parse`` raises :class:`ExprSyntaxError`. ``check`` and ``sql_support`` never raise for a user's
mistake: they return every problem found as a list of :class:`ExprError` values.
``compile_python`` and ``compile_sql`` raise the first problem if asked to compile an expression
that does not check.
"""

from __future__ import annotations

from dataclasses import dataclass

from apiary.errors import ApiaryError

SYNTAX = "APY-E301"
UNKNOWN_NAME = "APY-E302"
UNKNOWN_FUNCTION = "APY-E303"
TYPE_MISMATCH = "APY-E304"
UNKNOWN_ENUM_VALUE = "APY-E305"
NOT_SQL = "APY-E306"
NO_MEMBER = "APY-E307"
NOT_ALLOWED = "APY-E308"
BAD_CONSTANT = "APY-E309"
TOO_COMPLEX = "APY-E310"

CODES: dict[str, str] = {
    SYNTAX: "syntax error",
    UNKNOWN_NAME: "unknown name",
    UNKNOWN_FUNCTION: "unknown function or wrong number of arguments",
    TYPE_MISMATCH: "type mismatch",
    UNKNOWN_ENUM_VALUE: "not one of the field's allowed values",
    NOT_SQL: "cannot be turned into a database query",
    NO_MEMBER: "unsupported member access",
    NOT_ALLOWED: "name not available here",
    BAD_CONSTANT: "invalid constant",
    TOO_COMPLEX: "expression too deeply nested",
}
"""Every code this package produces, with a short title; ``docs/expressions.md`` explains each."""


@dataclass(eq=False)
class ExprError(ApiaryError):
    """A problem with an expression, located in its text.

    ``offset`` is the 0-based character offset where the problem starts and ``length`` how many
    characters it covers (0 at the end of the text).
    """

    message: str
    offset: int = 0
    length: int = 0
    hint: str | None = None
    code: str = TYPE_MISMATCH

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        text = f"{self.code}: {self.message} (at character {self.offset + 1})"
        if self.hint:
            text += f"; {self.hint}"
        return text


@dataclass(eq=False)
class ExprSyntaxError(ExprError):
    """The text is not a valid expression; raised by ``parse``."""

    code: str = SYNTAX
