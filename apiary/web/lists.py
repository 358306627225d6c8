"""List pages: the records of an entity as a table, searched, filtered, sorted, paged and
exported as CSV.

The view's filter, the search, the user's filters and the sort become one engine list call for
the signed-in user, so row rules and hidden fields apply in SQL exactly as they do for the API;
the total comes from the same call (``count``) and references are expanded there too. The
export pages through the same list with the same parameters, so it holds exactly the records
the page would show, one after another.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from apiary.definition.compiled import (
    SYSTEM_FIELDS,
    USER_ENTITY,
    CompiledApp,
    Entity,
    FieldType,
    Operation,
    View,
)
from apiary.engine import (
    BadRequest,
    ListQuery,
    NotFound,
    Page,
    Principal,
    RecordService,
    may_read_field,
)
from apiary.web import export, filtering, present
from apiary.web.filtering import Filter
from apiary.web.rendering import Pages

PAGE_SIZE: Final = 25
PAGE_SIZES: Final = (25, 50, 100)
"""What ``?limit=`` may ask for (rows per page)."""
EXPORT_PAGE: Final = 200
"""Records per engine call while exporting (the engine's largest page)."""
REF_CHOICES: Final = 200
"""A reference filter offers the first this many records by title (plus the chosen one)."""
UNSORTABLE: Final = frozenset({FieldType.JSON, FieldType.FILE, FieldType.HAS_MANY,
                               FieldType.REF})
"""Columns without a sort link; a reference would sort by id, which means nothing on screen."""


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    id: Any
    cells: list[Cell]
    group: str | None = None
    """Set on the first row of a group: the group's heading."""


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    label: str
    href: str | None
    """The link that sorts by this column (or reverses the sort); None when not sortable."""
    sort: str | None
    """``ascending`` or ``descending`` when the list is sorted by this column."""


@dataclass(slots=True)
class Control:
    """A filter as the form shows it."""

    filter: Filter
    values: Mapping[str, str]
    choices: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ListState:
    """What the query string asks of a list, checked against what the user may use."""

    views: list[View]
    view: View | None
    readable: frozenset[str]
    columns: list[str]
    filters: list[Filter]
    applied: filtering.Applied
    q: str
    sort_param: str | None
    """The user's ``?sort=`` when valid; None for the view's own order."""
    query: ListQuery
    limit: int
    group: str | None
    params: dict[str, str]
    """The parameters that reproduce this list (view, search, filters, sort), for links."""
    problems: list[str]

    @property
    def shown_sort(self) -> tuple[str, bool] | None:
        """(field, descending) of the sort key the headers show: the user's or the view's."""
        keys = [self.sort_param] if self.sort_param else [
            k for k in self.query.sort if k.removeprefix("-") != self.group]
        return (keys[0].removeprefix("-"), keys[0].startswith("-")) if keys else None


class ListPages(Pages):
    async def list_page(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        state = self.state(app, entity, p, request.query_params)
        query = dataclasses.replace(state.query, limit=state.limit, count=True,
                                    after=request.query_params.get("after") or None)

        def work() -> tuple[Page, list[Control]]:
            """The page and the filters' choices, in one trip to a worker thread."""
            try:
                page = service.list(p, entity.name, query)
            except BadRequest as exc:
                if exc.param != "after":
                    raise
                state.problems.append("That page link no longer fits this list; here is its "
                                      "first page.")
                page = service.list(p, entity.name, dataclasses.replace(query, after=None))
            return page, [self._control(app, p, service, f, state.applied.values)
                          for f in state.filters]

        page, controls = await run_in_threadpool(work)
        base = f"/{app.name}/{entity.name}"
        total = page.total or 0
        deleted = request.query_params.get("deleted", "")
        return self.render(request, "list.html", {
            **self.nav(app, p), "entity": entity, "view": state.view, "state": state,
            "tabs": [(v, base + ("" if i == 0 else "?" + urlencode({"view": v.name})))
                     for i, v in enumerate(state.views)] if len(state.views) > 1 else [],
            "headers": self._headers(entity, state),
            "rows": self._rows(app, entity, state, page.items),
            "deleted": f"{entity.label} #{deleted} was deleted." if deleted.isdigit() else None,
            "controls": controls, "q": state.q, "filtered": bool(state.applied.conditions),
            "count": f"{total} {entity.label.lower() if total == 1 else entity.plural.lower()}",
            "next": _link(state.params, after=page.next) if page.next else None,
            "first": base + _link(state.params) if query.after else None,
            "export": f"{base}/export.csv{_link(state.params)}",
            "clear": base + _link({k: v for k, v in state.params.items() if k == "view"}),
            "hidden": {k: v for k, v in state.params.items() if k in ("view", "sort")},
            "page_sizes": PAGE_SIZES, "limit": state.limit,
            "may_create": present.may(entity, p.roles, Operation.CREATE)})

    async def export(self, request: Request) -> Response:
        """Every record the list shows, as CSV, read page by page and streamed."""
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        state = self.state(app, entity, p, request.query_params)
        query = dataclasses.replace(state.query, limit=EXPORT_PAGE, expand=())
        columns = export.columns(entity, state.readable)
        first = await run_in_threadpool(service.list, p, entity.name, query)

        async def lines() -> AsyncIterator[str]:
            yield export.header(columns)
            page = first
            while True:
                yield export.rows(columns, page.items)
                if page.next is None:
                    return
                page = await run_in_threadpool(service.list, p, entity.name,
                                               dataclasses.replace(query, after=page.next))

        return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{export.filename(entity)}"',
            "Cache-Control": "no-store"})

    def state(self, app: CompiledApp, entity: Entity, p: Principal,
              params: Mapping[str, str]) -> ListState:
        views = list_views(app, entity, p.roles)
        chosen = params.get("view")
        view = views[0] if views else None
        if chosen:
            view = next((v for v in views if v.name == chosen), None)
            if view is None:
                raise NotFound(f"{entity.plural} have no list called `{chosen}`.")
        readable = frozenset(self.readable(entity, p))
        columns = [n for n in present.columns(entity, view) if n in readable]
        filters = [f for f in filtering.offered(entity, view, readable)
                   if f.kind != "ref" or f.target == USER_ENTITY
                   or present.may_read(app.entities[str(f.target)], p.roles)]
        applied = filtering.apply(filters, params)
        problems = list(applied.problems)
        q = params.get("q", "").strip()
        sort_param = params.get("sort", "").strip() or None
        if sort_param is not None and not sortable(entity, sort_param.removeprefix("-"),
                                                   columns):
            problems.append(f"The list cannot be sorted by “{sort_param[:40]}”; it is shown "
                            "in its usual order.")
            sort_param = None
        limit = PAGE_SIZE
        if params.get("limit"):
            if params["limit"] in {str(n) for n in PAGE_SIZES}:
                limit = int(params["limit"])
            else:
                problems.append("Rows per page: choose "
                                f"{', '.join(map(str, PAGE_SIZES[:-1]))} or {PAGE_SIZES[-1]}.")
        group = view.group_by if view is not None and view.group_by in readable else None
        sort = [sort_param] if sort_param else [
            k for k in (view.sort if view else ()) if k.removeprefix("-") in readable]
        if group is not None:
            first = next((k for k in (*sort, *(view.sort if view else ()))
                          if k.removeprefix("-") == group), group)
            sort = [first, *(k for k in sort if k.removeprefix("-") != group)]
        conditions = [c for c in (view.filter.source if view and view.filter else None,
                                  present.search_filter(entity, view, readable, q),
                                  *applied.conditions) if c]
        expand = [n for n in dict.fromkeys([*columns, *([group] if group else [])])
                  if n in entity.fields and entity.fields[n].type is FieldType.REF]
        query = ListQuery(filter=" && ".join(f"({c})" for c in conditions) or None,
                          sort=tuple(sort), expand=tuple(expand))
        state = {"view": chosen or "", "q": q, **applied.values, "sort": sort_param or "",
                 "limit": str(limit) if limit != PAGE_SIZE else ""}
        return ListState(views=views, view=view, readable=readable, columns=columns,
                         filters=filters, applied=applied, q=q, sort_param=sort_param,
                         query=query, limit=limit, group=group, problems=problems,
                         params={k: v for k, v in state.items() if v})

    @staticmethod
    def _control(app: CompiledApp, p: Principal, service: RecordService, f: Filter,
                 values: Mapping[str, str]) -> Control:
        control = Control(f, {param: values.get(param, "") for param in f.params})
        if f.kind != "ref":
            return control
        if f.target == USER_ENTITY:
            control.choices = [(filtering.ME, "Me")]
            if not f.required:
                control.choices.append((filtering.NONE, "Nobody"))
            return control
        target = app.entities[str(f.target)]
        by_title = target.display is not None and target.display in target.fields \
            and may_read_field(target.fields[target.display], p.roles)
        page = service.list(p, target.name, ListQuery(
            sort=(str(target.display),) if by_title else (), limit=REF_CHOICES))
        control.choices = [(str(r["id"]), present.title(target, r)) for r in page.items]
        current = values.get(f.name, "")
        if current.isdigit() and current not in {v for v, _ in control.choices}:
            try:
                record = service.get(p, target.name, int(current))
                control.choices.append((current, present.title(target, record)))
            except NotFound:
                control.choices.append((current, f"{target.label} #{current}"))
        if page.next is not None:
            control.note = f"The first {REF_CHOICES} by name."
        if not f.required:
            control.choices.insert(0, (filtering.NONE, "None"))
        return control

    @staticmethod
    def _headers(entity: Entity, state: ListState) -> list[Header]:
        shown = state.shown_sort
        out = []
        for name in state.columns:
            current = shown is not None and shown[0] == name
            descending = current and shown is not None and shown[1]
            href = None
            if sortable(entity, name, state.columns):
                spec = f"-{name}" if current and not descending else name
                href = _link({**state.params, "sort": spec})
            out.append(Header(name, present.label(entity, name), href,
                              ("descending" if descending else "ascending") if current
                              else None))
        return out

    @staticmethod
    def _rows(app: CompiledApp, entity: Entity, state: ListState,
              items: Sequence[Mapping[str, Any]]) -> list[Row]:
        base = f"/{app.name}/{entity.name}/"
        rows: list[Row] = []
        previous: object = object()
        for record in items:
            group = None
            if state.group is not None:
                value = record.get(state.group)
                key = value.get("id") if isinstance(value, Mapping) else value
                if key != previous:
                    previous = key
                    group = "Not set" if value is None else present.value_of(
                        app, entity, state.group, value).text
            cells = []
            for i, name in enumerate(state.columns):
                value = present.value_of(app, entity, name, record.get(name))
                cells.append(Cell(value.text, base + str(record["id"]) if i == 0
                                  else value.href))
            rows.append(Row(record["id"], cells, group))
        return rows


def list_views(app: CompiledApp, entity: Entity, roles: frozenset[str]) -> list[View]:
    """The list views of ``entity`` the roles see, in definition order (the first is the
    default)."""
    return [v for v in app.views.values() if v.type == "list" and v.entity == entity.name
            and present.visible(v, roles)]


def sortable(entity: Entity, name: str, columns: Sequence[str]) -> bool:
    """Whether the list may be sorted by ``name``: a column shown, of a type that sorts."""
    if name not in columns:
        return False
    if name in SYSTEM_FIELDS:
        return name not in ("created_by", "updated_by")
    return entity.fields[name].type not in UNSORTABLE


def _link(params: Mapping[str, str], **extra: str | None) -> str:
    """``?a=1&b=2`` for the list with these parameters (plus ``extra``); empty for none."""
    merged = {**params, **{k: v for k, v in extra.items() if v}}
    return "?" + urlencode(merged) if merged else ""
