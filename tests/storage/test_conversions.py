"""Type changes: how each is classified, and how values are converted one by one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from apiary.storage.migrations.conversions import ConversionError, backfill, classify, convert
from apiary.storage.migrations.steps import StepKind
from apiary.storage.types import Kind

TEXT = Kind("text")
INT = Kind("integer")
BOOL = Kind("boolean")
DATE = Kind("date")
DATETIME = Kind("datetime")
JSON = Kind("json")


def string(n: int) -> Kind:
    return Kind("string", length=n)


def numeric(p: int, s: int) -> Kind:
    return Kind("numeric", precision=p, scale=s)


@pytest.mark.parametrize(("old", "new", "kind", "counted", "always"), [
    (string(10), string(20), StepKind.WIDEN_TYPE, False, False),
    (string(10), TEXT, StepKind.WIDEN_TYPE, False, False),
    (TEXT, string(10), StepKind.NARROW_TYPE, True, False),
    (string(20), string(10), StepKind.NARROW_TYPE, True, False),
    (numeric(18, 2), numeric(20, 4), StepKind.WIDEN_TYPE, False, False),
    (numeric(18, 4), numeric(18, 2), StepKind.NARROW_TYPE, True, False),
    (INT, numeric(18, 2), StepKind.CHANGE_TYPE, True, False),
    (numeric(18, 2), INT, StepKind.CHANGE_TYPE, True, False),
    (INT, BOOL, StepKind.CHANGE_TYPE, True, False),
    (BOOL, INT, StepKind.CHANGE_TYPE, False, False),
    (DATE, DATETIME, StepKind.CHANGE_TYPE, False, False),
    (INT, TEXT, StepKind.CHANGE_TYPE, False, False),
    (DATETIME, string(255), StepKind.CHANGE_TYPE, False, False),
    (INT, string(5), StepKind.CHANGE_TYPE, False, True),
    (TEXT, JSON, StepKind.CHANGE_TYPE, False, False),
    (string(255), INT, StepKind.CHANGE_TYPE, False, True),
    (DATETIME, DATE, StepKind.CHANGE_TYPE, False, True),
    (JSON, INT, StepKind.CHANGE_TYPE, False, True),
])
def test_classify(old: Kind, new: Kind, kind: StepKind, counted: bool, always: bool) -> None:
    change = classify(old, new)
    assert (change.kind, change.lossy is not None, change.always_lossy) == (kind, counted, always)


@pytest.mark.parametrize(("value", "to", "expected"), [
    (" 42 ", INT, 42),
    ("42.0", INT, 42),
    (True, INT, 1),
    (Decimal("7.00"), INT, 7),
    ("3.14159", numeric(18, 2), ConversionError),
    ("3.10", numeric(18, 2), Decimal("3.10")),
    (5, numeric(18, 2), Decimal("5.00")),
    (10**16, numeric(18, 2), ConversionError),
    ("NaN", numeric(18, 2), ConversionError),
    ("yes", BOOL, True),
    ("off", BOOL, False),
    (1, BOOL, True),
    (2, BOOL, ConversionError),
    ("maybe", BOOL, ConversionError),
    ("2026-03-04", DATE, dt.date(2026, 3, 4)),
    (dt.datetime(2026, 3, 4), DATE, dt.date(2026, 3, 4)),
    (dt.datetime(2026, 3, 4, 5, 6), DATE, ConversionError),
    ("04/03/2026", DATE, ConversionError),
    (dt.date(2026, 3, 4), DATETIME, dt.datetime(2026, 3, 4)),
    ("2026-03-04T05:06:07+02:00", DATETIME, dt.datetime(2026, 3, 4, 3, 6, 7)),
    (Decimal("1.50"), TEXT, "1.50"),
    (False, TEXT, "false"),
    (dt.datetime(2026, 3, 4, 5, 6), TEXT, "2026-03-04 05:06:00"),
    ({"b": 1, "a": [2]}, TEXT, '{"a": [2], "b": 1}'),
    ("abcdef", string(3), ConversionError),
    ("abc", INT, ConversionError),
    (2**63, INT, ConversionError),
    ("plain", JSON, "plain"),
    (Decimal("2.5"), JSON, "2.5"),
    (None, INT, None),
])
def test_convert_without_loss(value: Any, to: Kind, expected: Any) -> None:
    if expected is ConversionError:
        with pytest.raises(ConversionError):
            convert(value, to, lossy_ok=False)
    else:
        assert convert(value, to, lossy_ok=False) == expected


@pytest.mark.parametrize(("value", "to", "expected"), [
    ("abcdef", string(3), "abc"),
    ("3.14159", numeric(18, 2), Decimal("3.14")),
    ("2.5", INT, 3),
    (dt.datetime(2026, 3, 4, 5, 6), DATE, dt.date(2026, 3, 4)),
])
def test_convert_when_loss_is_allowed(value: Any, to: Kind, expected: Any) -> None:
    assert convert(value, to, lossy_ok=True) == expected


def test_conversion_errors_say_why() -> None:
    with pytest.raises(ConversionError, match=r"is 6 characters long; string\(3\) holds 3"):
        convert("abcdef", string(3), lossy_ok=False)
    with pytest.raises(ConversionError, match="has more than 2 decimal places"):
        convert("1.234", numeric(18, 2), lossy_ok=False)


def test_backfill_resolves_now_and_today_in_utc() -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    filled = backfill("now", DATETIME)
    assert abs(filled - now) < dt.timedelta(seconds=5) and filled.tzinfo is None
    assert backfill("today", DATE) in (now.date(), now.date() + dt.timedelta(days=1))
    assert backfill("now", TEXT) == "now"
    assert backfill(Decimal("2"), numeric(18, 2)) == Decimal("2.00")
