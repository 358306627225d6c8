from __future__ import annotations

import pytest

from apiary.expr import Scope, Type, check, parse, sql_support
from apiary.expr.functions import FUNCTIONS
from apiary.expr.types import Kind


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_is_complete(name: str) -> None:
    function = FUNCTIONS[name]
    assert function.name == name
    assert callable(function.python)
    low, high = function.arity
    assert low >= 1
    assert high is None or high >= low
    shown = function.signature.split("(")[0]
    assert shown.endswith(name)
    assert all(0 <= i < (high or low + 1) for i in function.sql_repeats)


def test_only_matches_is_python_only() -> None:
    assert [name for name, f in FUNCTIONS.items() if f.sql is None] == ["matches"]


def test_the_string_tests_are_false_on_null_and_coalesce_sees_nulls() -> None:
    policies = {name: f.on_null for name, f in FUNCTIONS.items() if f.on_null != "null"}
    assert policies == {"contains": "false", "startsWith": "false", "endsWith": "false",
                        "matches": "false", "coalesce": "custom"}


def test_null_arguments_fit_every_parameter() -> None:
    scope = Scope(fields={})
    for text in ["size(null)", "null.contains('a')", "abs(null)", "round(null, 1)",
                 "min(null, 1)", "coalesce(null, 1)", "date(null)", "add_days(null, 1)",
                 "days_between(null, null)", "year(null)", "lower(null)", "datetime(null)"]:
        assert check(parse(text), scope).errors == [], text


def test_sql_support_reports_python_only_calls_on_fields() -> None:
    scope = Scope(fields={"s": Type.STRING})
    assert sql_support(parse("s.matches('a') || s.contains('a')"), scope)[0].code == "APY-E306"
    assert sql_support(parse("[s]"), scope)[0].code == "APY-E306"
    assert check(parse("size([s])"), scope).type.kind is Kind.INT
    assert sql_support(parse("size([s])"), scope) == []
