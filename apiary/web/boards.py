"""Board pages: the records of a board view as cards, one column per workflow state.

Each column is one engine list call for the signed-in user (the view's filter and the column's
value, the view's sort, at most ``CARD_LIMIT`` cards and a count), so row rules and hidden fields
apply in SQL exactly as on a list page. Moving a card is the workflow transition that leads from
the card's state to the column, taken by the engine with the card's ``row_version`` as
``if_match``: a board opened before someone else changed the record gets the conflict message
instead of silently acting on what it no longer shows.

A move is a plain form POST (buttons on each card, no script needed). ``apiary.js`` sends the
same POST with ``Accept: application/json`` when a card is dragged or moved with the keyboard,
and gets back the re-rendered card, or the engine's reason for refusing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from apiary.definition.compiled import CompiledApp, Entity, FieldType, Operation, View
from apiary.engine import (
    EngineError,
    ListQuery,
    NotFound,
    PreconditionFailed,
    Principal,
    RecordService,
    Runtime,
)
from apiary.web import present
from apiary.web.rendering import Pages
from apiary.web.security import csrf_token

CARD_LIMIT: Final = 50
"""Cards shown per column; the column's header still counts all of them."""
USER_REFS: Final = ("created_by", "updated_by")
MAX_DIGITS: Final = 18
"""Longer ids and versions than a 64-bit integer holds are not ids or versions at all."""
CONFLICT: Final = ("Someone else changed this card after you opened the board, so nothing was "
                   "changed. Reload the board to see where it is now.")


@dataclass(frozen=True, slots=True)
class Column:
    value: str | bool | None
    """The group field's value for this column (a state name for workflow boards)."""
    label: str
    cards: list[dict[str, Any]]
    total: int
    more: str | None
    """The entity's list page when the column holds more cards than are shown."""


class Refused(Exception):
    """A move the board itself cannot send to the engine (no transition leads there)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BoardPages(Pages):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.templates.env.globals["value_of"] = present.value_of

    async def board_page(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        view = self.view(app, p, request, "board")
        return await self._board(request, app, p, service, view)

    async def move(self, request: Request) -> Response:
        """Take the transition a card's button names, or the one leading to the ``to`` column."""
        app, p, service = await self.open_app(request)
        view = self.view(app, p, request, "board")
        entity = _entity(app, view)
        form = await self.checked_form(request)
        wants_json = "application/json" in request.headers.get("accept", "")
        raw_id = form.get("id", "")
        version = form.get("row_version", "")
        error: EngineError | Refused | None = None
        record: dict[str, Any] | None = None
        try:
            if not _movable(entity, view):
                raise Refused("Cards on this board cannot be moved.")
            if not (raw_id.isascii() and raw_id.isdigit()) or len(raw_id) > MAX_DIGITS:
                raise Refused("Choose the card to move.")
            record_id = int(raw_id)
            current = await run_in_threadpool(service.get, p, entity.name, record_id)
            name = form.get("transition") or _transition_to(entity, current, form.get("to", ""))
            await run_in_threadpool(service.transition, p, entity.name, record_id, name, None,
                                    _version(version))
            if wants_json:
                readable = [*self.readable(entity, p), *USER_REFS]
                record = await run_in_threadpool(service.get, p, entity.name, record_id,
                                                 _expansions(entity, view, readable))
        except NotFound:
            if not wants_json:
                raise
            error = Refused("This card is no longer there, or you may not see it. Reload the "
                            "board.")
        except (EngineError, Refused) as exc:
            error = exc
        if wants_json:
            return self._moved_json(request, app, p, entity, view, record, error)
        if error is not None:
            return await self._board(request, app, p, service, view, error)
        return RedirectResponse(f"/{app.name}/boards/{view.name}#card-{raw_id}", status_code=303)

    # -- pieces ----------------------------------------------------------------------------
    async def _board(self, request: Request, app: CompiledApp, p: Principal,
                     service: RecordService, view: View,
                     error: EngineError | Refused | None = None) -> Response:
        entity = _entity(app, view)
        readable = [*self.readable(entity, p), *USER_REFS]
        group = str(view.group_by)
        values = _values(entity, group) if group in readable else None
        columns: list[Column] = []
        if values is not None:
            expand = _expansions(entity, view, readable)
            sort = tuple(s for s in view.sort if s.lstrip("-") in readable)
            for value, label in values:
                condition = f"{group} == {_literal(value)}"
                query = ListQuery(
                    filter=f"({view.filter.source}) && ({condition})" if view.filter
                    else condition, sort=sort, limit=CARD_LIMIT, count=True, expand=expand)
                page = await run_in_threadpool(service.list, p, entity.name, query)
                total = page.total if page.total is not None else len(page.items)
                more = f"/{app.name}/{entity.name}" if page.next is not None else None
                columns.append(Column(value, label, page.items, total, more))
        status = 200 if error is None else _status(error)
        return self.render(request, "board.html", {
            **self.nav(app, p), **self._card_context(app, p, entity, view, readable),
            "columns": columns, "grouped": values is not None, "error": _message(error),
            "may_create": present.may(entity, p.roles, Operation.CREATE)}, status)

    def _card_context(self, app: CompiledApp, p: Principal, entity: Entity, view: View,
                      readable: Sequence[str]) -> dict[str, Any]:
        """What the card macro needs, for the whole board or for one re-rendered card."""
        shown = [c for c in present.columns(entity, view) if c in readable
                 and c != entity.display]
        return {"app": app, "entity": entity, "view": view, "group": view.group_by,
                "card_columns": shown, "movable": _movable(entity, view),
                "workflow": entity.workflow,
                "move_url": f"/{app.name}/boards/{view.name}/move"}

    def _moved_json(self, request: Request, app: CompiledApp, p: Principal, entity: Entity,
                    view: View, record: Mapping[str, Any] | None,
                    error: EngineError | Refused | None) -> Response:
        if error is not None or record is None:
            return JSONResponse({"ok": False, "message": _message(error) or "Not moved."},
                                status_code=_status(error) if error is not None else 409,
                                headers={"Cache-Control": "no-store"})
        readable = [*self.readable(entity, p), *USER_REFS]
        context = {**self._card_context(app, p, entity, view, readable),
                   "csrf": csrf_token(request.session)}
        module = self.templates.env.get_template("board_card.html").make_module(context)
        card: Callable[[Mapping[str, Any]], str] = module.card  # type: ignore[attr-defined]
        value = record.get(str(view.group_by))
        label = _label(entity, str(view.group_by), value)
        return JSONResponse({
            "ok": True, "id": record["id"], "value": value, "card": str(card(record)),
            "message": f"{present.title(entity, record)} moved to {label}."},
            headers={"Cache-Control": "no-store"})


def _entity(app: CompiledApp, view: View) -> Entity:
    if view.entity is None or view.group_by is None:
        raise NotFound(f"{app.title} has no board called `{view.name}`.")
    return app.entities[view.entity]


def _version(text: str) -> int | None:
    """The card's ``row_version``; one that is not a version matches no record (a conflict)."""
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS else 0


def _movable(entity: Entity, view: View) -> bool:
    """Cards move by transitions, so only on boards grouped by the workflow's state."""
    return entity.workflow is not None and view.group_by == entity.workflow.field


def _values(entity: Entity, group: str) -> list[tuple[str | bool | None, str]] | None:
    """The columns' values and headings, in order; None for fields grouped by stored values."""
    workflow = entity.workflow
    if workflow is not None and group == workflow.field:
        return [(s.name, s.label) for s in workflow.states]
    field = entity.fields.get(group)
    if field is None:
        return None
    empty: list[tuple[str | bool | None, str]] = [] if field.required else [(None, "No value")]
    if field.type is FieldType.ENUM:
        return [*((v, _label(entity, group, v)) for v in field.values), *empty]
    if field.type is FieldType.BOOLEAN:
        return [(True, "Yes"), (False, "No"), *empty]
    return None


def _label(entity: Entity, group: str, value: Any) -> str:
    if value is None:
        return "No value"
    shown = present.shown(entity, group, value)
    return shown.replace("_", " ").capitalize() if shown == value else shown


def _literal(value: str | bool | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _expansions(entity: Entity, view: View, readable: Sequence[str]) -> tuple[str, ...]:
    """The card's reference columns, so cards show the referenced record's title."""
    return tuple(c for c in present.columns(entity, view) if c in readable and (
        c in USER_REFS or (c in entity.fields and entity.fields[c].type is FieldType.REF)))


def _transition_to(entity: Entity, record: Mapping[str, Any], target: str) -> str:
    """The transition from the record's state to ``target``: one the user may take, if any."""
    workflow = entity.workflow
    assert workflow is not None
    state = record.get(workflow.field)
    if target not in workflow.state_names:
        raise Refused("Drop the card on one of the board's columns.")
    leading = [t.name for t in workflow.transitions.values()
               if t.target == target and state in t.sources]
    if not leading:
        here = workflow.state(state).label if state in workflow.state_names else state
        raise Refused(f"No transition leads from {here} to {workflow.state(target).label}, so "
                      "the card cannot move there.")
    available = record.get("_transitions", ())
    return next((n for n in leading if n in available), leading[0])


def _status(error: EngineError | Refused) -> int:
    if isinstance(error, PreconditionFailed):
        return 409
    return error.status if isinstance(error, EngineError) else 422


def _message(error: EngineError | Refused | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, PreconditionFailed):
        return CONFLICT
    if isinstance(error, Refused):
        return error.message
    return error.detail or error.title
