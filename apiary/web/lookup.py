"""Finding the record a reference points at: pickers, title search and the lookup endpoint.

A ``ref`` input offers only records the signed-in user may read: every list and count here is
one engine list call with the user's principal, so row rules apply in SQL. With a few targets
(at most :data:`PICK_LIMIT`) the input is a select; with more it is a text input that takes a
title or a number (``#12``), resolved on the server, which a small script turns into a search
(``GET /<app>/<Entity>/lookup?q=``). Refs to ``User`` pick among the users who hold a role in
the app; they are offered only to people who may set such a field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from apiary.definition.compiled import USER_ENTITY, CompiledApp, Entity, Field, FieldType, Operation
from apiary.engine import (
    ListQuery,
    NotFound,
    Principal,
    RecordService,
    may_read_field,
    may_write_field,
)
from apiary.identity.tables import IdentityTables
from apiary.web import present
from apiary.web.rendering import Pages

PICK_LIMIT: Final = 100
"""Up to this many readable targets, a ref is picked from a select."""
MATCH_LIMIT: Final = 20
_NUMBER: Final = re.compile(r"#\s*([0-9]{1,18})|([0-9]{1,18})")
RECORD_ID: Final = re.compile(r"[0-9]{1,18}")
"""A record's number as a form sends it: ASCII digits that fit a 64-bit integer."""
_SORTABLE: Final = frozenset({FieldType.STRING, FieldType.EMAIL, FieldType.URL,
                              FieldType.PHONE, FieldType.INTEGER, FieldType.DECIMAL,
                              FieldType.DATE, FieldType.DATETIME, FieldType.ENUM})


class Unresolved(ValueError):
    """A typed reference that names no record, or several; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Choice:
    id: int
    title: str


@dataclass(frozen=True, slots=True)
class Picker:
    """How a ref input looks: a select of ``options``, or a search via ``lookup``."""

    mode: str
    """``select`` or ``search``."""
    options: tuple[Choice, ...]
    lookup: str
    current: Choice | None
    noun: str
    """What the target is called, for help texts (``customer account``)."""


class Refs:
    """Reference look-ups for one principal in one app (blocking: call in a thread)."""

    def __init__(self, db: sa.Engine, service: RecordService, app: CompiledApp,
                 p: Principal) -> None:
        self.db = db
        self.service = service
        self.app = app
        self.p = p

    # -- pickers ---------------------------------------------------------------------------
    def picker(self, field: Field, value: Any) -> Picker:
        target = str(field.ref)
        current = self.choice(target, value) if isinstance(value, int) else None
        lookup = f"/{self.app.name}/{target}/lookup"
        noun = "user" if target == USER_ENTITY else self.app.entities[target].label.lower()
        if target == USER_ENTITY:
            total, found = self._users("", PICK_LIMIT + 1)
        elif not present.may_read(self.app.entities[target], self.p.roles):
            return Picker("select", (), lookup, current, noun)
        else:
            entity = self.app.entities[target]
            page = self.service.list(self.p, target, ListQuery(
                sort=self._sort(entity), limit=PICK_LIMIT, count=True))
            total = page.total or 0
            found = [Choice(r["id"], present.title(entity, r)) for r in page.items]
        if total > PICK_LIMIT:
            return Picker("search", (), lookup, current, noun)
        return Picker("select", tuple(found), lookup, current, noun)

    def choice(self, target: str, record_id: int) -> Choice | None:
        """The record ``record_id`` as the user sees it, or None when they may not."""
        if target == USER_ENTITY:
            _, found = self._users("", 1, record_id=record_id)
            return found[0] if found else None
        entity = self.app.entities[target]
        try:
            record = self.service.get(self.p, target, record_id)
        except NotFound:
            return None
        return Choice(record_id, present.title(entity, record))

    def matches(self, target: str, text: str, limit: int = MATCH_LIMIT) -> list[Choice]:
        """Records whose title contains ``text`` (any case), or whose number it is."""
        if target == USER_ENTITY:
            return self._users(text, limit)[1]
        entity = self.app.entities[target]
        condition = self._title_condition(entity, text, exact=False)
        if condition is None:
            return []
        page = self.service.list(self.p, target, ListQuery(
            filter=condition, sort=self._sort(entity), limit=limit))
        return [Choice(r["id"], present.title(entity, r)) for r in page.items]

    # -- resolving typed text --------------------------------------------------------------
    def resolve(self, field: Field, text: str, chosen: str) -> int:
        """The id the user meant by ``text``; ``chosen`` is the id a picker kept, if any.

        Raises :class:`Unresolved` when the text names no readable record or several.
        """
        target = str(field.ref)
        text = text.strip()
        if RECORD_ID.fullmatch(chosen):
            kept = self.choice(target, int(chosen))
            if kept is not None and text in (kept.title, f"#{kept.id}"):
                return kept.id
        number = _NUMBER.fullmatch(text)
        if number and number.group(1):
            return int(number.group(1))
        found = self._exact(target, text)
        if len(found) == 1:
            return found[0].id
        noun = "user" if target == USER_ENTITY else self.app.entities[target].label
        if len(found) > 1:
            numbers = ", ".join(f"#{c.id}" for c in found)
            raise Unresolved(f"Several records are called “{text}” ({numbers}); type the "
                             "number of the one you mean, e.g. "
                             f"#{found[0].id}.")
        if number:
            return int(number.group(2))
        raise Unresolved(f"No {noun} you can see is called “{text}”. Pick one from the "
                         "suggestions or type its number, e.g. #12.")

    def _exact(self, target: str, text: str) -> list[Choice]:
        if target == USER_ENTITY:
            return self._users(text, 5, exact=True)[1]
        entity = self.app.entities[target]
        condition = self._title_condition(entity, text, exact=True)
        if condition is None:
            return []
        page = self.service.list(self.p, target, ListQuery(filter=condition, limit=5))
        return [Choice(r["id"], present.title(entity, r)) for r in page.items]

    # -- pieces ----------------------------------------------------------------------------
    def _title_condition(self, entity: Entity, text: str, *, exact: bool) -> str | None:
        text = "".join(ch for ch in text.strip().lower() if ch.isprintable())
        parts: list[str] = []
        number = _NUMBER.fullmatch(text)
        if number and not exact:
            parts.append(f"id == {int(number.group(1) or number.group(2))}")
        display = entity.fields.get(entity.display or "")
        if text and display is not None and display.type in present.SEARCHABLE \
                and may_read_field(display, self.p.roles):
            literal = "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
            parts.append(f"lower({display.name}) == {literal}" if exact
                         else f"lower({display.name}).contains({literal})")
        return " || ".join(parts) or None

    def _sort(self, entity: Entity) -> tuple[str, ...]:
        display = entity.fields.get(entity.display or "")
        if display is not None and display.type in _SORTABLE \
                and may_read_field(display, self.p.roles):
            return (display.name,)
        return ()

    def _users(self, text: str, limit: int, *, exact: bool = False,
               record_id: int | None = None) -> tuple[int, list[Choice]]:
        """(how many match, the first ``limit``) of the active users with a role in the app."""
        tables = IdentityTables.build()
        users, memberships = tables.users, tables.memberships
        members = sa.select(memberships.c.user_id).where(memberships.c.app == self.app.name)
        conditions: list[sa.ColumnElement[bool]] = [users.c.id.in_(members),
                                                    users.c.is_active.is_(True)]
        if not sees_members(self.app, self.p.roles):
            conditions.append(users.c.id == self.p.user_id)
        if record_id is not None:
            conditions.append(users.c.id == record_id)
        text = text.strip().lower()
        if text:
            name = sa.func.lower(sa.func.coalesce(users.c.display_name, ""))
            if exact:
                conditions.append(sa.or_(users.c.email == text, name == text))
            else:
                pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%") \
                    .replace("_", "\\_") + "%"
                conditions.append(sa.or_(users.c.email.like(pattern, escape="\\"),
                                         name.like(pattern, escape="\\")))
        with self.db.connect() as conn:
            total = int(conn.execute(sa.select(sa.func.count()).select_from(users)
                                     .where(*conditions)).scalar_one())
            rows = conn.execute(sa.select(users.c.id, users.c.email, users.c.display_name)
                                .where(*conditions).order_by(users.c.email).limit(limit)).all()
        return total, [Choice(r.id, f"{r.display_name} <{r.email}>" if r.display_name
                              else r.email) for r in rows]


def sees_members(app: CompiledApp, roles: frozenset[str]) -> bool:
    """Whether ``roles`` may see who else uses the app: administrators, and roles that read
    every record of an entity where they may name a user (the staff handling those records).
    Others, who see only the rows a rule selects for them (a customer, an employee), may pick
    only themselves."""
    return "admin" in roles or any(
        rule.allow and rule.condition is None
        for e in app.entities.values()
        if any(f.type is FieldType.REF and f.ref == USER_ENTITY and may_write_field(f, roles)
               for f in e.fields.values())
        for rule in (e.rule(r, Operation.READ) for r in roles))


def may_pick_users(app: CompiledApp, roles: frozenset[str]) -> bool:
    """Whether some ``User`` ref of the app may be set by ``roles``: only then are the app's
    users listed to them."""
    return any(f.type is FieldType.REF and f.ref == USER_ENTITY and may_write_field(f, roles)
               for e in app.entities.values() if present.may_read(e, roles)
               for f in e.fields.values())


class LookupPages(Pages):
    async def lookup(self, request: Request) -> Response:
        """``{"items": [{"id", "title"}]}``: the records of the entity the user may read whose
        title contains ``q`` (or whose number it is), for a ref picker."""
        app, p, service = await self.open_app(request)
        name = request.path_params["entity"]
        if name == USER_ENTITY:
            if not may_pick_users(app, p.roles):
                raise NotFound(f"{app.title} has nothing called `{name}`.")
        else:
            name = self.entity(app, p, request).name
        q = request.query_params.get("q", "")[:200]
        refs = Refs(self.runtime.db, service, app, p)
        found = await run_in_threadpool(refs.matches, name, q) if q.strip() else []
        response = JSONResponse({"items": [{"id": c.id, "title": c.title} for c in found]})
        response.headers["Cache-Control"] = "no-store"
        return response
