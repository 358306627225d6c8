"""Records benchmark: Apiary against a hand-written endpoint doing the same SQL.

    .venv/bin/python -m bench.records [--rows 100000] [--db sqlite|postgresql://...]

A ticket tracker with ``--rows`` tickets owned by 100 members (about 1% each) is loaded into a
fresh database: a temporary SQLite file, or a new database created on the given PostgreSQL
server and dropped at the end. Five operations -- get by id as admin and as a member (row-level
rule), a filtered, sorted page of 50 without and with the row-level rule, and create -- are
timed two ways each:

- **HTTP**: Apiary's REST API (``create_app``) against a tiny hand-written Starlette app whose
  endpoints check the bearer token, run hand-written SQLAlchemy Core statements (the same
  record columns, conditions, ORDER BY and LIMIT as Apiary's) and serialise the rows to JSON.
  Both apps are called through the same in-process client (httpx over ASGI, no sockets).
- **engine**: Apiary's record service against the hand-written function behind each endpoint,
  called directly with the caller already known (no HTTP, no token check); plus the token
  check itself, which every HTTP request makes first.

A hand-written create inserts the ticket and one audit row in one transaction, because Apiary's
create writes both. Both sides run in the same process on the same database, in interleaved
rounds after a warm-up; each figure is the median of every timed call. Before timing, the
answers of both sides are compared, so they do the same work. docs/performance.md explains the
figures.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import datetime as dt
import hashlib
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar
from urllib.parse import urlencode

import anyio
import httpx
import sqlalchemy as sa
import starlette
from sqlalchemy.dialects import postgresql
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apiary.api import create_app
from apiary.definition import CompiledApp, compile_text
from apiary.engine import ListQuery, Principal, RecordService, Runtime
from apiary.identity import add_user, create_token
from apiary.storage import AppTables, apply, connect, plan
from bench.databases import describe_database, on_fresh_database

T = TypeVar("T")

APP_NAME: Final = "bench"
ENTITY: Final = "Ticket"
MEMBERS: Final = 100
PAGE: Final = 50
LIST_PRIORITY: Final = 3
SEED: Final = 20250301

APP_YAML: Final = """\
apiary: 1
app:
  name: bench
  title: Ticket tracker
roles:
  member: Works on the tickets they own.
entities:
  Ticket:
    display: title
    fields:
      title: {type: string, required: true, max_length: 200}
      description: {type: text, max_length: 5000}
      priority: {type: integer, required: true, min: 1, max: 5, default: 3}
      category:
        type: enum
        values: [bug, question, feature, chore]
        default: bug
        required: true
      owner: {type: ref, to: User, required: true}
      estimate_hours: {type: decimal, scale: 2, min: 0, max: 1000}
      due_on: date
    workflow:
      states: [open, in_progress, done]
      transitions:
        start: {from: open, to: in_progress, roles: [member]}
        finish: {from: in_progress, to: done, roles: [member]}
        reopen: {from: done, to: open, roles: [member]}
    permissions:
      member:
        read: "owner == user.id"
        create: "owner == user.id"
        update: "owner == user.id"
    indexes:
      - [priority, created_at]
views:
  my-tickets:
    type: list
    entity: Ticket
    columns: [title, priority, state, due_on]
    sort: [-created_at]
"""
"""The benchmark app. Its indexes: (priority, created_at) declared for the filtered list; the
compiler adds (owner, created_at) for the read rule with the view's sort, and (created_at)."""

CATEGORIES: Final = ("bug", "question", "feature", "chore")
STATES: Final = ("open", "in_progress", "done")
STATE_WEIGHTS: Final = (5, 3, 2)
TRANSITIONS: Final[Mapping[str, list[str]]] = {
    "open": ["start"], "in_progress": ["finish"], "done": ["reopen"]}
"""The hand-written side knows its workflow: transitions open from each state (all of them
are the member's, and admin may take any)."""

LIST_FILTER: Final = f"priority == {LIST_PRIORITY}"
LIST_SORT: Final = "-created_at"
LIST_QUERY: Final = ListQuery(filter=LIST_FILTER, sort=(LIST_SORT,), limit=PAGE)


# -- the database --------------------------------------------------------------------------------

def handmade_audit_table(metadata: sa.MetaData) -> sa.Table:
    """The hand-written side's audit trail: one row per change, JSON changes, no hash chain."""
    return sa.Table(
        "handmade_audit", metadata,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("changes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                  nullable=False),
    )


@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    token: str


@dataclass
class Dataset:
    admin: Account
    member: Account
    """The member whose tickets the member operations read (one of 100, ~1% of rows)."""
    member_ids: list[int]
    admin_ids: list[int] = field(default_factory=list)
    """Ids read by ``get`` as admin (random rows)."""
    owned_ids: list[int] = field(default_factory=list)
    """Ids of tickets the member owns, read by ``get`` as member."""
    load_seconds: float = 0.0


def load(db: sa.Engine, app: CompiledApp, ticket: sa.Table, rows: int) -> Dataset:
    """Users first (admin and members, through the identity API), then ``rows`` tickets in
    bulk: one executemany per chunk, with the system columns the engine would have written."""
    admin_email = "admin@bench.example"
    admin_id = add_user(db, admin_email, app, "admin")
    member_ids = [add_user(db, f"member{i:03d}@bench.example", app, "member")
                  for i in range(MEMBERS)]
    admin = Account(admin_id, admin_email, create_token(db, admin_email))
    member_email = "member000@bench.example"
    member = Account(member_ids[0], member_email, create_token(db, member_email))
    rnd = random.Random(SEED)
    start = dt.datetime(2023, 1, 1, 8, 0, 0)
    words = ("printer", "login", "invoice", "export", "report", "sync", "upload", "search",
             "calendar", "mail", "dashboard", "permissions", "backup", "timeout", "layout")
    began = time.perf_counter()
    chunk = 10_000
    with db.begin() as conn:
        for first in range(0, rows, chunk):
            batch: list[dict[str, Any]] = []
            for i in range(first, min(first + chunk, rows)):
                created = start + dt.timedelta(seconds=i * 240 + rnd.randrange(240))
                owner = member_ids[i % MEMBERS]
                subject = " ".join(rnd.sample(words, 3))
                batch.append({
                    "title": f"{subject.capitalize()} fails (#{i + 1})",
                    "description": f"Steps: open the {subject} page, wait, see an error. "
                                   f"Expected it to work as in release {rnd.randrange(1, 9)}.",
                    "priority": rnd.randint(1, 5),
                    "category": rnd.choice(CATEGORIES),
                    "owner": owner,
                    "estimate_hours": Decimal(rnd.randrange(0, 4000)) / 4
                    if rnd.random() < 0.8 else None,
                    "due_on": (created + dt.timedelta(days=rnd.randrange(1, 60))).date()
                    if rnd.random() < 0.6 else None,
                    "state": rnd.choices(STATES, STATE_WEIGHTS)[0],
                    "created_at": created,
                    "updated_at": created + dt.timedelta(minutes=rnd.randrange(0, 5000)),
                    "created_by": owner,
                    "updated_by": owner,
                    "row_version": 1,
                })
            conn.execute(sa.insert(ticket), batch)
    with db.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    seconds = time.perf_counter() - began
    with db.connect() as conn:
        owned = conn.execute(sa.select(ticket.c.id).where(ticket.c.owner == member.user_id)
                             .order_by(ticket.c.id)).scalars().all()
    ids = list(range(1, rows + 1))
    return Dataset(admin=admin, member=member, member_ids=member_ids,
                   admin_ids=rnd.sample(ids, min(rows, 2000)),
                   owned_ids=rnd.sample(list(owned), min(len(owned), 2000)),
                   load_seconds=seconds)


# -- the hand-written side -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Caller:
    user_id: int
    email: str
    roles: frozenset[str]


class Unauthorised(Exception):
    pass


class Missing(Exception):
    pass


class BadInput(Exception):
    pass


class Handmade:
    """What a developer would write by hand for this one entity: fixed statements, the row rule
    ``owner = :user`` for members, rows turned into JSON-ready dicts."""

    def __init__(self, db: sa.Engine, tables: AppTables, audit: sa.Table) -> None:
        self.db = db
        self.audit = audit
        t = self.ticket = tables.table(ENTITY)
        self.columns = [t.c.id, t.c.title, t.c.description, t.c.priority, t.c.category,
                        t.c.owner, t.c.estimate_hours, t.c.due_on, t.c.state, t.c.created_at,
                        t.c.updated_at, t.c.created_by, t.c.updated_by, t.c.row_version]
        self.keys = [c.name for c in self.columns]
        tokens = tables.metadata.tables["apiary_tokens"]
        users = tables.metadata.tables["apiary_users"]
        memberships = tables.metadata.tables["apiary_memberships"]
        self._auth = (
            sa.select(users.c.id, users.c.email, memberships.c.role)
            .select_from(tokens.join(users, users.c.id == tokens.c.user_id)
                         .outerjoin(memberships, sa.and_(memberships.c.user_id == users.c.id,
                                                         memberships.c.app == APP_NAME)))
            .where(tokens.c.token_hash == sa.bindparam("hash"), tokens.c.revoked_at.is_(None),
                   sa.or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > sa.bindparam("now")),
                   users.c.is_active.is_(True)))
        by_id = sa.select(*self.columns).where(t.c.id == sa.bindparam("id"))
        self._get = {False: by_id, True: by_id.where(t.c.owner == sa.bindparam("user"))}
        listing = (sa.select(*self.columns).where(t.c.priority == sa.bindparam("priority"))
                   .order_by(t.c.created_at.desc().nulls_first(), t.c.id.asc().nulls_last())
                   .limit(sa.bindparam("limit")))
        self._list = {False: listing, True: listing.where(t.c.owner == sa.bindparam("user"))}
        self._insert = sa.insert(t)
        self._insert_audit = sa.insert(audit)

    # The functions behind the endpoints; also timed on their own ("engine" level).
    def authenticate(self, conn: sa.Connection, token: str) -> Caller:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rows = conn.execute(self._auth, {"hash": hashlib.sha256(token.encode()).hexdigest(),
                                         "now": now}).all()
        if not rows:
            raise Unauthorised
        return Caller(rows[0][0], rows[0][1], frozenset(r[2] for r in rows if r[2] is not None))

    def get(self, conn: sa.Connection, caller: Caller, record_id: int) -> dict[str, Any]:
        member = _row_rule(caller)
        row = conn.execute(self._get[member], {"id": record_id, "user": caller.user_id}).first()
        if row is None:
            raise Missing
        return self.record(row)

    def list(self, conn: sa.Connection, caller: Caller, priority: int,
             limit: int) -> dict[str, Any]:
        member = _row_rule(caller)
        rows = conn.execute(self._list[member], {"priority": priority, "limit": limit + 1,
                                                 "user": caller.user_id}).all()
        following = None
        if len(rows) > limit:
            last = rows[limit - 1]
            following = base64.urlsafe_b64encode(json.dumps(
                [last.created_at.isoformat(), last.id]).encode()).decode().rstrip("=")
        return {"items": [self.record(row) for row in rows[:limit]], "next": following}

    def create(self, conn: sa.Connection, caller: Caller, data: Any) -> dict[str, Any]:
        """Insert the ticket and its audit row; the caller runs both in one transaction."""
        if "admin" not in caller.roles and "member" not in caller.roles:
            raise Unauthorised
        values = _ticket_values(data)
        if "admin" not in caller.roles and values["owner"] != caller.user_id:
            raise BadInput("members create tickets they own")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        values.update(state="open", created_at=now, updated_at=now, created_by=caller.user_id,
                      updated_by=caller.user_id, row_version=1)
        key = conn.execute(self._insert, values).inserted_primary_key
        assert key is not None
        record = self.record([int(key[0]), *(values[k] for k in self.keys[1:])])
        changes = {k: {"before": None, "after": record[k]} for k in self.keys[1:9]
                   if record[k] is not None}
        conn.execute(self._insert_audit, {"at": now, "entity": ENTITY, "record_id": record["id"],
                                          "action": "create", "actor_id": caller.user_id,
                                          "changes": changes})
        return record

    def record(self, row: Sequence[Any]) -> dict[str, Any]:
        out = dict(zip(self.keys, row, strict=True))
        if out["estimate_hours"] is not None:
            out["estimate_hours"] = f"{out['estimate_hours']:.2f}"
        if out["due_on"] is not None:
            out["due_on"] = out["due_on"].isoformat()
        out["created_at"] = out["created_at"].isoformat() + "Z"
        out["updated_at"] = out["updated_at"].isoformat() + "Z"
        out["_transitions"] = TRANSITIONS[out["state"]]
        return out

    # The endpoints: one worker thread and one connection per request.
    def asgi(self) -> Starlette:
        async def get_ticket(request: Request) -> Response:
            token = _bearer(request)
            record_id = int(request.path_params["id"])

            def work() -> dict[str, Any]:
                with self.db.connect() as conn:
                    return self.get(conn, self.authenticate(conn, token), record_id)

            return _answer(await _threaded(work))

        async def list_tickets(request: Request) -> Response:
            token = _bearer(request)
            try:
                priority = int(request.query_params["priority"])
                limit = int(request.query_params.get("limit", PAGE))
            except (KeyError, ValueError):
                return JSONResponse({"error": "bad parameters"}, status_code=400)

            def work() -> dict[str, Any]:
                with self.db.connect() as conn:
                    return self.list(conn, self.authenticate(conn, token), priority, limit)

            page = await _threaded(work)
            if isinstance(page, Response):
                return page
            headers = {}
            if page["next"] is not None:
                query = urlencode([*request.query_params.multi_items(), ("after", page["next"])])
                headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
            return JSONResponse(page, headers=headers)

        async def create_ticket(request: Request) -> Response:
            token = _bearer(request)
            try:
                data = json.loads(await request.body())
            except ValueError:
                return JSONResponse({"error": "bad JSON"}, status_code=400)

            def work() -> dict[str, Any]:
                with self.db.begin() as conn:
                    return self.create(conn, self.authenticate(conn, token), data)

            record = await _threaded(work)
            if isinstance(record, Response):
                return record
            return _answer(record, 201, {"Location": f"/hand/{ENTITY}/{record['id']}"})

        async def healthz(request: Request) -> Response:
            return JSONResponse({"status": "ok"})

        return Starlette(routes=[
            Route(f"/hand/{ENTITY}/{{id:int}}", get_ticket, methods=["GET"]),
            Route(f"/hand/{ENTITY}", list_tickets, methods=["GET"]),
            Route(f"/hand/{ENTITY}", create_ticket, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ])


def _row_rule(caller: Caller) -> bool:
    """Whether the member rule ``owner = :user`` applies (admins read everything)."""
    if "admin" in caller.roles:
        return False
    if "member" in caller.roles:
        return True
    raise Unauthorised


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def _threaded(work: Callable[[], dict[str, Any]]) -> dict[str, Any] | Response:
    try:
        return await run_in_threadpool(work)
    except Unauthorised:
        return JSONResponse({"error": "unauthorised"}, status_code=401)
    except Missing:
        return JSONResponse({"error": "not found"}, status_code=404)
    except BadInput as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)


def _answer(record: dict[str, Any] | Response, status: int = 200,
            headers: Mapping[str, str] | None = None) -> Response:
    if isinstance(record, Response):
        return record
    return JSONResponse(record, status_code=status,
                        headers={"ETag": f'"{record["row_version"]}"', **(headers or {})})


def _ticket_values(data: Any) -> dict[str, Any]:
    """The columns of a new ticket from a JSON body: types, lengths, ranges."""
    if not isinstance(data, dict):
        raise BadInput("expected an object")
    known = {"title", "description", "priority", "category", "owner", "estimate_hours",
             "due_on"}
    if set(data) - known:
        raise BadInput("unknown fields")
    title, description = data.get("title"), data.get("description")
    priority, owner = data.get("priority", 3), data.get("owner")
    category = data.get("category", "bug")
    if not isinstance(title, str) or not 0 < len(title) <= 200:
        raise BadInput("title")
    if description is not None and (not isinstance(description, str) or len(description) > 5000):
        raise BadInput("description")
    if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 5:
        raise BadInput("priority")
    if category not in CATEGORIES:
        raise BadInput("category")
    if not isinstance(owner, int) or isinstance(owner, bool):
        raise BadInput("owner")
    estimate = data.get("estimate_hours")
    if estimate is not None:
        try:
            estimate = Decimal(str(estimate)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise BadInput("estimate_hours") from None
        if not 0 <= estimate <= 1000:
            raise BadInput("estimate_hours")
    due = data.get("due_on")
    if due is not None:
        try:
            due = dt.date.fromisoformat(due)
        except (TypeError, ValueError):
            raise BadInput("due_on") from None
    return {"title": title, "description": description, "priority": priority,
            "category": category, "owner": owner, "estimate_hours": estimate, "due_on": due}


# -- the operations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """One operation, done by Apiary and by the hand-written code; ``i`` varies the input."""

    name: str
    apiary: Callable[[int], Any]
    hand: Callable[[int], Any]


@dataclass(frozen=True)
class Workload:
    """The inputs every operation uses, the same for both sides."""

    admin: Principal
    member: Principal
    admin_ids: list[int]
    owned_ids: list[int]

    @classmethod
    def of(cls, data: Dataset) -> Workload:
        return cls(admin=Principal(data.admin.user_id, data.admin.email, frozenset({"admin"})),
                   member=Principal(data.member.user_id, data.member.email,
                                    frozenset({"member"})),
                   admin_ids=data.admin_ids, owned_ids=data.owned_ids)

    def admin_id(self, i: int) -> int:
        return self.admin_ids[i % len(self.admin_ids)]

    def owned_id(self, i: int) -> int:
        return self.owned_ids[i % len(self.owned_ids)]

    def ticket(self, i: int) -> dict[str, Any]:
        return new_ticket(self.member.user_id or 0, i)


def new_ticket(owner: int, i: int) -> dict[str, Any]:
    return {"title": f"Benchmark ticket {i}", "description": "Created by the benchmark.",
            "priority": 1 + i % 5, "category": CATEGORIES[i % 4], "owner": owner,
            "estimate_hours": "2.50", "due_on": "2025-06-30"}


OPERATIONS: Final = ("get by id (admin)", "get by id (member, row rule)",
                     f"list {PAGE}, no row rule (admin)", f"list {PAGE}, row rule (member)",
                     "create (member)")
TOKEN_CHECK: Final = "token check (each HTTP request)"


def http_pairs(w: Workload, data: Dataset, api: httpx.AsyncClient,
               manual: httpx.AsyncClient) -> list[Pair]:
    """The operations as HTTP requests: Apiary's API and the hand-written endpoints."""
    as_admin = {"Authorization": f"Bearer {data.admin.token}"}
    as_member = {"Authorization": f"Bearer {data.member.token}"}
    apiary, hand = f"/api/{APP_NAME}/{ENTITY}", f"/hand/{ENTITY}"
    apiary_list = {"filter": LIST_FILTER, "sort": LIST_SORT, "limit": str(PAGE)}
    hand_list = {"priority": str(LIST_PRIORITY), "limit": str(PAGE)}

    async def call(client: httpx.AsyncClient, method: str, url: str, status: int,
                   **kwargs: Any) -> None:
        response = await client.request(method, url, **kwargs)
        if response.status_code != status:
            raise AssertionError(f"{method} {url}: {response.status_code} {response.text}")

    get_admin, get_member, list_admin, list_member, create = OPERATIONS
    return [
        Pair(get_admin,
             lambda i: call(api, "GET", f"{apiary}/{w.admin_id(i)}", 200, headers=as_admin),
             lambda i: call(manual, "GET", f"{hand}/{w.admin_id(i)}", 200, headers=as_admin)),
        Pair(get_member,
             lambda i: call(api, "GET", f"{apiary}/{w.owned_id(i)}", 200, headers=as_member),
             lambda i: call(manual, "GET", f"{hand}/{w.owned_id(i)}", 200, headers=as_member)),
        Pair(list_admin,
             lambda i: call(api, "GET", apiary, 200, params=apiary_list, headers=as_admin),
             lambda i: call(manual, "GET", hand, 200, params=hand_list, headers=as_admin)),
        Pair(list_member,
             lambda i: call(api, "GET", apiary, 200, params=apiary_list, headers=as_member),
             lambda i: call(manual, "GET", hand, 200, params=hand_list, headers=as_member)),
        Pair(create,
             lambda i: call(api, "POST", apiary, 201, json=w.ticket(i), headers=as_member),
             lambda i: call(manual, "POST", hand, 201, json=w.ticket(i), headers=as_member)),
    ]


def engine_pairs(w: Workload, runtime: Runtime, hand: Handmade, token: str) -> list[Pair]:
    """The operations as function calls: the record service and the hand-written functions
    behind the endpoints, with the caller already known; and the token check that every HTTP
    request makes before them (``runtime.identity.authenticate`` on Apiary's side)."""
    admin = Caller(w.admin.user_id or 0, w.admin.email or "", w.admin.roles)
    member = Caller(w.member.user_id or 0, w.member.email or "", w.member.roles)

    def read(work: Callable[[sa.Connection], T]) -> T:
        with hand.db.connect() as conn:
            return work(conn)

    def write(work: Callable[[sa.Connection], T]) -> T:
        with hand.db.begin() as conn:
            return work(conn)

    def records() -> RecordService:
        return runtime.records(APP_NAME)  # as the API does, once per request

    def token_check(token: str) -> Caller:
        with hand.db.connect() as conn:
            return hand.authenticate(conn, token)

    get_admin, get_member, list_admin, list_member, create = OPERATIONS
    return [
        Pair(get_admin, lambda i: records().get(w.admin, ENTITY, w.admin_id(i)),
             lambda i: read(lambda c: hand.get(c, admin, w.admin_id(i)))),
        Pair(get_member, lambda i: records().get(w.member, ENTITY, w.owned_id(i)),
             lambda i: read(lambda c: hand.get(c, member, w.owned_id(i)))),
        Pair(list_admin, lambda i: records().list(w.admin, ENTITY, LIST_QUERY),
             lambda i: read(lambda c: hand.list(c, admin, LIST_PRIORITY, PAGE))),
        Pair(list_member, lambda i: records().list(w.member, ENTITY, LIST_QUERY),
             lambda i: read(lambda c: hand.list(c, member, LIST_PRIORITY, PAGE))),
        Pair(create, lambda i: records().create(w.member, ENTITY, w.ticket(i)),
             lambda i: write(lambda c: hand.create(c, member, w.ticket(i)))),
        Pair(TOKEN_CHECK, lambda i: runtime.identity.authenticate(token, APP_NAME),
             lambda i: token_check(token)),
    ]


# -- checking that both sides answer the same ----------------------------------------------------

def _plain(record: Mapping[str, Any], *ignore: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ignore}


async def check_same(api: httpx.AsyncClient, manual: httpx.AsyncClient, data: Dataset) -> None:
    """The two apps return the same records for the same requests (creates: the same fields)."""
    base = f"/api/{APP_NAME}/{ENTITY}"
    for token, ids in ((data.admin.token, data.admin_ids[:20]),
                       (data.member.token, data.owned_ids[:20])):
        headers = {"Authorization": f"Bearer {token}"}
        for record_id in ids:
            a = (await api.get(f"{base}/{record_id}", headers=headers)).json()
            h = (await manual.get(f"/hand/{ENTITY}/{record_id}", headers=headers)).json()
            if a != h:
                raise AssertionError(f"get {record_id}: Apiary {a} != hand-written {h}")
        a_page = (await api.get(base, headers=headers, params={
            "filter": LIST_FILTER, "sort": LIST_SORT, "limit": str(PAGE)})).json()
        h_page = (await manual.get(f"/hand/{ENTITY}", headers=headers, params={
            "priority": str(LIST_PRIORITY), "limit": str(PAGE)})).json()
        if a_page["items"] != h_page["items"] or not a_page["items"]:
            raise AssertionError(f"the lists differ: Apiary {a_page} != hand-written {h_page}")
        if (a_page["next"] is None) != (h_page["next"] is None):
            raise AssertionError("only one of the lists has a next page")
    headers = {"Authorization": f"Bearer {data.member.token}"}
    body = new_ticket(data.member.user_id, 0)
    a = (await api.post(base, json=body, headers=headers)).json()
    h = (await manual.post(f"/hand/{ENTITY}", json=body, headers=headers)).json()
    volatile = ("id", "created_at", "updated_at")
    if _plain(a, *volatile) != _plain(h, *volatile) or set(a) != set(h):
        raise AssertionError(f"create: Apiary {a} != hand-written {h}")


# -- timing --------------------------------------------------------------------------------------

@dataclass
class Samples:
    apiary: list[float] = field(default_factory=list)
    hand: list[float] = field(default_factory=list)

    def row(self, name: str) -> tuple[str, float, float, float]:
        a, h = statistics.median(self.apiary), statistics.median(self.hand)
        return name, a, h, a / h


async def time_http(pairs: Sequence[Pair], rounds: int, per_round: int,
                    warmup: int) -> dict[str, Samples]:
    async def call(fn: Callable[[int], Any], i: int) -> None:
        await fn(i)

    return await _timed(pairs, rounds, per_round, warmup, call, 10_000_000)


def time_engine(pairs: Sequence[Pair], rounds: int, per_round: int,
                warmup: int) -> dict[str, Samples]:
    async def call(fn: Callable[[int], Any], i: int) -> None:
        fn(i)

    async def timed() -> dict[str, Samples]:
        return await _timed(pairs, rounds, per_round, warmup, call, 20_000_000)

    return anyio.run(timed)


async def _timed(pairs: Sequence[Pair], rounds: int, per_round: int, warmup: int,
                 call: Callable[[Callable[[int], Any], int], Awaitable[None]],
                 counter: int) -> dict[str, Samples]:
    """Interleaved rounds: in each, every operation runs ``per_round`` times on one side and
    then on the other, the side going first alternating; round -1 is the untimed warm-up."""
    results = {p.name: Samples() for p in pairs}
    for r in range(-1, rounds):
        for p in pairs:
            sides = [(p.apiary, results[p.name].apiary), (p.hand, results[p.name].hand)]
            if r % 2:
                sides.reverse()
            for fn, out in sides:
                for _ in range(warmup if r < 0 else per_round):
                    counter += 1
                    began = time.perf_counter()
                    await call(fn, counter)
                    if r >= 0:
                        out.append((time.perf_counter() - began) * 1e6)
    return results


async def time_floor(manual: httpx.AsyncClient, calls: int) -> tuple[float, float]:
    """Fixed costs every request pays: a call through the client and Starlette to a trivial
    endpoint, and one hop to a worker thread and back (``run_in_threadpool``)."""
    def nothing() -> None:
        return None

    endpoint, hop = [], []
    for i in range(calls + 50):
        began = time.perf_counter()
        await manual.get("/healthz")
        middle = time.perf_counter()
        await run_in_threadpool(nothing)
        if i >= 50:
            endpoint.append((middle - began) * 1e6)
            hop.append((time.perf_counter() - middle) * 1e6)
    return statistics.median(endpoint), statistics.median(hop)


def print_table(title: str, results: Mapping[str, Samples]) -> None:
    print(f"\n{title}")
    print(f"| {'operation':<32} | {'Apiary µs':>9} | {'hand-written µs':>15} | {'ratio':>6} "
          f"| {'difference µs':>13} |")
    print(f"|{'-' * 34}|{'-' * 10}:|{'-' * 16}:|{'-' * 7}:|{'-' * 14}:|")
    for name, samples in results.items():
        _, a, h, ratio = samples.row(name)
        print(f"| {name:<32} | {a:>9.0f} | {h:>15.0f} | {ratio:>5.2f}x | {a - h:>13.0f} |")


def profile(pairs: Sequence[Pair], calls: int, top: int) -> None:
    """Where Apiary spends its time, per operation: its own functions by cumulative time, then
    every function (SQLAlchemy and the driver included) by own time."""
    for p in pairs:
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(calls):
            p.apiary(30_000_000 + i)
        profiler.disable()
        print(f"\n-- profile: {p.name}, {calls} calls --")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(r"apiary[/\\]", top)
        stats.sort_stats("tottime").print_stats(top // 2)


# -- main ----------------------------------------------------------------------------------------

def run(url: str, args: argparse.Namespace) -> None:
    app = compile_text(APP_YAML)
    db = connect(url)
    try:
        apply(plan(app, db), db)
        tables = AppTables(app)
        metadata = sa.MetaData()
        audit = handmade_audit_table(metadata)
        metadata.create_all(db)
        data = load(db, app, tables.table(ENTITY), args.rows)
        runtime = Runtime(db, [app])
        hand = Handmade(db, tables, audit)
        print(f"database: {describe_database(db)}")
        print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
              f"{platform.python_version()}, SQLAlchemy {sa.__version__}, Starlette "
              f"{starlette.__version__}, httpx {httpx.__version__}")
        print(f"rows: {args.rows:,} tickets, {MEMBERS} members (~{100 / MEMBERS:.0f}% each), "
              f"loaded and analysed in {data.load_seconds:.1f} s")
        print(f"list: filter `{LIST_FILTER}`, sort `{LIST_SORT}`, limit {PAGE}")
        workload = Workload.of(data)

        async def over_http() -> tuple[dict[str, Samples], tuple[float, float]]:
            transport_a = httpx.ASGITransport(app=create_app(runtime))
            transport_h = httpx.ASGITransport(app=hand.asgi())
            async with httpx.AsyncClient(transport=transport_a, base_url="http://bench") as api, \
                    httpx.AsyncClient(transport=transport_h, base_url="http://bench") as manual:
                await check_same(api, manual, data)
                pairs = http_pairs(workload, data, api, manual)
                floor = await time_floor(manual, args.rounds * args.per_round)
                return await time_http(pairs, args.rounds, args.per_round, args.warmup), floor

        http, (floor, hop) = anyio.run(over_http)
        direct = engine_pairs(workload, runtime, hand, data.member.token)
        engine = time_engine(direct, args.rounds, args.per_round, args.warmup)
        calls = args.rounds * args.per_round
        print_table(f"HTTP: in-process client -> ASGI app -> database (median of {calls} calls; "
                    f"a trivial endpoint costs {floor:.0f} µs, a worker-thread hop {hop:.0f} µs)",
                    http)
        print_table(f"engine: record service vs hand-written function, no HTTP (median of "
                    f"{calls} calls)", engine)
        if args.profile:
            profile(direct, args.profile, 25)
    finally:
        db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="tickets to load")
    parser.add_argument("--db", default="sqlite",
                        help="`sqlite` (a temporary file) or a PostgreSQL URL; a new database "
                             "is created on that server and dropped at the end")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument("--per-round", type=int, default=50,
                        help="calls per operation, side and round")
    parser.add_argument("--warmup", type=int, default=30,
                        help="untimed calls per operation and side before the rounds")
    parser.add_argument("--profile", type=int, default=0, metavar="CALLS",
                        help="afterwards, profile CALLS engine calls of each operation")
    args = parser.parse_args(argv)
    if args.rows < 1000:
        parser.error("--rows must be at least 1000")
    return on_fresh_database(args.db, lambda url: run(url, args))


if __name__ == "__main__":
    sys.exit(main())
