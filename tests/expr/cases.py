"""One record, one context and a table of expressions with the value each must produce.

The evaluator tests check these in Python; the SQL compiler tests check the same table on SQLite
and PostgreSQL, so every operator and function is pinned in both back ends, including its null
cases. Fields starting with ``n`` are null in the record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from apiary.expr import EvalContext, Scope, Type

FIELDS: dict[str, Type] = {
    "id": Type.INT,
    "s": Type.STRING, "u": Type.STRING, "e": Type.enum(("low", "high")), "i": Type.INT,
    "j": Type.INT, "d": Type.DECIMAL, "b": Type.BOOL, "dt": Type.DATE, "ts": Type.DATETIME,
    "ns": Type.STRING, "ni": Type.INT, "nd": Type.DECIMAL, "nb": Type.BOOL, "ndt": Type.DATE,
    "nts": Type.DATETIME,
}
SCOPE = Scope(fields=FIELDS)
ROW: dict[str, Any] = {
    "id": 1, "s": "Fix login", "u": "héllo wörld", "e": "high", "i": 7, "j": -2,
    "d": Decimal("2.50"), "b": True, "dt": date(2026, 2, 1),
    "ts": datetime(2026, 1, 30, 9, 15, 0, 123456),
    "ns": None, "ni": None, "nd": None, "nb": None, "ndt": None, "nts": None,
}
CTX = EvalContext.create(user_id=5, email="ann@example.com", roles=["admin", "editor"],
                         now=datetime(2026, 1, 31, 10, 0, tzinfo=UTC))


def make_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "records", metadata, sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("s", sa.String(50)), sa.Column("u", sa.Text), sa.Column("e", sa.String(10)),
        sa.Column("i", sa.Integer), sa.Column("j", sa.BigInteger),
        sa.Column("d", sa.Numeric(18, 4)), sa.Column("b", sa.Boolean),
        sa.Column("dt", sa.Date), sa.Column("ts", sa.DateTime),
        sa.Column("ns", sa.String(50)), sa.Column("ni", sa.Integer),
        sa.Column("nd", sa.Numeric(18, 4)), sa.Column("nb", sa.Boolean),
        sa.Column("ndt", sa.Date), sa.Column("nts", sa.DateTime))


D = Decimal

CASES: list[tuple[str, Any]] = [
    # literals
    ("1", 1), ("12.50", D("12.50")), ("'it\\'s'", "it's"), ('"tab\\there"', "tab\there"),
    ("'\\u00e9'", "é"), ("true", True), ("false", False), ("null", None),
    # integer arithmetic: truncating division and remainder, division by zero is null
    ("i + 1", 8), ("i - 10", -3), ("i * j", -14), ("i / 2", 3), ("-i / 2", -3), ("i / j", -3),
    ("i % 3", 1), ("-i % 3", -1), ("i % -3", 1), ("i / 0", None), ("i % 0", None),
    ("i / (j + 2)", None), ("ni + 1", None), ("-ni", None), ("-i", -7), ("2 + 3 * 4", 14),
    ("(2 + 3) * 4", 20),
    # decimal arithmetic: rounded to 4 places, half away from zero
    ("d * 3", D("7.5")), ("d / 3", D("0.8333")), ("d / 16", D("0.1563")),
    ("-d / 16", D("-0.1563")), ("d + i", D("9.5")), ("d - 0.005", D("2.495")),
    ("d / 0", None), ("d / 0.0", None), ("nd * 2", None), ("-d", D("-2.50")),
    ("i * 1.5", D("10.5")),
    # strings
    ("s + '!'", "Fix login!"), ("ns + 'x'", None), ("'a' + 'b'", "ab"),
    # equality is null-safe
    ("i == 7", True), ("i != 7", False), ("ni == null", True), ("ni != null", False),
    ("i == null", False), ("ni == 1", False), ("ni != 1", True), ("i == 7.0", True),
    ("d == 2.5", True), ("s == 'Fix login'", True), ("ns == ns", True), ("ns != s", True),
    ("b == true", True), ("nb == false", False), ("nb != true", True), ("nb == null", True),
    ("!b == null", False), ("(i > 1) == b", True), ("(ni > 1) == nb", False),
    ("dt == date('2026-02-01')", True), ("e == 'high'", True), ("e != 'low'", True),
    # ordering is false when an operand is null
    ("i < 8", True), ("i >= 8", False), ("ni < 1", False), ("ni >= 1", False),
    ("!(ni < 1)", True), ("1 > ni", False), ("d > 2.49", True), ("d <= i", True),
    ("s < 'a'", True), ("'B' < 'a'", True), ("u > 'h'", True), ("ns < 'a'", False),
    ("dt < date('2026-02-02')", True), ("ts > datetime('2026-01-30T09:15:00Z')", True),
    ("ts < now", True), ("dt > today", True), ("nts < now", False),
    ("ts <= datetime('2026-01-30T10:15:00+01:00')", False),
    # in: false for a null element or list; null items never match
    ("i in [1, 7]", True), ("i in []", False), ("ni in [1, null]", False),
    ("i in [null]", False), ("e in ['low', 'high']", True), ("'admin' in user.roles", True),
    ("'x' in user.roles", False), ("d in [2.5]", True), ("i in [j, 7]", True),
    ("i in [ni, 7]", True), ("i in [ni]", False), ("ni in [ni]", False), ("7 in [i]", True),
    ("s in ['x', ns]", False),
    # logic: a null condition counts as false
    ("b && i > 1", True), ("nb && true", False), ("nb || true", True), ("!nb", True),
    ("!b", False), ("nb || nb", False), ("!(nb || ni > 0)", True),
    ("ni > 0 || s == 'Fix login'", True), ("b && b && i == 7 && !nb", True),
    ("nb ? 1 : 2", 2), ("b ? 1 : 2", 1), ("b ? 1 : 2.5", D(1)), ("b ? ns : 'x'", None),
    ("i > 3 ? 'big' : 'small'", "big"), ("nb ? null : dt", date(2026, 2, 1)),
    ("b ? i > 3 : false", True), ("!(b ? nb : true)", True),
    # string functions
    ("size(s)", 9), ("s.size()", 9), ("size(u)", 11), ("size(ns)", None),
    ("size(user.roles)", 2), ("size([1, 2, 3])", 3), ("size([i, j])", 2),
    ("s.contains('log')", True), ("s.contains('')", True), ("ns.contains('a')", False),
    ("s.contains(ns)", False), ("u.contains('ö')", True), ("s.startsWith('Fix')", True),
    ("s.startsWith('fix')", False), ("u.startsWith('hé')", True), ("s.endsWith('login')", True),
    ("s.endsWith('')", True), ("s.endsWith('xFix login')", False), ("ns.endsWith('')", False),
    ("!s.startsWith(ns)", True), ("lower(s)", "fix login"), ("upper(s)", "FIX LOGIN"),
    ("lower(ns)", None), ("trim('  a b \\t')", "a b"), ("trim(' ' + s + '\\n')", "Fix login"),
    ("trim(ns)", None),
    # numbers
    ("abs(-3)", 3), ("abs(j)", 2), ("abs(-d)", D("2.50")), ("abs(ni)", None),
    ("round(d, 0)", D(3)), ("round(-d, 0)", D(-3)), ("round(d / 3, 2)", D("0.83")),
    ("round(i, 1)", D(7)), ("round(nd, 1)", None),
    ("min(i, j)", -2), ("max(i, d)", D(7)), ("min(s, 'a')", "Fix login"),
    ("max(s, 'a')", "a"), ("max(dt, today)", date(2026, 2, 1)), ("min(ni, 1)", None),
    ("max(1, ni)", None), ("min(ts, now)", datetime(2026, 1, 30, 9, 15, 0, 123456)),
    ("coalesce(ni, 3)", 3), ("coalesce(ni, ni, 4)", 4), ("coalesce(ns, s)", "Fix login"),
    ("coalesce(nb, b)", True), ("coalesce(ni, null)", None), ("coalesce(ni, d)", D("2.50")),
    ("coalesce(ni, i) + 1", 8), ("(b ? null : null) + i", None),
    ("size(b ? null : coalesce(null, null))", None), ("(b ? null : null) == ns", True),
    # dates
    ("date(ts)", date(2026, 1, 30)), ("date(nts)", None), ("add_days(dt, 30)", date(2026, 3, 3)),
    ("add_days(dt, -32)", date(2025, 12, 31)), ("add_days(dt, ni)", None),
    ("add_days(ndt, 1)", None), ("add_days(ts, 1)", datetime(2026, 1, 31, 9, 15, 0, 123456)),
    ("add_days(ts, -31)", datetime(2025, 12, 30, 9, 15, 0, 123456)),
    ("add_days(today, i)", date(2026, 2, 7)), ("add_days(now, 1) > ts", True),
    ("days_between(dt, date('2026-03-01'))", 28), ("days_between(date('2026-03-01'), dt)", -28),
    ("days_between(today, dt)", 1), ("days_between(ndt, dt)", None),
    ("year(dt)", 2026), ("month(ts)", 1), ("day(dt)", 1), ("day(ts)", 30), ("year(ndt)", None),
    ("date(ts) < dt", True),
    # context
    ("user.id", 5), ("user.email", "ann@example.com"), ("i == user.id", False),
    ("user.id + i", 12), ("now", datetime(2026, 1, 31, 10, 0)), ("today", date(2026, 1, 31)),
]
