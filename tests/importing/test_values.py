"""Reading cells as people type them: the values a messy sheet holds must read exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apiary.importing import values


@pytest.mark.parametrize(("cell", "comma", "expected"), [
    ("1,234", False, 1234), ("1 234", False, 1234), ("-17", False, -17), (42, False, 42),
    (3.0, False, 3), ("1.234", True, 1234),
])
def test_integers_with_thousands_separators(cell: object, comma: bool, expected: int) -> None:
    assert values.integer(cell, comma) == expected


@pytest.mark.parametrize("cell", ["12.5", "1,2", "abc", True, 2.5, ""])
def test_what_is_not_a_whole_number(cell: object) -> None:
    with pytest.raises(values.Unreadable):
        values.integer(cell)


@pytest.mark.parametrize(("cell", "comma", "amount", "currency"), [
    ("£1,234.50", False, "1234.50", "GBP"), ("1 200,50 EUR", True, "1200.50", "EUR"),
    ("($12.00)", False, "-12.00", "USD"), ("-€5", False, "-5", "EUR"),
    ("CHF 99.90", False, "99.90", "CHF"), ("15.00", False, "15.00", None),
])
def test_money_keeps_exact_amounts_and_the_currency(cell: str, comma: bool, amount: str,
                                                     currency: str | None) -> None:
    money = values.money(cell, comma)
    assert money.amount == Decimal(amount) and str(money.amount) == amount
    assert money.currency == currency


@pytest.mark.parametrize(("cell", "day_first", "expected"), [
    ("2024-03-05", True, dt.date(2024, 3, 5)), ("05/03/2024", True, dt.date(2024, 3, 5)),
    ("03/05/2024", False, dt.date(2024, 3, 5)), ("5 Mar 2024", True, dt.date(2024, 3, 5)),
    ("March 5, 2024", True, dt.date(2024, 3, 5)), ("5.3.24", True, dt.date(2024, 3, 5)),
    (dt.datetime(2024, 3, 5), True, dt.date(2024, 3, 5)),
])
def test_dates_in_the_formats_sheets_use(cell: object, day_first: bool,
                                         expected: dt.date) -> None:
    assert values.date(cell, day_first) == expected


@pytest.mark.parametrize("cell", ["31/02/2024", "2024-13-01", "soon", "12 Foo 2024",
                                  dt.datetime(2024, 1, 1, 9, 30)])
def test_impossible_dates_are_unreadable(cell: object) -> None:
    with pytest.raises(values.Unreadable):
        values.date(cell)


def test_date_times_become_naive_utc() -> None:
    assert values.datetime("2024-03-01T10:00:00+02:00") == dt.datetime(2024, 3, 1, 8)
    assert values.datetime("01/03/2024 2:30 PM") == dt.datetime(2024, 3, 1, 14, 30)
    with pytest.raises(values.Unreadable):
        values.datetime("2024-03-01")


def test_the_order_of_day_and_month_is_told_from_the_values() -> None:
    assert values.slash_date_order(["01/02/2024", "25/02/2024"]) is True
    assert values.slash_date_order(["02/25/2024", "01/02/2024"]) is False
    assert values.slash_date_order(["01/02/2024", "03/04/2024"]) is None


def test_yes_no_contacts() -> None:
    assert values.boolean("Yes") is True and values.boolean("n") is False
    assert values.email(" ana@example.com ") == "ana@example.com"
    assert values.url("www.example.com") == "https://www.example.com"
    assert values.phone("+44 20 7946 0001") == "+44 20 7946 0001"
    for reader, cell in [(values.boolean, "maybe"), (values.email, "ana@"),
                         (values.phone, "12-34")]:
        with pytest.raises(values.Unreadable):
            reader(cell)
