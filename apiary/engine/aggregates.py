"""Aggregates for dashboards: count, sum, avg, min and max, optionally grouped, in one SELECT.

The statement carries the principal's read rule in its WHERE clause, as a list does, and names
fields through the principal's :class:`Shape`: a customer's count is a count of their own
tickets, and a field they may not read cannot be aggregated, grouped by or filtered on (the
answer is the one a list gives for a field that does not exist).

Both databases give the same answer:

- Periods are computed in SQL as the ISO date of their first day, in UTC (``day``; ``week``
  starting on Monday, as ISO 8601 weeks do; ``month``; ``year``): ``strftime``/``date`` on
  SQLite, ``date_trunc`` on PostgreSQL. A group key that is a date is an ISO string too.
- ``decimal`` and ``money`` sums are exact: PostgreSQL sums ``NUMERIC``; SQLite, which stores
  these columns as floating point, sums the values scaled to whole numbers of their smallest
  unit. Averages are the exact sum divided by the number of values, rounded half-even to two
  more places than the field keeps (an integer field's average to two places).
- A money field whose currency is chosen per record is summed per currency: every bucket
  carries its ``currency`` and amounts in different currencies are never added together.

Records whose group value is empty form their own group (key None). The sum of no values is
0; the average, minimum and maximum of no values are None. Groups are ordered by their value,
largest first (then by key), and cut at ``limit``; the groups left out are summed into
``other`` when that is one addition (count, sum and avg, without a per-record currency), else
only counted in ``omitted``. Groups by period are in time order and the latest ``limit`` are
kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa

from apiary.definition.compiled import USER_ENTITY, FieldType
from apiary.engine.coercion import currency_column
from apiary.engine.errors import BadRequest
from apiary.engine.listing import compile_filter, field_type, unknown_field
from apiary.engine.plans import EntityPlan
from apiary.engine.reading import where
from apiary.engine.shapes import Shape
from apiary.expr import EvalContext

KINDS: Final = ("count", "sum", "avg", "min", "max")
PERIODS: Final = ("day", "week", "month", "year")
DEFAULT_GROUPS: Final = 12
MAX_GROUPS: Final = 100
NUMBERS: Final = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY})
EXACT: Final = frozenset({FieldType.DECIMAL, FieldType.MONEY})
TEMPORAL: Final = frozenset({FieldType.DATE, FieldType.DATETIME})
GROUPABLE: Final = frozenset({FieldType.ENUM, FieldType.BOOLEAN, FieldType.REF,
                              FieldType.STRING, FieldType.EMAIL, FieldType.PHONE, FieldType.URL,
                              FieldType.INTEGER}) | TEMPORAL
USER_REFS: Final = frozenset({"created_by", "updated_by"})
AVG_EXTRA_PLACES: Final = 2



@dataclass(frozen=True, slots=True)
class AggregateQuery:
    """What a dashboard widget asks for; only ``kind`` is needed (a count of every record)."""

    kind: str = "count"
    """count, sum, avg, min or max."""
    field: str | None = None
    """The field aggregated; needed except for count, which then counts records (with a field:
    the records where it has a value)."""
    group_by: str | None = None
    """An enum, state, boolean, ref, short text, integer, date or date-time field."""
    period: str | None = None
    """day, week, month or year: groups by that period of ``group_by`` (a date or date-time)."""
    filter: str | None = None
    """An expression over the readable fields, as for lists."""
    limit: int = DEFAULT_GROUPS
    """Most groups returned."""


@dataclass(frozen=True, slots=True)
class Bucket:
    """One group: its key, the aggregate and how many records it holds."""

    key: Any
    """The group's value: an enum or state name, a boolean, a ref id, text, an integer, or the
    ISO date (``YYYY-MM-DD``) of a date or of a period's first day. None for records without a
    value, and for the only bucket of an ungrouped aggregate."""
    value: int | Decimal | dt.date | dt.datetime | None
    count: int
    """Records in the group."""
    currency: str | None = None
    """For a money field whose currency is chosen per record: the currency of ``value``."""


@dataclass(frozen=True, slots=True)
class Aggregate:
    buckets: list[Bucket]
    """Ungrouped: one bucket (one per currency for a per-record currency, none without
    records then). Grouped: largest first, or in time order for periods."""
    other: Bucket | None = None
    """The groups beyond ``limit`` taken together (count, sum and avg only); key None."""
    omitted: int = 0
    """Groups beyond ``limit``, left out of ``buckets``."""
    refs: dict[Any, dict[str, Any]] = field(default_factory=dict)
    """Grouped by a ref: the referenced records by id as the principal may read them, as
    ``expand`` gives them (``{"id": ...}`` alone for one they may not read)."""
    target: str | None = None
    """Grouped by a ref: the entity it points to (``User`` for users)."""


@dataclass(frozen=True, slots=True)
class _Value:
    """How the aggregated values are read in SQL and turned back into Python values."""

    column: sa.ColumnElement[Any] | None
    type: FieldType | None
    scale: int
    scaled: bool
    """SQLite decimals: the column is read as whole numbers of its smallest unit."""

    def number(self, raw: Any) -> Any:
        """A sum, minimum or maximum as read from the database."""
        if raw is None or self.type is None:
            return raw
        if self.type in EXACT:
            exact = Decimal(raw).scaleb(-self.scale) if self.scaled else Decimal(raw)
            return exact.quantize(Decimal(1).scaleb(-self.scale))
        if self.type is FieldType.INTEGER:
            return int(raw)
        return raw

    def average(self, total: Any, values: int) -> Decimal | None:
        if not values or total is None:
            return None
        exact = Decimal(self.number(total)) / values
        return exact.quantize(Decimal(1).scaleb(-(self.scale + AVG_EXTRA_PLACES)))


class AggregatePlan:
    """The statement of one aggregate and how to read its rows."""

    def __init__(self, plan: EntityPlan, shape: Shape, predicate: sa.ColumnElement[bool],
                 query: AggregateQuery, ctx: EvalContext) -> None:
        _check(query)
        self.plan = plan
        self.query = query
        self.value = self._value(shape)
        self.key, self.target = self._key(shape)
        self.currency = self._currency()
        conditions = [predicate]
        if query.filter is not None and query.filter.strip():
            conditions.append(compile_filter(query.filter.strip(), shape, plan.columns, ctx,
                                             plan.dialect))
        self.statement = self._statement(conditions)

    # -- building ---------------------------------------------------------------------------
    def _value(self, shape: Shape) -> _Value:
        q, entity = self.query, self.plan.entity
        if q.field is None:
            if q.kind != "count":
                raise BadRequest("field", f"A `{q.kind}` needs `field`: the field to "
                                          "aggregate.")
            return _Value(None, None, 0, False)
        t = field_type(entity, shape, q.field)
        if t is None or t is FieldType.HAS_MANY:
            raise unknown_field("field", q.field)
        wanted = {"count": None, "sum": NUMBERS, "avg": NUMBERS, "min": NUMBERS | TEMPORAL,
                  "max": NUMBERS | TEMPORAL}[q.kind]
        if wanted is not None and t not in wanted:
            what = "a number" if q.kind in ("sum", "avg") else "a number or a date"
            raise BadRequest("field", f"`{q.field}` is not {what}, so it has no {q.kind}.")
        f = entity.fields.get(q.field)
        scale = f.scale if f is not None and t in EXACT else 0
        scaled = t in EXACT and self.plan.dialect == "sqlite"
        column: sa.ColumnElement[Any] = self.plan.columns[q.field]
        if scaled and q.kind != "count":
            factor: sa.ColumnElement[Any] = sa.literal_column(str(10 ** scale))
            column = sa.cast(sa.func.round(column * factor), sa.BigInteger)
        return _Value(column, t, scale, scaled)

    def _key(self, shape: Shape) -> tuple[sa.ColumnElement[Any] | None, str | None]:
        q, entity = self.query, self.plan.entity
        if q.group_by is None:
            if q.period is not None:
                raise BadRequest("period", "`period` needs `group_by`: the date or date-time "
                                           "field to group by.")
            return None, None
        t = field_type(entity, shape, q.group_by)
        if t is None:
            raise unknown_field("group_by", q.group_by)
        f = entity.fields.get(q.group_by)
        if f is not None and f.is_state:
            t = FieldType.ENUM
        if t not in GROUPABLE:
            raise BadRequest("group_by", f"`{q.group_by}` cannot be grouped by; group by an "
                                         "enum, state, boolean, reference, short text, integer "
                                         "or date field.")
        column = self.plan.columns[q.group_by]
        if q.period is not None:
            if t not in TEMPORAL:
                raise BadRequest("period", f"`{q.group_by}` is not a date or date-time, so it "
                                           "has no periods.")
            return self._period(column, q.period), None
        if t is FieldType.DATETIME:
            raise BadRequest("period", f"Grouping by `{q.group_by}` needs a `period`: "
                                       f"{', '.join(PERIODS)}.")
        if q.group_by in USER_REFS:
            return column, USER_ENTITY
        return column, (str(f.ref) if f is not None and t is FieldType.REF else None)

    def _period(self, column: sa.ColumnElement[Any], period: str) -> sa.ColumnElement[Any]:
        # The period is one of PERIODS, so it is written into the SQL as a constant: a bound
        # parameter would make the SELECT and GROUP BY expressions differ for PostgreSQL.
        if self.plan.dialect == "postgresql":
            start = sa.func.date_trunc(sa.literal_column(f"'{period}'"),
                                       sa.cast(column, sa.DateTime))
            return sa.cast(start, sa.Date)
        return _sqlite_period(column, period)

    def _currency(self) -> sa.ColumnElement[Any] | None:
        q = self.query
        if q.kind == "count" or q.field is None:
            return None
        f = self.plan.entity.fields.get(q.field)
        name = currency_column(f) if f is not None else None
        return None if name is None else self.plan.table.c[name]

    def _statement(self, conditions: Sequence[sa.ColumnElement[bool]]) -> sa.Select[Any]:
        q, value = self.query, self.value
        rows = sa.func.count()
        if q.kind == "count":
            main: sa.ColumnElement[Any] = rows if value.column is None \
                else sa.func.count(value.column)
        elif q.kind in ("sum", "avg"):
            main = sa.func.sum(value.column)
        else:
            main = getattr(sa.func, q.kind)(value.column)
        counted = sa.func.count(value.column) if value.column is not None else rows
        columns: list[sa.ColumnElement[Any]] = [
            (self.key if self.key is not None else sa.null()).label("k"),
            (self.currency if self.currency is not None else sa.null()).label("cur"),
            main.label("v"), rows.label("n"), counted.label("c")]
        grouping = [c for c in (self.key, self.currency) if c is not None]
        statement = where(sa.select(*columns).select_from(self.plan.table), *conditions)
        if not grouping:
            return statement
        statement = statement.group_by(*grouping)
        if self.key is None:
            return statement.order_by(sa.literal_column("cur"))
        windows = [sa.func.count().over().label("groups"),
                   sa.func.sum(rows).over().label("n_total")]
        if self.currency is None and q.kind in ("count", "sum", "avg"):
            windows += [sa.func.sum(main).over().label("v_total"),
                        sa.func.sum(counted).over().label("c_total")]
        statement = statement.add_columns(*windows)
        key: sa.ColumnElement[Any] = sa.literal_column("k")
        if q.period is not None:
            order = [key.desc().nulls_last()]
        else:
            ranked: sa.ColumnElement[Any] = main
            if q.kind == "avg":
                ranked = main * sa.literal_column("1.0") / sa.func.nullif(counted, 0)
            order = [ranked.desc().nulls_last(), key.asc().nulls_last()]
        if self.currency is not None:
            order.append(sa.literal_column("cur").asc())
        return statement.order_by(*order).limit(q.limit)

    # -- reading ----------------------------------------------------------------------------
    def read(self, rows: Sequence[sa.Row[Any]]) -> Aggregate:
        buckets = [self._bucket(row.k, row.cur, row.v, row.n, row.c) for row in rows]
        if self.key is None:
            return Aggregate(buckets)
        if not rows:
            return Aggregate([])
        first = rows[0]._mapping
        omitted = int(first["groups"]) - len(rows)
        other = None
        if omitted and "v_total" in first:
            kept_v = sum((r.v for r in rows if r.v is not None), start=0)
            kept_c = sum(r.c for r in rows)
            rest_v = None if first["v_total"] is None else first["v_total"] - kept_v
            rest_n = int(first["n_total"]) - sum(r.n for r in rows)
            rest_c = int(first["c_total"]) - kept_c
            other = self._bucket(None, None, rest_v, rest_n, rest_c)
        if self.query.period is not None:
            dated = [b for b in buckets if b.key is not None]
            buckets = [*reversed(dated), *(b for b in buckets if b.key is None)]
        return Aggregate(buckets, other, omitted)

    def _bucket(self, key: Any, currency: Any, raw: Any, rows: Any, counted: Any) -> Bucket:
        kind, value = self.query.kind, self.value
        result: Any
        if kind == "count":
            result = int(raw or 0)
        elif kind == "sum":
            result = value.number(raw if raw is not None else 0)
        elif kind == "avg":
            result = value.average(raw, int(counted or 0))
        else:
            result = value.number(raw)
        if isinstance(key, dt.date):
            key = key.isoformat()
        return Bucket(key=key, value=result, count=int(rows or 0), currency=currency)


def _sqlite_period(column: sa.ColumnElement[Any], period: str) -> sa.ColumnElement[Any]:
    """The ISO date of the period's first day; for a week, ``weekday 0`` is the next Sunday
    (or the day itself) and six days before it is the Monday of its ISO week."""
    if period == "day":
        return sa.func.date(column, type_=sa.String)
    if period == "week":
        return sa.func.date(column, sa.literal_column("'weekday 0'"),
                            sa.literal_column("'-6 days'"), type_=sa.String)
    pattern = "'%Y-%m-01'" if period == "month" else "'%Y-01-01'"
    return sa.func.strftime(sa.literal_column(pattern), column, type_=sa.String)


def _check(query: AggregateQuery) -> None:
    if query.kind not in KINDS:
        raise BadRequest("kind", f"`kind` is one of {', '.join(KINDS)}.")
    if query.period is not None and query.period not in PERIODS:
        raise BadRequest("period", f"`period` is one of {', '.join(PERIODS)}.")
    limit = query.limit
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_GROUPS:
        raise BadRequest("limit", f"`limit` must be a whole number from 1 to {MAX_GROUPS}.")
    for name in ("field", "group_by", "filter"):
        if not isinstance(getattr(query, name), str | None):
            raise BadRequest(name, f"`{name}` must be text.")
