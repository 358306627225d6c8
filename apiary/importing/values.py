"""Reading the values people type into spreadsheets: numbers, money, dates, yes/no, contacts.

Each reader takes one cell (a string from a CSV file, or what a spreadsheet library returned)
and gives the typed value or raises :class:`Unreadable`. Column inference tries them on every
cell of a column; the loader uses the chosen one again on each row, so a value is read the same
way when typing a column and when loading it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

CURRENCY_SYMBOLS: Final = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR",
                           "CHF": "CHF", "Fr.": "CHF", "kr": "SEK", "zł": "PLN", "R$": "BRL",
                           "A$": "AUD", "C$": "CAD", "US$": "USD"}
ISO_CURRENCIES: Final = frozenset({
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
    "HUF", "INR", "CNY", "HKD", "SGD", "ZAR", "BRL", "MXN"})
TRUE_WORDS: Final = frozenset({"yes", "y", "true", "t", "oui", "ja", "sí", "si", "x", "✓"})
FALSE_WORDS: Final = frozenset({"no", "n", "false", "f", "non", "nein"})
MONTHS: Final = {name: i + 1 for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december"))) for name in names}

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}\Z")
_URL: Final = re.compile(r"(https?://|www\.)[^\s]+\Z", re.IGNORECASE)
_PHONE: Final = re.compile(r"\+?[0-9 ().\-/]{7,24}\Z")
_US_NUMBER: Final = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\Z")
_EU_NUMBER: Final = re.compile(r"[+-]?(\d{1,3}([.\s\u00a0\u202f]\d{3})+|\d+)(,\d+)?\Z")
_SPACED_NUMBER: Final = re.compile(r"[+-]?\d{1,3}([\s\u00a0\u202f]\d{3})+(\.\d+)?\Z")
_ISO_DATE: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z")
_YMD_SLASH: Final = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})\Z")
_NUMERIC_DATE: Final = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\Z")
_NAMED_DMY: Final = re.compile(r"(\d{1,2})[\s\-]+([A-Za-z]{3,9})\.?[\s\-,]+(\d{4})\Z")
_NAMED_MDY: Final = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(st|nd|rd|th)?,?\s+(\d{4})\Z")
_TIME: Final = re.compile(r"(\d{1,2}):(\d{2})(:(\d{2}))?\s*([AaPp][Mm])?\Z")


class Unreadable(ValueError):
    """This cell is not a value of the kind tried."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str | None


def text(cell: Any) -> str:
    """A cell as trimmed text ('' for an empty cell)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def boolean(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    word = text(cell).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Unreadable(cell)


def integer(cell: Any, decimal_comma: bool = False) -> int:
    """A whole number, with thousands separators allowed (``1,234``; ``1.234`` with
    ``decimal_comma``); ``12.0`` typed as text is a decimal, not an integer."""
    if isinstance(cell, bool):
        raise Unreadable(cell)
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell)
        raise Unreadable(cell)
    if ("," if decimal_comma else ".") in text(cell):
        raise Unreadable(cell)
    return int(number(cell, decimal_comma))


def number(cell: Any, decimal_comma: bool = False) -> Decimal:
    """``1,234.50`` (or ``1.234,50`` with ``decimal_comma``), ``1 234``, ``(12.00)``, ``-3``."""
    if isinstance(cell, bool):
        raise Unreadable(cell)
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell))
    raw = text(cell)
    negative = raw.startswith("(") and raw.endswith(")")
    if negative:
        raw = raw[1:-1].strip()
    if decimal_comma:
        if not _EU_NUMBER.match(raw):
            raise Unreadable(cell)
        raw = re.sub(r"[.\s\u00a0\u202f]", "", raw).replace(",", ".")
    else:
        if not (_US_NUMBER.match(raw) or _SPACED_NUMBER.match(raw)):
            raise Unreadable(cell)
        raw = re.sub(r"[,\s\u00a0\u202f]", "", raw)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Unreadable(cell) from None
    return -value if negative else value


def money(cell: Any, decimal_comma: bool = False) -> Money:
    """A number with an optional currency symbol or ISO code before or after it."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return Money(number(cell), None)
    raw = text(cell)
    sign = ""
    if raw.startswith("(") and raw.endswith(")"):
        raw, sign = raw[1:-1].strip(), "-"
    elif raw.startswith("-"):
        raw, sign = raw[1:].strip(), "-"
    currency = None
    for code in ISO_CURRENCIES:
        if raw.upper().startswith(code) or raw.upper().endswith(code):
            currency = code
            raw = (raw[3:] if raw.upper().startswith(code) else raw[:-3]).strip()
            break
    else:
        for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
            if raw.startswith(symbol):
                currency = CURRENCY_SYMBOLS[symbol]
                raw = raw.replace(symbol, "", 1).strip()
                break
            if raw.endswith(symbol):
                currency = CURRENCY_SYMBOLS[symbol]
                raw = raw[: -len(symbol)].strip()
                break
    return Money(number(sign + raw, decimal_comma), currency)


def has_currency(cell: Any) -> bool:
    try:
        return money(cell).currency is not None or money(cell, True).currency is not None
    except Unreadable:
        try:
            return money(cell, True).currency is not None
        except Unreadable:
            return False


def date(cell: Any, day_first: bool = True) -> dt.date:
    """ISO, ``31/12/2024`` (or ``12/31/2024`` without ``day_first``), ``3 Jan 2024``,
    ``Jan 3, 2024``, or a spreadsheet date (without a time of day)."""
    if isinstance(cell, dt.datetime):
        if cell.time() != dt.time(0):
            raise Unreadable(cell)
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    raw = text(cell)
    try:
        if m := _ISO_DATE.match(raw) or _YMD_SLASH.match(raw):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC_DATE.match(raw):
            a, b, year = int(m[1]), int(m[2]), _year(m[3])
            day, month = (a, b) if day_first else (b, a)
            return dt.date(year, month, day)
        if m := _NAMED_DMY.match(raw):
            return dt.date(int(m[3]), _month(m[2]), int(m[1]))
        if m := _NAMED_MDY.match(raw):
            return dt.date(int(m[4]), _month(m[1]), int(m[2]))
    except ValueError:
        raise Unreadable(cell) from None
    raise Unreadable(cell)


def datetime(cell: Any, day_first: bool = True) -> dt.datetime:
    """A date with a time of day, as naive UTC (``2024-03-01 14:30``, ``01/03/2024 2:30 PM``,
    ISO 8601 with an offset)."""
    if isinstance(cell, dt.datetime):
        return cell
    if isinstance(cell, dt.date):
        raise Unreadable(cell)
    raw = text(cell)
    try:
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        pass
    else:
        if "T" not in raw and " " not in raw:
            raise Unreadable(cell)  # a bare date is a date
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
        return parsed
    day_part, _, time_part = raw.partition(" ")
    match = _TIME.match(time_part.strip())
    if not match:
        raise Unreadable(cell)
    hour, minute, second = int(match[1]), int(match[2]), int(match[4] or 0)
    if match[5]:
        if not 1 <= hour <= 12:
            raise Unreadable(cell)
        hour = hour % 12 + (12 if match[5].lower() == "pm" else 0)
    day = date(day_part, day_first)
    try:
        return dt.datetime.combine(day, dt.time(hour, minute, second))
    except ValueError:
        raise Unreadable(cell) from None


def slash_date_order(cells: list[Any]) -> bool | None:
    """Whether numeric dates like ``03/04/2024`` in these cells are day first (True), month
    first (False), or cannot be told apart (None)."""
    day_first = month_first = False
    for cell in cells:
        match = _NUMERIC_DATE.match(text(cell).partition(" ")[0])
        if match:
            day_first |= int(match[1]) > 12
            month_first |= int(match[2]) > 12
    if day_first != month_first:
        return day_first
    return None


def email(cell: Any) -> str:
    raw = text(cell)
    if not _EMAIL.match(raw):
        raise Unreadable(cell)
    return raw


def url(cell: Any) -> str:
    raw = text(cell)
    if not _URL.match(raw):
        raise Unreadable(cell)
    return raw if raw.lower().startswith("http") else "https://" + raw


def phone(cell: Any) -> str:
    raw = text(cell)
    if not _PHONE.match(raw) or sum(ch.isdigit() for ch in raw) < 7:
        raise Unreadable(cell)
    return raw


def _year(raw: str) -> int:
    year = int(raw)
    return year + (2000 if year < 70 else 1900) if len(raw) == 2 else year


def _month(name: str) -> int:
    try:
        return MONTHS[name.lower()]
    except KeyError:
        raise ValueError(name) from None


Reader = Callable[[Any], Any]
