"""Any text either fails to parse with ExprSyntaxError or goes through every stage without an
unexpected exception: ``check`` reports instead of raising, and what checks evaluates on any
record and compiles to SQL when ``sql_support`` says it can."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from apiary.expr import (
    ExprSyntaxError,
    check,
    compile_python,
    compile_sql,
    parse,
    sql_support,
)
from apiary.expr.functions import FUNCTIONS

from .cases import CTX, FIELDS, ROW, SCOPE, make_table

WORDS = [*FIELDS, *FUNCTIONS, "user", "user.id", "user.roles", "user.email", "now", "today",
         "true", "false", "null", "in", "0", "1", "-2", "2.50", "'a'", "''", "'2026-01-31'",
         "date('2026-01-31')", "'^a'", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "-",
         "+", "*", "/", "%", "?", ":", "(", ")", "[", "]", ",", ".", "=", "#", "'open", "é"]
COLUMNS = make_table(sa.MetaData()).c
NULL_ROW = dict.fromkeys(ROW)


def run_every_stage(text: str) -> None:
    try:
        tree = parse(text)
    except ExprSyntaxError as syntax_error:
        assert 0 <= syntax_error.offset <= len(text)
        return
    result = check(tree, SCOPE)
    for error in result.errors:
        assert 0 <= error.offset <= len(text)
        assert error.offset + error.length <= len(text)
        assert error.code.startswith("APY-E3")
    if result.errors:
        return
    fn = compile_python(tree, SCOPE)
    fn(ROW, CTX)
    fn(NULL_ROW, CTX)
    if not sql_support(tree, SCOPE):
        for dialect in ("sqlite", "postgresql"):
            compile_sql(tree, SCOPE, COLUMNS, CTX, dialect)


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join))
def test_every_stage_handles_any_text(text: str) -> None:
    run_every_stage(text)


ATOMS = [*FIELDS, "user.id", "user.roles", "user.email", "now", "today", "true", "false", "null",
         "0", "3", "-2", "2.50", "'a'", "''", "'low'", "'2026-01-31'", "[]", "[1, 2]", "['a']",
         "date('2026-01-31')", "datetime('2026-01-31T10:00:00Z')", "'^a'"]
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "&&", "||", "in", "+", "-", "*", "/", "%"]


def grammatical(depth: int) -> st.SearchStrategy[str]:
    """Syntactically valid expressions whose types are random."""
    atom = st.sampled_from(ATOMS)
    if depth == 0:
        return atom
    inner = grammatical(depth - 1)
    name = st.sampled_from(sorted(FUNCTIONS))
    return st.one_of(
        atom,
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["!", "-"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(name, st.lists(inner, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner, name, st.lists(inner, max_size=2)).map(
            lambda t: f"({t[0]}).{t[1]}({', '.join(t[2])})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]}) ? ({t[1]}) : ({t[2]})"),
        st.lists(inner, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
    )


@settings(max_examples=400, deadline=None, database=None)
@given(grammatical(3))
def test_every_stage_handles_any_valid_syntax(text: str) -> None:
    run_every_stage(text)
