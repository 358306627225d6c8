"""Choosing a field type for each column from the values in it.

Every non-empty cell of a column must read as the chosen type; the most specific type that
reads them all wins (integer before decimal, date before datetime, e-mail before text). Headers
break ties a value cannot: "Amount" in a numbers column means money, "Phone" in a digits column
means a phone number. Low-cardinality text becomes an enum.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

from apiary.importing import values

MONEY_WORDS: Final = re.compile(
    r"amount|price|cost|total|salary|budget|fee|revenue|value|balance|payment|spend|"
    r"invoice|wage|charge|paid|due", re.IGNORECASE)
PHONE_WORDS: Final = re.compile(r"phone|tel|mobile|cell|fax", re.IGNORECASE)
PII_WORDS: Final = re.compile(
    r"e-?mail|phone|mobile|address|birth|dob|salary|iban|ssn|social.?security|passport|"
    r"national.?id|tax.?id|first.?name|last.?name|surname|full.?name|contact", re.IGNORECASE)
ENUM_MAX: Final = 12
TEXT_LENGTH: Final = 200
TYPO_RATE: Final = 50
TYPO_MIN_ROWS: Final = 20


@dataclass
class Column:
    header: str
    type: str
    """A definition field type: string, text, integer, decimal, money, date, datetime, boolean,
    email, url, phone or enum (``ref`` is decided later, across tables)."""
    read: Callable[[Any], Any]
    """Reads one cell as this type; raises values.Unreadable."""
    required: bool = False
    unique: bool = False
    currency: str | None = None
    scale: int | None = None
    choices: list[str] = field(default_factory=list)
    """enum: the distinct values as they appear, in first-seen order."""
    max_length: int | None = None
    mixed_currencies: bool = False
    """money: values carry different currencies, so each keeps its own."""
    pii: bool = False
    distinct: frozenset[str] = frozenset()
    """The distinct texts of the column (for matching references), when it is a key."""
    notes: list[str] = field(default_factory=list)


def infer(header: str, cells: Sequence[Any], row_count: int,
          decimal_comma: bool = False) -> Column:
    """The column's type and options from its header and its sampled cells."""
    present = [c for c in cells if values.text(c) != ""]
    texts = [values.text(c) for c in present]
    column = _typed(header, present, texts, decimal_comma)
    column.required = bool(present) and len(present) == len(cells) and len(cells) == row_count
    if column.type in ("string", "integer", "email", "phone", "url") and present:
        column.unique = len(set(texts)) == len(texts) == row_count and row_count >= 2
        if column.unique:
            column.distinct = frozenset(texts)
    column.pii = column.type in ("email", "phone") or bool(PII_WORDS.search(header))
    return column


def _typed(header: str, present: list[Any], texts: list[str], decimal_comma: bool) -> Column:
    if not present:
        return Column(header, "string", values.text,
                      notes=[f"Column `{header}` is empty; imported as text."])
    if _all(values.boolean, present) and len({t.lower() for t in texts}) <= 2 and \
            not _all(values.integer, present):
        return Column(header, "boolean", values.boolean)
    for comma in (decimal_comma, not decimal_comma):
        number_column = _numbers(header, present, texts, comma)
        if number_column is not None:
            return number_column
    order = values.slash_date_order(present)
    day_first = order is not False
    note = [] if order is not None or not any("/" in t for t in texts) else [
        f"Dates in `{header}` could be day/month or month/day; read as day/month."]
    if _all(partial(values.date, day_first=day_first), present):
        return Column(header, "date", partial(values.date, day_first=day_first), notes=note)
    if _all(partial(_date_or_datetime, day_first=day_first), present):
        return Column(header, "datetime", partial(_date_or_datetime, day_first=day_first),
                      notes=note)
    if _all(values.email, present):
        return Column(header, "email", values.email)
    if _all(values.url, present):
        return Column(header, "url", values.url)
    if _all(values.phone, present) and (PHONE_WORDS.search(header) or any(
            t.startswith("+") or " " in t or "-" in t for t in texts)):
        return Column(header, "phone", values.phone)
    longest = max(len(t) for t in texts)
    distinct = list(dict.fromkeys(texts))
    if len(distinct) <= min(ENUM_MAX, max(3, len(texts) // 2)) and len(distinct) < len(texts) \
            and longest <= 40 and len(texts) >= 4 and _enum_values_fit(distinct):
        return Column(header, "enum", values.text, choices=distinct)
    if longest > TEXT_LENGTH or any("\n" in t for t in texts):
        return Column(header, "text", values.text)
    return Column(header, "string", values.text)


def _numbers(header: str, present: list[Any], texts: list[str],
             decimal_comma: bool) -> Column | None:
    integer = partial(values.integer, decimal_comma=decimal_comma)
    number = partial(values.number, decimal_comma=decimal_comma)
    money = partial(values.money, decimal_comma=decimal_comma)
    style = ["Numbers in `{}` use a decimal comma (1.234,56)."] if decimal_comma else []
    notes = [s.format(header) for s in style]
    if _all(money, present) and any(values.has_currency(c) for c in present):
        currencies = {m.currency for m in _read(money, present) if m.currency}
        currency = currencies.pop() if len(currencies) == 1 else None
        return Column(header, "money", money, currency=currency,
                      mixed_currencies=currency is None, notes=notes + (
            [] if currency else [f"`{header}` holds several currencies; each value keeps "
                                 "its own."]))
    if _all(integer, present):
        if PHONE_WORDS.search(header) or any(t.startswith("0") and len(t) > 1 for t in texts):
            return Column(header, "phone" if _all(values.phone, present) else "string",
                          values.text)
        if MONEY_WORDS.search(header):
            return Column(header, "money", money, notes=notes)
        return Column(header, "integer", integer, notes=notes)
    if _all(number, present):
        scale = max(_scale(n) for n in _read(number, present))
        if MONEY_WORDS.search(header) and scale <= 2:
            return Column(header, "money", money, notes=notes)
        return Column(header, "decimal", number, scale=max(scale, 2), notes=notes)
    return None


def _date_or_datetime(cell: Any, day_first: bool) -> Any:
    try:
        return values.datetime(cell, day_first)
    except values.Unreadable:
        return values.date(cell, day_first)


def _all(reader: Callable[[Any], Any], cells: list[Any]) -> bool:
    """Whether ``reader`` reads the cells, but for a typo in a column of 20 or more (1 in 50):
    those rows are then reported when loading rather than turning the whole column into text."""
    allowed = max(1, len(cells) // TYPO_RATE) if len(cells) >= TYPO_MIN_ROWS else 0
    failed = 0
    for cell in cells:
        try:
            reader(cell)
        except values.Unreadable:
            failed += 1
            if failed > allowed:
                return False
    return True


def _read(reader: Callable[[Any], Any], cells: list[Any]) -> list[Any]:
    """The cells ``reader`` reads, as read (the typos left out)."""
    out = []
    for cell in cells:
        try:
            out.append(reader(cell))
        except values.Unreadable:
            continue
    return out


def _scale(number: Any) -> int:
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _enum_values_fit(distinct: list[str]) -> bool:
    """Short labels, not free text that happens to repeat (e.g. a few names)."""
    return all(len(t.split()) <= 4 for t in distinct) and any(
        not t[:1].isupper() or t.isupper() or len(t.split()) == 1 for t in distinct)
