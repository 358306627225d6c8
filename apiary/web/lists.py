"""List pages: the records of an entity as a table, searched, filtered, sorted and paged.

The filter, the sort and the page are one engine list call for the signed-in user, so row rules
and hidden fields apply in SQL exactly as they do for the API.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from apiary.definition.compiled import Operation
from apiary.engine import ListQuery
from apiary.web import present
from apiary.web.rendering import Pages

PAGE_SIZE = 25


class ListPages(Pages):
    async def list_page(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        view = present.list_view(app, entity, p.roles)
        q = request.query_params.get("q", "")
        readable = frozenset(self.readable(entity, p))
        conditions = [c for c in (view.filter.source if view and view.filter else None,
                                  present.search_filter(entity, view, readable, q)) if c]
        query = ListQuery(filter=" && ".join(f"({c})" for c in conditions) or None,
                          sort=tuple(view.sort) if view else (), limit=PAGE_SIZE,
                          after=request.query_params.get("after") or None)
        page = await run_in_threadpool(service.list, p, entity.name, query)
        names = [n for n in present.columns(entity, view) if n in readable]
        return self.render(request, "list.html", {
            **self.nav(app, p), "entity": entity, "view": view, "columns": names,
            "page": page, "q": q,
            "may_create": present.may(entity, p.roles, Operation.CREATE)})

