from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from apiary.expr import EvalContext, ExprError, Scope, Type, compile_python, parse

from .cases import CASES, CTX, ROW, SCOPE


def run(text: str, record: dict[str, Any] | None = None, scope: Scope = SCOPE,
        ctx: EvalContext = CTX) -> Any:
    return compile_python(parse(text), scope)(ROW if record is None else record, ctx)


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_value(text: str, expected: Any) -> None:
    got = run(text)
    assert got == expected
    assert type(got) is type(expected)


def test_boolean_expressions_return_true_or_false_never_none() -> None:
    assert run("nb") is False
    assert run("coalesce(nb, nb)") is False
    assert run("b") is True


def test_missing_record_keys_read_as_null() -> None:
    assert run("i == null", {}) is True
    assert run("size(s)", {}) is None


def test_record_values_are_normalised() -> None:
    scope = Scope(fields={"d": Type.DECIMAL, "t": Type.DATETIME, "b": Type.BOOL})
    record = {"d": 0.1, "t": datetime(2026, 1, 31, 11, 0, tzinfo=timezone(timedelta(hours=1))),
              "b": 1}
    assert run("d + 0.2", record, scope) == Decimal("0.3")
    assert run("t == datetime('2026-01-31T10:00:00Z')", record, scope) is True
    assert run("b == true", record, scope) is True


def test_matches_runs_in_python() -> None:
    assert run("s.matches('^F.x')") is True
    assert run("s.matches('^x')") is False
    assert run("ns.matches('.*')") is False


def test_context_values() -> None:
    anonymous = EvalContext.create(now=datetime(2026, 3, 1, 23, 30, tzinfo=timezone(
        timedelta(hours=-5))))
    assert run("user.id == null", ctx=anonymous) is True
    assert run("'admin' in user.roles", ctx=anonymous) is False
    assert run("today", ctx=anonymous) == date(2026, 3, 2)
    assert run("now", ctx=anonymous) == datetime(2026, 3, 2, 4, 30)


def test_context_requires_an_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        EvalContext.create(now=datetime(2026, 1, 1))
    assert EvalContext.create().now.tzinfo is not None


def test_constant_parts_are_computed_once() -> None:
    fn = compile_python(parse("add_days(date('2026-01-01'), 3) == dt"), SCOPE)
    assert fn({"dt": date(2026, 1, 4)}, CTX) is True
    assert fn({"dt": date(2026, 1, 5)}, CTX) is False


def test_context_parts_are_read_at_each_call() -> None:
    fn = compile_python(parse("dt == today"), SCOPE)
    later = EvalContext.create(now=CTX.now + timedelta(days=1))
    assert fn({"dt": date(2026, 1, 31)}, CTX) is True
    assert fn({"dt": date(2026, 1, 31)}, later) is False


def test_out_of_range_dates_are_null() -> None:
    assert run("add_days(date('9999-12-31'), 1)") is None
    assert run("add_days(dt, 5000000)") is None


def test_compiling_an_expression_with_errors_raises_the_first() -> None:
    with pytest.raises(ExprError) as caught:
        compile_python(parse("nope + 1"), SCOPE)
    assert caught.value.code == "APY-E302"


def test_evaluation_is_fast() -> None:
    fn = compile_python(parse("e == 'high' && i == user.id || 'admin' in user.roles"), SCOPE)
    start = datetime.now(UTC)
    for _ in range(20_000):
        fn(ROW, CTX)
    per_call = (datetime.now(UTC) - start) / 20_000
    assert per_call < timedelta(microseconds=50)
