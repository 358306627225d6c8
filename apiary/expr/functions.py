"""The function library: one table entry per function, with its signature, Python and SQL forms.

The checker reads ``arity``/``typer``/``literals`` to type a call, the evaluator calls
``python`` and the SQL compiler calls ``sql``. A function whose ``sql`` is None can only run in
Python and ``sql_support`` reports it (APY-E306). Null handling is declared, not coded per
function: with ``on_null="null"`` a null argument gives null, with ``"false"`` (the predicates) it
gives false, and only ``coalesce`` sees nulls itself. ``docs/expressions.md`` documents every
entry; a test checks that the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from apiary.expr import arith
from apiary.expr import ast as nodes
from apiary.expr.types import Kind, Type, unify

Sql = ColumnElement[Any]
LiteralCheck = Callable[[Sequence[nodes.Expr], Sequence[Type]], tuple[int, str] | None]
TRIM_CHARACTERS = " \t\n\r\f\v"


@dataclass(frozen=True)
class SqlCall:
    """What a function's SQL form gets: compiled arguments, their types and the dialect."""

    args: tuple[Sql, ...]
    types: tuple[Type, ...]
    nodes: tuple[nodes.Expr, ...]
    result: Type
    dialect: str

    @property
    def pg(self) -> bool:
        return self.dialect == "postgresql"


@dataclass(frozen=True)
class Function:
    """One library function. ``signature`` is the form shown in messages and the docs."""

    name: str
    signature: str
    style: Literal["global", "method", "both"]
    arity: tuple[int, int | None]
    typer: Callable[[Sequence[Type]], Type | None]
    python: Callable[..., Any]
    sql: Callable[[SqlCall], Sql] | None
    on_null: Literal["null", "false", "custom"] = "null"
    literals: LiteralCheck | None = None
    """Checks arguments that must be literals; returns (argument index, problem) or None."""
    sql_repeats: tuple[int, ...] = ()
    """Arguments that the SQL form writes twice (in some dialect); ``sql_support`` bounds how
    deeply such calls nest, since each level doubles the size of the SQL."""
    sql_depth: int = 1
    """How many SQL function calls (or casts) the SQL form wraps around its deepest argument
    on SQLite; ``sql_support`` adds them up against SQLite's parser limit."""


def _kinds(*params: tuple[Kind, ...], result: Type) -> Callable[[Sequence[Type]], Type | None]:
    """A typer accepting each argument whose kind is among ``params[i]`` (null always fits)."""

    def typer(types: Sequence[Type]) -> Type | None:
        ok = all(t.kind is Kind.NULL or t.kind in allowed for t, allowed in zip(types, params,
                                                                                strict=True))
        return result if ok else None

    return typer


def _same(*allowed: Kind) -> Callable[[Sequence[Type]], Type | None]:
    """A typer for functions whose arguments and result share one type (min, max, coalesce)."""

    def typer(types: Sequence[Type]) -> Type | None:
        common: Type | None = types[0]
        for t in types[1:]:
            common = None if common is None else unify(common, t)
        if common is None or (common.kind not in allowed and common.kind is not Kind.NULL):
            return None
        return common

    return typer


def _either(*typers: Callable[[Sequence[Type]], Type | None]
            ) -> Callable[[Sequence[Type]], Type | None]:
    def typer(types: Sequence[Type]) -> Type | None:
        return next((r for t in typers if (r := t(types)) is not None), None)

    return typer


def _folded(call: SqlCall) -> Sql:
    raise AssertionError("calls on literals are folded before SQL is generated")


def _literal_string(index: int, parse: Callable[[str], object], what: str,
                    example: str) -> LiteralCheck:
    """Requires argument ``index``, when it is a string, to be a literal that ``parse`` accepts."""

    def check(args: Sequence[nodes.Expr], types: Sequence[Type]) -> tuple[int, str] | None:
        arg = args[index]
        if types[index].kind is not Kind.STRING:
            return None
        if not isinstance(arg, nodes.Literal) or not isinstance(arg.value, str):
            return (index, f"must be a literal {what}, like {example}")
        if parse(arg.value) is None:
            return (index, f"is not a valid {what}; write it like {example}")
        return None

    return check


def _regex(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:
        return None


def _digits(args: Sequence[nodes.Expr], types: Sequence[Type]) -> tuple[int, str] | None:
    arg = args[1]
    if isinstance(arg, nodes.Literal) and type(arg.value) is int and 0 <= arg.value <= 4:
        return None
    return (1, "must be a whole number from 0 to 4 written as a literal")


# -- SQL forms ------------------------------------------------------------------------------------

def _length(call: SqlCall, arg: Sql) -> Sql:
    return sa.func.char_length(arg) if call.pg else sa.func.length(arg)


def _size_sql(call: SqlCall) -> Sql:
    node = call.nodes[0]
    if isinstance(node, nodes.ListLit):
        return sa.literal(len(node.items), sa.BigInteger)
    return _length(call, call.args[0])


def _contains_sql(call: SqlCall) -> Sql:
    s, x = call.args
    return (sa.func.strpos(s, x) if call.pg else sa.func.instr(s, x)) > 0


def _starts_sql(call: SqlCall) -> Sql:
    s, x = call.args
    if call.pg:
        return sa.func.left(s, _length(call, x)) == x
    return sa.func.substr(s, 1, sa.func.length(x)) == x


def _ends_sql(call: SqlCall) -> Sql:
    s, x = call.args
    if call.pg:
        return sa.func.right(s, _length(call, x)) == x
    return sa.func.substr(s, sa.func.length(s) - sa.func.length(x) + 1) == x


def _trim_sql(call: SqlCall) -> Sql:
    chars = sa.literal(TRIM_CHARACTERS, sa.String)
    return sa.func.btrim(call.args[0], chars) if call.pg else sa.func.trim(call.args[0], chars)


def _round_sql(call: SqlCall) -> Sql:
    value = call.args[0]
    literal = call.nodes[1]
    assert isinstance(literal, nodes.Literal)
    digits = sa.literal(literal.value, sa.Integer)
    if call.pg:
        value = sa.cast(value, sa.Numeric)
    return sa.func.round(value, digits, type_=sa.Numeric(18, 4))


def _extreme_sql(name: str) -> Callable[[SqlCall], Sql]:
    def build(call: SqlCall) -> Sql:
        a, b = call.args
        if not call.pg:
            return sa.func.min(a, b, type_=a.type) if name == "min" else sa.func.max(
                a, b, type_=a.type)
        # PostgreSQL's least/greatest skip NULLs; the language says a null argument gives null.
        x, y = (sa.collate(a, "C"), sa.collate(b, "C")) if call.result.kind is Kind.STRING else (
            a, b)
        both = sa.func.least(x, y, type_=a.type) if name == "min" else sa.func.greatest(
            x, y, type_=a.type)
        return sa.case((sa.or_(a.is_(None), b.is_(None)), sa.null()), else_=both)

    return build


def _coalesce_sql(call: SqlCall) -> Sql:
    return sa.func.coalesce(*call.args)


def _date_sql(call: SqlCall) -> Sql:
    if call.pg:
        return sa.cast(call.args[0], sa.Date)
    return sa.func.date(call.args[0], type_=sa.Date)


def _add_days_sql(call: SqlCall) -> Sql:
    value, days = call.args
    if call.pg:
        days = sa.cast(days, sa.Integer)
        if call.types[0].kind is Kind.DATE:
            return value.op("+", return_type=sa.Date)(days)
        one_day = sa.literal_column("INTERVAL '1 day'", type_=sa.Interval)
        return value.op("+", return_type=sa.DateTime)(days.op("*")(one_day))
    modifier = sa.cast(days, sa.Text).op("||")(" days")
    if call.types[0].kind is Kind.DATE:
        return sa.func.date(value, modifier, type_=sa.Date)
    # SQLite keeps date-times as 'YYYY-MM-DD HH:MM:SS.ffffff'; strftime drops the microseconds,
    # so they are copied back from the original text to keep values comparable as strings.
    moved = sa.func.strftime("%Y-%m-%d %H:%M:%S", value, modifier)
    return moved.op("||", return_type=sa.DateTime)(sa.func.substr(value, 20))


def _days_between_sql(call: SqlCall) -> Sql:
    a, b = call.args
    if call.pg:
        return b.op("-", return_type=sa.Integer)(a)
    return sa.cast(sa.func.julianday(b) - sa.func.julianday(a), sa.Integer)


def _part_sql(part: str, pattern: str) -> Callable[[SqlCall], Sql]:
    def build(call: SqlCall) -> Sql:
        if call.pg:
            return sa.cast(sa.extract(part, call.args[0]), sa.Integer)
        return sa.cast(sa.func.strftime(pattern, call.args[0]), sa.Integer)

    return build


# -- Python forms ---------------------------------------------------------------------------------

def _date_py(value: datetime | str) -> date | None:
    if isinstance(value, str):
        return arith.parse_date(value)
    return value.date()


def _round_py(value: Decimal | int, digits: int) -> Decimal:
    return arith.round_decimal(value, digits)


def _coalesce_py(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _matches_py(text: str, pattern: str) -> bool:
    compiled = _regex(pattern)
    return compiled is not None and compiled.search(text) is not None


_STR, _INT, _DEC, _NUM = (Kind.STRING,), (Kind.INT,), (Kind.DECIMAL,), (Kind.INT, Kind.DECIMAL)
_DAY, _MOMENT, _DAYISH = (Kind.DATE,), (Kind.DATETIME,), (Kind.DATE, Kind.DATETIME)
_ORDERED = (Kind.INT, Kind.DECIMAL, Kind.STRING, Kind.DATE, Kind.DATETIME)
_ANY = (Kind.BOOL, *_ORDERED, Kind.JSON)

FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("size", "size(string or list) -> int", "both", (1, 1),
             _either(_kinds(_STR, result=Type.INT), _kinds((Kind.LIST,), result=Type.INT)),
             len, _size_sql),
    Function("contains", "string.contains(string) -> bool", "method", (2, 2),
             _kinds(_STR, _STR, result=Type.BOOL), lambda s, x: x in s, _contains_sql, "false",
             sql_depth=2),
    Function("startsWith", "string.startsWith(string) -> bool", "method", (2, 2),
             _kinds(_STR, _STR, result=Type.BOOL), str.startswith, _starts_sql, "false",
             sql_repeats=(1,), sql_depth=3),
    Function("endsWith", "string.endsWith(string) -> bool", "method", (2, 2),
             _kinds(_STR, _STR, result=Type.BOOL), str.endswith, _ends_sql, "false",
             sql_repeats=(0, 1), sql_depth=3),
    Function("matches", "string.matches(regex) -> bool", "method", (2, 2),
             _kinds(_STR, _STR, result=Type.BOOL), _matches_py, None, "false",
             _literal_string(1, _regex, "regular expression", "'^[A-Z]+-[0-9]+$'")),
    Function("lower", "lower(string) -> string", "global", (1, 1),
             _kinds(_STR, result=Type.STRING), str.lower,
             lambda c: sa.func.lower(c.args[0], type_=sa.String)),
    Function("upper", "upper(string) -> string", "global", (1, 1),
             _kinds(_STR, result=Type.STRING), str.upper,
             lambda c: sa.func.upper(c.args[0], type_=sa.String)),
    Function("trim", "trim(string) -> string", "global", (1, 1),
             _kinds(_STR, result=Type.STRING), lambda s: s.strip(TRIM_CHARACTERS), _trim_sql),
    Function("abs", "abs(number) -> number", "global", (1, 1),
             _either(_kinds(_INT, result=Type.INT), _kinds(_DEC, result=Type.DECIMAL)), abs,
             lambda c: sa.func.abs(c.args[0], type_=c.args[0].type)),
    Function("round", "round(number, digits) -> decimal", "global", (2, 2),
             _kinds(_NUM, _INT, result=Type.DECIMAL), _round_py, _round_sql, literals=_digits,
             sql_depth=2),
    Function("min", "min(a, b) -> the smaller", "global", (2, 2), _same(*_ORDERED),
             min, _extreme_sql("min"), sql_repeats=(0, 1)),
    Function("max", "max(a, b) -> the larger", "global", (2, 2), _same(*_ORDERED),
             max, _extreme_sql("max"), sql_repeats=(0, 1)),
    Function("coalesce", "coalesce(a, b, ...) -> the first that is not null", "global", (2, None),
             _same(*_ANY), _coalesce_py, _coalesce_sql, "custom"),
    Function("date", "date(datetime) -> date", "global", (1, 1),
             _either(_kinds(_MOMENT, result=Type.DATE), _kinds(_STR, result=Type.DATE)),
             _date_py, _date_sql,
             literals=_literal_string(0, arith.parse_date, "date", "'2026-01-31'")),
    Function("datetime", "datetime('YYYY-MM-DDTHH:MM:SSZ') -> datetime", "global", (1, 1),
             _kinds(_STR, result=Type.DATETIME), arith.parse_datetime, _folded,
             literals=_literal_string(0, arith.parse_datetime, "date-time",
                                      "'2026-01-31T09:30:00Z'")),
    Function("add_days", "add_days(date or datetime, int) -> same type", "global", (2, 2),
             _either(_kinds(_DAY, _INT, result=Type.DATE),
                     _kinds(_MOMENT, _INT, result=Type.DATETIME)),
             arith.add_days, _add_days_sql, sql_repeats=(0,), sql_depth=2),
    Function("days_between", "days_between(date a, date b) -> int (b - a)", "global", (2, 2),
             _kinds(_DAY, _DAY, result=Type.INT), lambda a, b: (b - a).days, _days_between_sql,
             sql_depth=2),
    Function("year", "year(date or datetime) -> int", "global", (1, 1),
             _kinds(_DAYISH, result=Type.INT), lambda d: d.year, _part_sql("year", "%Y"),
             sql_depth=2),
    Function("month", "month(date or datetime) -> int (1-12)", "global", (1, 1),
             _kinds(_DAYISH, result=Type.INT), lambda d: d.month, _part_sql("month", "%m"),
             sql_depth=2),
    Function("day", "day(date or datetime) -> int (1-31)", "global", (1, 1),
             _kinds(_DAYISH, result=Type.INT), lambda d: d.day, _part_sql("day", "%d"),
             sql_depth=2),
)}
"""Every function, by name."""
