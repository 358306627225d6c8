"""The two back ends must agree: for random well-typed expressions and a table of awkward rows,
the rows a compiled SQL filter selects are exactly those for which the Python function is true,
and computed values match row by row. Runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiary.expr import EvalContext, Scope, Type, check, compile_python, compile_sql, parse

FIELDS = {
    "s": Type.STRING, "e": Type.enum(("low", "mid", "high")), "i": Type.INT, "j": Type.INT,
    "d": Type.DECIMAL, "b": Type.BOOL, "dt": Type.DATE, "ts": Type.DATETIME,
}
SCOPE = Scope(fields={"id": Type.INT, **FIELDS})
CTX = EvalContext.create(user_id=3, email="ann@example.com", roles=["admin"],
                         now=datetime(2026, 1, 31, 10, 0, tzinfo=UTC))
STRINGS = ["", "a", "ab", "Ab", "ba", "B", " a ", "abc", "b a"]
BASE = date(2026, 1, 31)

T = TypeVar("T")


class Draw(Protocol):
    def __call__(self, strategy: st.SearchStrategy[T], /) -> T: ...


def make_rows() -> list[dict[str, Any]]:
    rnd = random.Random(20260131)

    def maybe(value: Any) -> Any:
        return None if rnd.random() < 0.2 else value

    rows: list[dict[str, Any]] = [
        {"id": 1, **dict.fromkeys(FIELDS)},
        {"id": 2, "s": "", "e": "low", "i": 0, "j": 0, "d": Decimal("0.00"), "b": False,
         "dt": BASE, "ts": datetime(2026, 1, 31, 10, 0)},
    ]
    for row_id in range(3, 31):
        rows.append({
            "id": row_id,
            "s": maybe(rnd.choice(STRINGS)),
            "e": maybe(rnd.choice(["low", "mid", "high"])),
            "i": maybe(rnd.randint(-7, 7)),
            "j": maybe(rnd.randint(-3, 3)),
            "d": maybe(Decimal(rnd.randint(-2000, 2000)).scaleb(-2) if rnd.random() < 0.7
                       else Decimal(rnd.randint(-9, 9))),
            "b": maybe(rnd.random() < 0.5),
            "dt": maybe(BASE + timedelta(days=rnd.randint(-40, 40))),
            "ts": maybe(datetime(2026, 1, 31, 10, 0) + timedelta(
                days=rnd.randint(-40, 40), seconds=rnd.randint(-40000, 40000),
                microseconds=rnd.randint(0, 999_999))),
        })
    return rows


ROWS = make_rows()


# -- expression generator (text, so the parser is exercised too) --------------------------------

def _p(text: str) -> str:
    return f"({text})"


def int_lit(draw: Draw) -> str:
    return str(draw(st.integers(-5, 5)))


def dec_lit(draw: Draw) -> str:
    return str(Decimal(draw(st.integers(-1500, 1500))).scaleb(-2))


def str_lit(draw: Draw) -> str:
    return repr(draw(st.sampled_from(STRINGS)))


def date_lit(draw: Draw) -> str:
    return f"date('{BASE + timedelta(days=draw(st.integers(-30, 30)))}')"


def ts_lit(draw: Draw) -> str:
    moment = datetime(2026, 1, 31, 10, 0) + timedelta(minutes=draw(st.integers(-50000, 50000)))
    return f"datetime('{moment.isoformat()}Z')"


def small_int(draw: Draw) -> str:
    return draw(st.sampled_from(["i", "j", int_lit(draw), str(draw(st.integers(-60, 60)))]))


LEAVES: dict[str, list[Callable[[Draw], str]]] = {
    "bool": [lambda d: "b", lambda d: d(st.sampled_from(["true", "false"]))],
    "int": [lambda d: d(st.sampled_from(["i", "j", "user.id"])), int_lit],
    "dec": [lambda d: "d", dec_lit, lambda d: "i"],
    "str": [lambda d: d(st.sampled_from(["s", "lower(e)"])), str_lit],
    "date": [lambda d: "dt", date_lit, lambda d: "today"],
    "ts": [lambda d: "ts", ts_lit, lambda d: "now"],
}
ORDERED = ["int", "dec", "str", "date", "ts"]


def gen(draw: Draw, kind: str, depth: int, top: bool = False) -> str:
    if depth <= 0 or (not top and draw(st.integers(0, 3)) == 0):
        return draw(st.sampled_from(LEAVES[kind]))(draw)
    return COMPOSITES[kind](draw, depth - 1)


def _any(draw: Draw, depth: int) -> tuple[str, str]:
    kind = draw(st.sampled_from([*ORDERED, "bool"]))
    return kind, gen(draw, kind, depth)


def composite_bool(draw: Draw, depth: int) -> str:
    form = draw(st.integers(0, 11))
    if form == 0:
        kind, left = _any(draw, depth)
        right = "null" if draw(st.booleans()) and draw(st.booleans()) else gen(draw, kind, depth)
        return f"{_p(left)} {draw(st.sampled_from(['==', '!=']))} {_p(right)}"
    if form in (1, 2):
        kind = draw(st.sampled_from(ORDERED))
        op = draw(st.sampled_from(["<", "<=", ">", ">="]))
        return f"{_p(gen(draw, kind, depth))} {op} {_p(gen(draw, kind, depth))}"
    if form == 3:
        values = draw(st.lists(st.sampled_from(["'low'", "'mid'", "'high'", "null"]), max_size=3))
        return draw(st.sampled_from([f"e in [{', '.join(values)}]", "e == 'mid'", "e != 'low'"]))
    if form == 4:
        kind = draw(st.sampled_from(["int", "str", "dec", "date"]))
        items = [gen(draw, kind, depth - 1) for _ in range(draw(st.integers(0, 3)))]
        if draw(st.booleans()):
            items.append("null")
        return f"{_p(gen(draw, kind, depth))} in [{', '.join(items)}]"
    if form == 5:
        method = draw(st.sampled_from(["contains", "startsWith", "endsWith"]))
        return f"{_p(gen(draw, 'str', depth))}.{method}({gen(draw, 'str', depth)})"
    if form in (6, 7):
        op = " && " if form == 6 else " || "
        parts = [gen(draw, "bool", depth) for _ in range(draw(st.integers(2, 3)))]
        return op.join(_p(part) for part in parts)
    if form == 8:
        return f"!{_p(gen(draw, 'bool', depth))}"
    if form == 9:
        return f"coalesce({gen(draw, 'bool', depth)}, {gen(draw, 'bool', depth)})"
    if form == 10:
        return draw(st.sampled_from(["'admin' in user.roles", "i == user.id", "user.id != j"]))
    return ternary(draw, "bool", depth)


def ternary(draw: Draw, kind: str, depth: int) -> str:
    cond = gen(draw, "bool", depth)
    then, otherwise = gen(draw, kind, depth), gen(draw, kind, depth)
    if draw(st.integers(0, 4)) == 0:
        then = "null"
    return f"{_p(cond)} ? {_p(then)} : {_p(otherwise)}"


def _call(draw: Draw, kind: str, depth: int, *names: str) -> str:
    name = draw(st.sampled_from(names))
    return f"{name}({gen(draw, kind, depth)}, {gen(draw, kind, depth)})"


def composite_number(kind: str) -> Callable[[Draw, int], str]:
    def build(draw: Draw, depth: int) -> str:
        form = draw(st.integers(0, 6))
        if form <= 1:
            ops = ["+", "-", "*", "/", "%"] if kind == "int" else ["+", "-", "*", "/"]
            left = gen(draw, kind, depth)
            right = gen(draw, draw(st.sampled_from([kind, "int"])), depth)
            return f"{_p(left)} {draw(st.sampled_from(ops))} {_p(right)}"
        if form == 2:
            return draw(st.sampled_from([f"-{_p(gen(draw, kind, depth))}",
                                         f"abs({gen(draw, kind, depth)})"]))
        if form == 3:
            return _call(draw, kind, depth, "min", "max", "coalesce")
        if form == 4:
            return ternary(draw, kind, depth)
        if kind == "dec":
            return f"round({gen(draw, 'dec', depth)}, {draw(st.integers(0, 2))})"
        return draw(st.sampled_from([
            f"size({gen(draw, 'str', depth)})",
            f"{draw(st.sampled_from(['year', 'month', 'day']))}({gen(draw, 'date', depth)})",
            f"day({gen(draw, 'ts', depth)})",
            f"days_between({gen(draw, 'date', depth)}, {gen(draw, 'date', depth)})",
        ]))

    return build


def composite_str(draw: Draw, depth: int) -> str:
    form = draw(st.integers(0, 3))
    if form == 0:
        return f"{_p(gen(draw, 'str', depth))} + {_p(gen(draw, 'str', depth))}"
    if form == 1:
        name = draw(st.sampled_from(["lower", "upper", "trim"]))
        return f"{name}({gen(draw, 'str', depth)})"
    if form == 2:
        return _call(draw, "str", depth, "min", "max", "coalesce")
    return ternary(draw, "str", depth)


def composite_date(draw: Draw, depth: int) -> str:
    form = draw(st.integers(0, 3))
    if form == 0:
        return f"add_days({gen(draw, 'date', depth)}, {small_int(draw)})"
    if form == 1:
        return f"date({gen(draw, 'ts', depth)})"
    if form == 2:
        return _call(draw, "date", depth, "min", "max", "coalesce")
    return ternary(draw, "date", depth)


def composite_ts(draw: Draw, depth: int) -> str:
    form = draw(st.integers(0, 2))
    if form == 0:
        return f"add_days({gen(draw, 'ts', depth)}, {small_int(draw)})"
    if form == 1:
        return _call(draw, "ts", depth, "min", "max", "coalesce")
    return ternary(draw, "ts", depth)


COMPOSITES: dict[str, Callable[[Draw, int], str]] = {
    "bool": composite_bool, "int": composite_number("int"), "dec": composite_number("dec"),
    "str": composite_str, "date": composite_date, "ts": composite_ts,
}


@st.composite
def expressions(draw: Draw, kind: str) -> str:
    return gen(draw, kind, 3, top=True)


# -- the database side -----------------------------------------------------------------------------

@pytest.fixture
def table(db_url: str) -> Iterator[tuple[sa.Connection, sa.Table]]:
    engine = sa.create_engine(db_url)
    metadata = sa.MetaData()
    table = sa.Table(
        "items", metadata, sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("s", sa.String(20)), sa.Column("e", sa.String(10)), sa.Column("i", sa.Integer),
        sa.Column("j", sa.BigInteger), sa.Column("d", sa.Numeric(18, 4)),
        sa.Column("b", sa.Boolean), sa.Column("dt", sa.Date), sa.Column("ts", sa.DateTime))
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), ROWS)
    with engine.connect() as conn:
        yield conn, table
    engine.dispose()


def _rows(conn: sa.Connection, query: sa.Select[Any]) -> list[Any]:
    """Runs ``query``; after a database error the connection is usable again, so that
    hypothesis can shrink the failing example."""
    try:
        return list(conn.execute(query).all())
    except sa.exc.DBAPIError:
        conn.rollback()
        raise


def _filter_agrees(conn: sa.Connection, table: sa.Table, text: str) -> None:
    tree = parse(text)
    assert check(tree, SCOPE).errors == [], text
    fn = compile_python(tree, SCOPE)
    expected = {row["id"] for row in ROWS if fn(row, CTX)}
    clause = compile_sql(tree, SCOPE, table.c, CTX, conn.dialect.name)
    selected = {row_id for (row_id,) in _rows(conn, sa.select(table.c.id).where(clause))}
    assert selected == expected, text
    rejected = {row_id for (row_id,) in _rows(conn, sa.select(table.c.id).where(
        sa.not_(clause)))}
    assert rejected == {row["id"] for row in ROWS} - expected, f"NOT ({text})"


def _values_agree(conn: sa.Connection, table: sa.Table, text: str) -> None:
    tree = parse(text)
    fn = compile_python(tree, SCOPE)
    clause = compile_sql(tree, SCOPE, table.c, CTX, conn.dialect.name)
    got = {row_id: value for row_id, value in _rows(conn, sa.select(table.c.id, clause))}
    for row in ROWS:
        assert got[row["id"]] == fn(row, CTX), f"{text} on row {row}"


SETTINGS = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(text=expressions("bool"))
def test_filters_select_the_rows_python_accepts(
        table: tuple[sa.Connection, sa.Table], text: str) -> None:
    _filter_agrees(*table, text)


@settings(SETTINGS, max_examples=200)
@given(text=st.sampled_from(["int", "dec", "str", "date", "ts"]).flatmap(expressions))
def test_computed_values_match_python(table: tuple[sa.Connection, sa.Table], text: str) -> None:
    _values_agree(*table, text)
