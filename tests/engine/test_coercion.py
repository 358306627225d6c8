"""Coercion of client values, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apiary.definition.compiled import Field, FieldType
from apiary.engine.coercion import ValueProblem, coerce
from apiary.engine.serialize import field_json


def field(type_: FieldType, **options: Any) -> Field:
    return Field(name="f", type=type_, label="F", **options)


@pytest.mark.parametrize(("f", "value", "stored"), [
    (field(FieldType.INTEGER), 7, 7),
    (field(FieldType.INTEGER), 7.0, 7),
    (field(FieldType.DECIMAL), "12.5", Decimal("12.50")),
    (field(FieldType.DECIMAL, scale=0), 12, Decimal("12")),
    (field(FieldType.DECIMAL), 0.1, Decimal("0.10")),
    (field(FieldType.DECIMAL), "12.500", Decimal("12.50")),
    (field(FieldType.MONEY, currency="EUR"), {"amount": "3", "currency": "EUR"},
     Decimal("3.00")),
    (field(FieldType.DATE), "2026-02-28", dt.date(2026, 2, 28)),
    (field(FieldType.DATETIME), "2026-02-28T10:00:00Z", dt.datetime(2026, 2, 28, 10)),
    (field(FieldType.DATETIME), "2026-02-28T10:00:00-05:00", dt.datetime(2026, 2, 28, 15)),
    (field(FieldType.DATETIME), "2026-02-28 10:00", dt.datetime(2026, 2, 28, 10)),
    (field(FieldType.BOOLEAN), False, False),
    (field(FieldType.STRING), "", None),
    (field(FieldType.JSON), {"a": [1, None]}, {"a": [1, None]}),
])
def test_accepted(f: Field, value: Any, stored: Any) -> None:
    assert coerce(f, value) == {"f": stored}


@pytest.mark.parametrize(("f", "value", "code"), [
    (field(FieldType.INTEGER), "7", "type"),
    (field(FieldType.INTEGER), True, "type"),
    (field(FieldType.INTEGER), 2**63, "max"),
    (field(FieldType.DECIMAL), "12,5", "type"),
    (field(FieldType.DECIMAL), "1e3", "type"),
    (field(FieldType.DECIMAL), "0.125", "scale"),
    (field(FieldType.DECIMAL), "1" * 17, "max"),
    (field(FieldType.MONEY, currency="EUR"), {"amount": "3", "currency": "USD"}, "currency"),
    (field(FieldType.DATE), "2026-2-28", "type"),
    (field(FieldType.DATE), "20260228", "type"),
    (field(FieldType.DATE), "2026-02-28T00:00:00", "type"),
    (field(FieldType.DATETIME), 1700000000, "type"),
    (field(FieldType.BOOLEAN), "true", "type"),
    (field(FieldType.BOOLEAN), 1, "type"),
    (field(FieldType.STRING), 5, "type"),
    (field(FieldType.FILE), "a.pdf", "type"),
    (field(FieldType.JSON), {1, 2}, "type"),
    (field(FieldType.REF), "3", "type"),
])
def test_refused(f: Field, value: Any, code: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        coerce(f, value)
    assert caught.value.code == code


@given(st.decimals(min_value=-(10**15), max_value=10**15, places=2, allow_nan=False))
def test_decimals_round_trip_through_json(number: Decimal) -> None:
    f = field(FieldType.DECIMAL)
    stored = coerce(f, str(number))
    assert stored["f"] == number
    assert coerce(f, field_json(f, stored)) == stored
