"""Dashboard pages: the widgets of a dashboard view as number tiles and charts.

Each widget is one engine aggregate for the signed-in user (one SELECT carrying their read
rule, see :mod:`apiary.engine.aggregates`), so a customer's numbers count only their own
records and a field they may not read is never summed or grouped by. A widget over an entity
the user may not read is left out; one the engine refuses (it names a field hidden from this
user) says so in its place, and the rest of the dashboard is shown.

Group labels are the enum value, the state's label, Yes/No, the referenced record's title when
the user may read it (else ``#id``), the period, or "(none)" for records without a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from apiary.definition.compiled import CompiledApp, Entity, FieldType, View, Widget
from apiary.engine import (
    Aggregate,
    AggregateQuery,
    Bucket,
    EngineError,
    Principal,
    RecordService,
    Runtime,
)
from apiary.web import charts, present
from apiary.web.rendering import Pages

LIMITS: Final = {"bar": 12, "pie": 7, "line": 24}
"""Groups drawn per chart; a pie keeps few slices and sums the rest as "Other"."""
NONE: Final = "(none)"
OTHER: Final = "Other"


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Panel:
    """One widget as the page shows it."""

    title: str
    chart: str
    """number, bar, line or pie; ``refused`` when the engine would not compute it."""
    number: str = ""
    drawing: Markup | None = None
    rows: list[Row] = field(default_factory=list)
    """Every group with its value, for the table under a chart and a pie's legend."""
    note: str | None = None
    message: str | None = None


class DashboardPages(Pages):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.templates.env.globals["swatch"] = charts.swatch

    async def dashboard_page(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        view = self.view(app, p, request, "dashboard")
        panels = await run_in_threadpool(_panels, app, p, service, view)
        return self.render(request, "dashboard.html", {**self.nav(app, p), "view": view,
                                                       "panels": panels})


def _panels(app: CompiledApp, p: Principal, service: RecordService, view: View) -> list[Panel]:
    return [panel for widget in view.widgets
            if (panel := _panel(app, p, service, widget)) is not None]


def _panel(app: CompiledApp, p: Principal, service: RecordService,
           widget: Widget) -> Panel | None:
    entity = app.entities[widget.entity]
    if not present.may_read(entity, p.roles):
        return None
    chart = widget.chart if widget.group_by is not None else "number"
    if chart == "number" and widget.group_by is not None:
        chart = "bar"
    query = AggregateQuery(kind=widget.kind, field=widget.field, group_by=widget.group_by,
                           period=widget.period, limit=LIMITS.get(chart, 1) if
                           widget.group_by else 1,
                           filter=widget.filter.source if widget.filter is not None else None)
    try:
        result = service.aggregate(p, entity.name, query)
    except EngineError as exc:
        return Panel(widget.title, "refused",
                     message=f"This cannot be shown to you. {exc.detail}")
    shown = _Shown(app, entity, widget, result)
    if widget.group_by is None:
        number = " · ".join(shown.value(b) for b in result.buckets) or "—"
        return Panel(widget.title, "number", number=number)
    buckets = _ordered(entity, widget, result.buckets)
    rows = [Row(shown.key(b), shown.value(b)) for b in buckets]
    points = [charts.Point(row.label, _magnitude(b.value), row.text)
              for b, row in zip(buckets, rows, strict=True)
              if chart != "line" or b.key is not None]
    note = None
    if result.other is not None and chart != "line":
        other = Row(OTHER, shown.value(result.other))
        rows.append(other)
        points.append(charts.Point(OTHER, _magnitude(result.other.value), other.text))
    elif result.omitted and chart == "line":
        note = f"Only the latest {len(points)} periods are shown."
    elif result.omitted:
        note = f"{result.omitted} more group(s) are not shown."
    if chart == "line" and len(points) < len(rows):
        note = " ".join(filter(None, [note, f"{NONE} is in the table only."]))
    return Panel(widget.title, chart, drawing=charts.chart(chart, widget.title, points),
                 rows=rows, note=note)


class _Shown:
    """Keys and values of one widget's buckets as text."""

    def __init__(self, app: CompiledApp, entity: Entity, widget: Widget,
                 result: Aggregate) -> None:
        self.app, self.entity, self.widget, self.result = app, entity, widget, result
        f = entity.fields.get(widget.field or "")
        self.currency = f.currency if f is not None and f.type is FieldType.MONEY else None

    def key(self, b: Bucket) -> str:
        text = self._key(b.key)
        return f"{text} ({b.currency})" if b.currency else text

    def _key(self, key: Any) -> str:
        if key is None:
            return NONE
        name, period = self.widget.group_by or "", self.widget.period
        if period is not None:
            return {"week": f"Week of {key}", "month": str(key)[:7],
                    "year": str(key)[:4]}.get(period, str(key))
        if self.result.target is not None:
            return present.reference(self.app, self.result.target,
                                     self.result.refs.get(key, key)).text
        return present.shown(self.entity, name, key)

    def value(self, b: Bucket) -> str:
        v = b.value
        if v is None:
            return "—"
        if isinstance(v, dt.datetime):
            text = v.isoformat(sep=" ", timespec="minutes") + " UTC"
        elif isinstance(v, dt.date):
            text = v.isoformat()
        else:
            text = f"{v:,}"
        currency = b.currency or (self.currency if self.widget.kind != "count" else None)
        return f"{text} {currency}" if currency else text


def _ordered(entity: Entity, widget: Widget, buckets: Sequence[Bucket]) -> list[Bucket]:
    """Groups of an enum, a state or a boolean in their declared order; others as given."""
    f = entity.fields.get(widget.group_by or "")
    if f is None or widget.period is not None:
        return list(buckets)
    if f.type is FieldType.BOOLEAN:
        order: tuple[Any, ...] = (True, False)
    elif f.type is FieldType.ENUM or f.is_state:
        order = f.values
    else:
        return list(buckets)
    rank = {value: i for i, value in enumerate(order)}
    return sorted(buckets, key=lambda b: rank.get(b.key, len(rank)))


def _magnitude(value: Any) -> float:
    """The size a value is drawn at; dates and empty values are not drawn."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return float(value)
    return 0.0
