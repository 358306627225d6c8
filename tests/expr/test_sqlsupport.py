"""Whatever ``sql_support`` accepts must run in the database: for each way of nesting, the deepest
expression it accepts is executed on SQLite (whose parser stack is the tightest limit) and on
PostgreSQL, and the next deeper one is refused with APY-E306."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from apiary.expr import ExprSyntaxError, compile_sql, parse, sql_support

from .cases import CTX, SCOPE, make_table

NESTINGS: dict[str, Callable[[int], str]] = {
    "decimal *": lambda n: "d" + " * d" * n + " > 1.5",
    "decimal /": lambda n: "d" + " / d" * n + " > 1.5",
    "decimal +": lambda n: "d" + " + d" * n + " > 1.5",
    "int + on the right": lambda n: "i + (" * n + "i" + ")" * n + " > 1",
    "int /": lambda n: "i" + " / j" * n + " > 1",
    "string +": lambda n: "s" + " + s" * n + " == 'x'",
    "abs": lambda n: "abs(" * n + "i" + ")" * n + " > 1",
    "negation": lambda n: "-(" * n + "i" + ")" * n + " > 1",
    "not": lambda n: "!(" * n + "b" + ")" * n,
    "?: in else": lambda n: "(b ? i : " * n + "i" + ")" * n + " > 1",
    "?: in condition": lambda n: "(" * n + "b" + " ? b : nb)" * n,
    "== chain": lambda n: "(" * n + "b" + " == nb)" * n,
    "&& and ||": lambda n: "(" * n + "b" + " && nb || b)" * n,
    "coalesce": lambda n: "coalesce(" * n + "ni" + ", i)" * n + " > 1",
    "lower": lambda n: "lower(" * n + "s" + ")" * n + " == 'x'",
    "in": lambda n: "(" * n + "b" + " in [nb, b])" * n,
    "?: in comparison": lambda n: "(" * n + "b" + " ? i > 1 : j > 1)" * n,
    "trim and startsWith": lambda n: "trim(" * n + "s" + ")" * n + ".startsWith(s)",
    "add_days": lambda n: "add_days(" * n + "dt" + ", i)" * n + " > today",
    "round": lambda n: "round(" * n + "d" + ", 2)" * n + " > 1.5",
    "month of ?:": lambda n: "month(" + "(b ? dt : " * n + "dt" + ")" * n + ") > 1",
    "days_between": lambda n: "days_between(dt, " + "(b ? dt : " * n + "dt" + ")" * n + ") > 1",
    "contains of +": lambda n: "(s" + " + s" * n + ").contains(s + " + "(s + " * n + "s" + ")" * n
                               + ")",
}


def deepest_accepted(template: Callable[[int], str]) -> int:
    deepest = 0
    for n in range(1, 120):
        try:
            tree = parse(template(n))
        except ExprSyntaxError:
            break
        if sql_support(tree, SCOPE):
            problems = sql_support(tree, SCOPE)
            assert [p.code for p in problems] == ["APY-E306"]
            break
        deepest = n
    return deepest


@pytest.fixture
def table(db_url: str) -> Iterator[tuple[sa.Connection, sa.Table]]:
    engine = sa.create_engine(db_url)
    table = make_table(sa.MetaData())
    table.metadata.create_all(engine)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SET statement_timeout = '10s'"))
        yield conn, table
    engine.dispose()


def test_the_deepest_accepted_expressions_run(table: tuple[sa.Connection, sa.Table]) -> None:
    conn, records = table
    for name, template in NESTINGS.items():
        depth = deepest_accepted(template)
        assert depth >= 4, name
        clause = compile_sql(parse(template(depth)), SCOPE, records.c, CTX, conn.dialect.name)
        condition = sa.and_(records.c.id > 0, sa.not_(clause))
        assert len(str(condition.compile(conn))) < 20_000, name
        assert conn.execute(sa.select(records.c.id).where(condition)).all() == [], name


def test_long_chains_of_and_or_are_not_limited() -> None:
    text = " || ".join(f"(i == {n} && s != 'x')" for n in range(3000))
    assert sql_support(parse(text), SCOPE) == []


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_deepest_accepted_expressions_compile_within_a_small_stack(dialect: str) -> None:
    records = make_table(sa.MetaData())
    compiled_dialect = sqlite.dialect() if dialect == "sqlite" else postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
    deepest = [template(deepest_accepted(template)) for template in NESTINGS.values()]
    frame, used = sys._getframe(), 0
    while frame.f_back is not None:
        frame, used = frame.f_back, used + 1
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(used + 450)
    try:
        for text in deepest:
            clause = compile_sql(parse(text), SCOPE, records.c, CTX, dialect)
            str(sa.select(records.c.id).where(sa.not_(clause)).compile(dialect=compiled_dialect))
    finally:
        sys.setrecursionlimit(limit)
