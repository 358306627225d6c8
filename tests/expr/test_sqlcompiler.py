from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from apiary.expr import (
    EvalContext,
    ExprError,
    Scope,
    Type,
    check,
    compile_python,
    compile_sql,
    parse,
    sql_support,
)

from .cases import CASES, CTX, ROW, SCOPE, make_table

NULL_ROW = {"id": 2, **dict.fromkeys(k for k in ROW if k != "id")}


@pytest.fixture
def db(db_url: str) -> Iterator[tuple[sa.Connection, sa.Table]]:
    engine = sa.create_engine(db_url)
    table = make_table(sa.MetaData())
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [ROW, NULL_ROW])
    with engine.connect() as conn:
        yield conn, table
    engine.dispose()


def sql(text: str, table: sa.Table, dialect: str, ctx: EvalContext = CTX) -> Any:
    return compile_sql(parse(text), SCOPE, table.c, ctx, dialect)


def test_every_case_gives_the_same_value_in_sql(db: tuple[sa.Connection, sa.Table]) -> None:
    conn, table = db
    wrong = []
    for text, expected in CASES:
        clause = sql(text, table, conn.dialect.name)
        got = conn.scalar(sa.select(clause).where(table.c.id == 1))
        if got != expected or (expected is not None and got is None):
            wrong.append((text, expected, got))
    assert wrong == []


def test_boolean_cases_filter_rows_and_survive_not(db: tuple[sa.Connection, sa.Table]) -> None:
    conn, table = db
    for text, _ in CASES:
        tree = parse(text)
        if check(tree, SCOPE).type != Type.BOOL:
            continue
        fn = compile_python(tree, SCOPE)
        clause = compile_sql(tree, SCOPE, table.c, CTX, conn.dialect.name)
        expected = {row["id"] for row in (ROW, NULL_ROW) if fn(row, CTX)}
        assert set(conn.scalars(sa.select(table.c.id).where(clause))) == expected, text
        negated = set(conn.scalars(sa.select(table.c.id).where(sa.not_(clause))))
        assert negated == {1, 2} - expected, text


def test_postgresql_orders_strings_by_code_point_whatever_the_collation(
        postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        if not conn.scalar(sa.text("SELECT count(*) FROM pg_collation "
                                   "WHERE collname = 'und-x-icu'")):
            pytest.skip("this PostgreSQL has no ICU collations")
        table = sa.Table("words", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                         sa.Column("s", sa.String(10, collation="und-x-icu")))
        table.create(conn)
        conn.execute(table.insert(), [{"id": 1, "s": "a"}, {"id": 2, "s": "B"}])
        assert conn.scalar(sa.select(table.c.id).where(table.c.s < "B")) == 1
        scope = Scope(fields={"s": Type.STRING})
        clause = compile_sql(parse("s < 'a'"), scope, table.c, CTX, "postgresql")
        assert list(conn.scalars(sa.select(table.c.id).where(clause))) == [2]
        smallest = compile_sql(parse("min(s, 'a')"), scope, table.c, CTX, "postgresql")
        assert conn.scalar(sa.select(smallest).where(table.c.id == 1)) == "a"
        assert conn.scalar(sa.select(smallest).where(table.c.id == 2)) == "B"
    engine.dispose()


def render(text: str, dialect: str, ctx: EvalContext = CTX) -> str:
    table = make_table(sa.MetaData())
    clause = compile_sql(parse(text), SCOPE, table.c, ctx, dialect)
    compiled_dialect = sqlite.dialect() if dialect == "sqlite" else postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
    return str(clause.compile(dialect=compiled_dialect))


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_simple_comparisons_stay_usable_by_an_index(dialect: str) -> None:
    assert "coalesce" not in render("i < 3", dialect).lower()
    assert render("i < 3", dialect).startswith("records.i <")
    assert render("i == user.id", dialect).startswith("records.i =")
    assert "coalesce" not in render("e in ['low', 'high'] && dt >= today", dialect).lower()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_context_values_are_bound_parameters(dialect: str) -> None:
    table = make_table(sa.MetaData())
    clause = compile_sql(parse("s == user.email || ts < now"), SCOPE, table.c, CTX, dialect)
    compiled = clause.compile(dialect=sqlite.dialect())
    assert "ann@example.com" not in str(compiled)
    values = set(compiled.params.values())
    assert "ann@example.com" in values
    assert datetime(2026, 1, 31, 10, 0) in values


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_an_anonymous_user_matches_unowned_rows_only(dialect: str) -> None:
    anonymous = EvalContext.create(now=datetime(2026, 1, 31, tzinfo=UTC))
    assert render("i == user.id", dialect, anonymous) == "records.i IS NULL"


def test_python_only_functions_are_reported_and_refused() -> None:
    tree = parse("s.matches('^a') && i > 1")
    problems = sql_support(tree, SCOPE)
    assert [p.code for p in problems] == ["APY-E306"]
    assert problems[0].offset == 0
    with pytest.raises(ExprError) as caught:
        compile_sql(tree, SCOPE, make_table(sa.MetaData()).c, CTX, "sqlite")
    assert caught.value.code == "APY-E306"


def test_python_only_functions_on_constants_are_fine() -> None:
    tree = parse("user.email.matches('@example[.]com$') && i > 1")
    assert sql_support(tree, SCOPE) == []


def test_list_fields_cannot_be_compiled() -> None:
    scope = Scope(fields={"tags": Type.list_of(Type.STRING)})
    problems = sql_support(parse("'x' in tags"), scope)
    assert [p.code for p in problems] == ["APY-E306"]


def test_exponentially_growing_sql_is_refused() -> None:
    text = "min(" * 6 + "s" + ", s)" * 6 + " < 'x'"
    assert [p.code for p in sql_support(parse(text), SCOPE)] == ["APY-E306"]
    assert sql_support(parse("min(" * 4 + "s" + ", s)" * 4 + " < 'x'"), SCOPE) == []


def test_bad_arguments_are_refused() -> None:
    columns = make_table(sa.MetaData()).c
    with pytest.raises(ValueError, match="dialect"):
        compile_sql(parse("i > 1"), SCOPE, columns, CTX, "mysql")
    with pytest.raises(ValueError, match="no column"):
        compile_sql(parse("i > 1"), SCOPE, {}, CTX, "sqlite")
    with pytest.raises(ExprError) as caught:
        compile_sql(parse("i > 'x'"), SCOPE, columns, CTX, "sqlite")
    assert caught.value.code == "APY-E304"


def test_null_and_constant_results() -> None:
    columns = make_table(sa.MetaData()).c
    assert str(compile_sql(parse("null"), SCOPE, columns, CTX, "sqlite")) == "NULL"
    assert str(compile_sql(parse("ni == null || true"), SCOPE, columns, CTX, "sqlite")) == "true"


def test_long_generated_filter_runs(db: tuple[sa.Connection, sa.Table]) -> None:
    conn, table = db
    padding = "a long value that pads the generated filter to a hundred kilobytes"
    text = " || ".join(f"s == '{padding} {n}'" for n in range(1400)) + " || i == 7"
    assert len(text) > 100_000
    clause = compile_sql(parse(text), SCOPE, table.c, CTX, conn.dialect.name)
    assert list(conn.scalars(sa.select(table.c.id).where(clause))) == [1]
    # More items than SQLite accepts parameters (32766); PostgreSQL needs no such proof.
    count = 33_000 if conn.dialect.name == "sqlite" else 2_000
    many = "i in [" + ", ".join(str(n) for n in range(7, count)) + "]"
    clause = compile_sql(parse(many), SCOPE, table.c, CTX, conn.dialect.name)
    assert list(conn.scalars(sa.select(table.c.id).where(clause))) == [1]
    quoted = "s in [" + ", ".join(f"'it''s {n}'".replace("''", "\\'") for n in range(2000))
    clause = compile_sql(parse(quoted + ", 'Fix login']"), SCOPE, table.c, CTX,
                         conn.dialect.name)
    assert list(conn.scalars(sa.select(table.c.id).where(clause))) == [1]
    assert list(conn.scalars(sa.select(table.c.id).where(sa.not_(clause)))) == [2]


def test_values_keep_their_type_when_every_branch_is_empty(
        db: tuple[sa.Connection, sa.Table]) -> None:
    """A decimal that is NULL on every row still arrives as a decimal, not as text."""
    conn, table = db
    for text in ("nb ? null : nd", "b ? null : d", "coalesce(nd, null) + 1", "min(nd, null)"):
        expr = compile_sql(parse(text), SCOPE, table.c, CTX, conn.dialect.name)
        values = conn.scalars(sa.select(expr).select_from(table)).all()
        assert all(v is None or isinstance(v, Decimal) for v in values), text
