"""docs/expressions.md is executable: every ``| `expression` | `result` |`` row is evaluated against
the example record the page describes, in Python and in SQLite, and the page documents every
function and error code."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from apiary.expr import (
    EvalContext,
    Scope,
    Type,
    check,
    compile_python,
    compile_sql,
    parse,
    sql_support,
)
from apiary.expr.errors import CODES
from apiary.expr.functions import FUNCTIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "expressions.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLE = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|", re.MULTILINE)

SCOPE = Scope(fields={
    "id": Type.INT, "created_by": Type.INT, "updated_by": Type.INT,
    "updated_at": Type.DATETIME, "title": Type.STRING,
    "priority": Type.enum(("low", "medium", "high")), "estimate": Type.INT,
    "budget": Type.DECIMAL, "done": Type.BOOL, "due": Type.DATE, "created_at": Type.DATETIME,
    "assignee": Type.INT, "notes": Type.STRING,
})
RECORD: dict[str, Any] = {
    "id": 1, "created_by": 7, "updated_by": 7, "updated_at": datetime(2026, 1, 20, 8, 30),
    "title": "Fix login page", "priority": "high", "estimate": 3, "budget": Decimal("120.50"),
    "done": False, "due": date(2026, 2, 10), "created_at": datetime(2026, 1, 20, 8, 30),
    "assignee": 7, "notes": None,
}
CTX = EvalContext.create(user_id=7, email="ann@example.com", roles=["manager"],
                         now=datetime(2026, 1, 31, 10, 0, tzinfo=UTC))
EXAMPLES = [(m.group(1).replace("\\|", "|"), m.group(2).replace("\\|", "|"))
            for m in EXAMPLE.finditer(TEXT)]


def evaluate(text: str) -> Any:
    return compile_python(parse(text), SCOPE)(RECORD, CTX)


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) > 80


@pytest.mark.parametrize(("expression", "result"), EXAMPLES)
def test_example_in_python(expression: str, result: str) -> None:
    got, expected = evaluate(expression), evaluate(result)
    assert got == expected
    assert type(got) is type(expected)


@pytest.fixture(scope="module")
def task_table() -> Any:
    engine = sa.create_engine("sqlite://")
    table = sa.Table(
        "task", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_by", sa.Integer), sa.Column("updated_by", sa.Integer),
        sa.Column("updated_at", sa.DateTime), sa.Column("title", sa.String),
        sa.Column("priority", sa.String), sa.Column("estimate", sa.Integer),
        sa.Column("budget", sa.Numeric(18, 4)), sa.Column("done", sa.Boolean),
        sa.Column("due", sa.Date), sa.Column("created_at", sa.DateTime),
        sa.Column("assignee", sa.Integer), sa.Column("notes", sa.String))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [RECORD])
    yield engine, table
    engine.dispose()


def test_examples_agree_in_sqlite(task_table: Any) -> None:
    engine, table = task_table
    checked = 0
    with engine.connect() as conn:
        for expression, _ in EXAMPLES:
            tree = parse(expression)
            if sql_support(tree, SCOPE):
                continue
            clause = compile_sql(tree, SCOPE, table.c, CTX, "sqlite")
            assert conn.scalar(sa.select(clause)) == evaluate(expression), expression
            checked += 1
    assert checked > 70


def test_every_function_has_a_section() -> None:
    for name, function in FUNCTIONS.items():
        assert f"\n### {name}\n" in TEXT, name
        assert function.signature in TEXT, function.signature


def test_every_error_code_is_explained() -> None:
    for code in CODES:
        assert re.search(rf"^\| {code} \|", TEXT, re.MULTILINE), code


def test_the_developer_example_runs() -> None:
    block = TEXT.split("```python\n", 1)[1].split("```", 1)[0]
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer),
                     sa.Column("assignee", sa.Integer), sa.Column("priority", sa.String))
    namespace: dict[str, Any] = {"table": table}
    exec(compile(block, str(DOC), "exec"), namespace)
    assert namespace["allowed"]({"assignee": 7, "priority": "high"}, namespace["ctx"]) is True
    assert check(namespace["tree"], namespace["scope"]).errors == []
