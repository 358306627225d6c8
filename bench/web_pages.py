"""Web page benchmark: the server-side time of a 50-row list page, against two baselines.

    .venv/bin/python -m bench.web_pages [--rows 10000] [--db sqlite|postgresql://...]

The helpdesk example is loaded with ``--rows`` tickets over 50 customer accounts, assigned to
five agents or to nobody. One signed-in agent opens the support queue with 50 rows a page
(``/helpdesk/Ticket?limit=50``): the view's filter and sort, the total count, the account and
assignee columns shown by title, and the filter form with its account choices. Three things
are timed, in the same process, on the same database:

- **page**: the whole request through the site's ASGI app (``create_site``) with an in-process
  client (httpx over ASGI, no sockets), session cookie included;
- **engine**: the two engine calls the page makes (the list with count and expand, and the
  account choices), called directly with the user already known: what the page costs before
  any web code runs;
- **hand-written**: a tiny Starlette endpoint that runs hand-written SQL for the same page
  (one SELECT with two joins for the rows, a COUNT, the accounts for the filter) and renders
  it with a minimal Jinja template, through the same kind of client.

Two fixed costs are printed as a scale: a trivial request through the same client
(``/healthz``) and one round trip to a worker thread. Calls are interleaved in rounds after a
warm-up; each figure is the median of every timed call.
docs/performance.md explains the figures. No test checks timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Final

import anyio
import httpx
import jinja2
import sqlalchemy as sa
import starlette
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from apiary.api import create_app
from apiary.definition import CompiledApp, compile_file
from apiary.engine import ListQuery, Principal, Runtime
from apiary.identity import add_user, set_password
from apiary.storage import AppTables, apply, connect, plan
from apiary.web import create_site
from bench.databases import describe_database, on_fresh_database

ROOT: Final = Path(__file__).parent.parent
ROWS_PER_PAGE: Final = 50
ACCOUNTS: Final = 50
AGENTS: Final = 5
PASSWORD: Final = "benchmark passphrase"
SEED: Final = 20251124
PAGE_URL: Final = f"/helpdesk/Ticket?limit={ROWS_PER_PAGE}"
PRIORITIES: Final = ("low", "normal", "high", "urgent")
SLA_DAYS: Final = {"urgent": 1, "high": 2, "normal": 5, "low": 10}
CATEGORIES: Final = ("question", "incident", "billing", "account_access", "feature_request")
STATES: Final = ("new", "in_progress", "waiting_on_customer", "resolved", "closed")
STATE_WEIGHTS: Final = (3, 3, 1, 1, 2)
CSRF: Final = re.compile(r'name="csrf" value="([^"]+)"')
ROW: Final = re.compile(r'<td data-label="Subject"><a href="/helpdesk/Ticket/(\d+)"')

HAND_TEMPLATE: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Support queue</title>
<link rel="stylesheet" href="/static/apiary.css"></head><body><main>
<h1>Support queue</h1>
<form method="get"><label for="q">Search</label><input id="q" name="q" type="search">
<label for="account">Account</label>
<select id="account" name="account"><option value="">Any</option>
{% for a in accounts %}<option value="{{ a.id }}">{{ a.name }}</option>{% endfor %}</select>
<button type="submit">Apply</button></form>
<p>{{ total }} tickets</p>
<table><thead><tr><th>Subject</th><th>Priority</th><th>Category</th><th>Account</th>
<th>Assignee</th><th>SLA due</th><th>State</th></tr></thead><tbody>
{% for r in rows %}<tr>
<td data-label="Subject"><a href="/helpdesk/Ticket/{{ r.id }}">{{ r.subject }}</a></td>
<td>{{ r.priority }}</td><td>{{ r.category }}</td>
<td>{% if r.account_id %}<a href="/helpdesk/Account/{{ r.account_id }}">
{{- r.account_name }}</a>{% endif %}</td>
<td>{{ r.assignee_email or '—' }}</td>
<td>{{ r.sla_due_at.strftime('%Y-%m-%d %H:%M') }} UTC</td><td>{{ labels[r.state] }}</td></tr>
{% endfor %}</tbody></table>
{% if more %}<a rel="next" href="?after={{ rows[-1].id }}">Next page</a>{% endif %}
</main></body></html>"""
"""What a developer would write for this one page: the same table, the account select."""


# -- the database --------------------------------------------------------------------------------

def load(db: sa.Engine, app: CompiledApp, tables: AppTables, rows: int) -> tuple[int, float]:
    """Users, accounts and tickets in bulk, with the values the engine would have written
    (``sla_due_at`` computed as the definition says); returns the agent's id and seconds."""
    agent_ids = [add_user(db, f"agent{i}@helpdesk.example", app, "agent") for i in range(AGENTS)]
    set_password(db, "agent0@helpdesk.example", PASSWORD)
    boss = add_user(db, "lead@helpdesk.example", app, "supervisor")
    rnd = random.Random(SEED)
    start = dt.datetime(2025, 1, 1, 8, 0, 0)
    began = time.perf_counter()
    words = ("printer", "login", "invoice", "export", "report", "sync", "upload", "search",
             "calendar", "mail", "dashboard", "permissions", "backup", "timeout", "layout")
    with db.begin() as conn:
        conn.execute(sa.insert(tables.table("Account")), [{
            "name": f"Customer {i:02d} Ltd", "code": "C" + "".join(chr(65 + int(d))
                                                                  for d in f"{i:03d}"),
            "plan": rnd.choice(("basic", "business", "enterprise")), "active": True,
            "created_at": start, "updated_at": start, "created_by": boss, "updated_by": boss,
            "row_version": 1} for i in range(ACCOUNTS)])
        chunk = 10_000
        for first in range(0, rows, chunk):
            batch = []
            for i in range(first, min(first + chunk, rows)):
                created = start + dt.timedelta(minutes=i * 7 + rnd.randrange(7))
                priority = rnd.choice(PRIORITIES)
                batch.append({
                    "subject": f"{' '.join(rnd.sample(words, 3)).capitalize()} fails",
                    "description": "Steps: open the page, wait, see an error.",
                    "category": rnd.choice(CATEGORIES), "channel": "web",
                    "priority": priority, "account": rnd.randint(1, ACCOUNTS),
                    "assignee": rnd.choice([*agent_ids, None]),
                    "state": rnd.choices(STATES, STATE_WEIGHTS)[0],
                    "sla_due_at": created + dt.timedelta(days=SLA_DAYS[priority]),
                    "created_at": created, "updated_at": created, "created_by": boss,
                    "updated_by": boss, "row_version": 1})
            conn.execute(sa.insert(tables.table("Ticket")), batch)
    with db.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return agent_ids[0], time.perf_counter() - began


# -- the hand-written page -----------------------------------------------------------------------

def handmade(db: sa.Engine, tables: AppTables, app: CompiledApp) -> Starlette:
    """The queue page written by hand: fixed statements, one connection, a Jinja template."""
    ticket, account, users = tables.table("Ticket"), tables.table("Account"), tables.users
    open_ = ticket.c.state != "closed"
    rows = (sa.select(ticket.c.id, ticket.c.subject, ticket.c.priority, ticket.c.category,
                      ticket.c.sla_due_at, ticket.c.state,
                      account.c.id.label("account_id"), account.c.name.label("account_name"),
                      users.c.email.label("assignee_email"))
            .select_from(ticket.outerjoin(account, account.c.id == ticket.c.account)
                         .outerjoin(users, users.c.id == ticket.c.assignee))
            .where(open_)
            .order_by(ticket.c.priority.desc().nulls_first(),
                      ticket.c.sla_due_at.asc().nulls_last(), ticket.c.id)
            .limit(ROWS_PER_PAGE + 1))
    count = sa.select(sa.func.count()).select_from(ticket).where(open_)
    accounts = sa.select(account.c.id, account.c.name).order_by(account.c.name).limit(201)
    workflow = app.entities["Ticket"].workflow
    assert workflow is not None
    labels = {s.name: s.label for s in workflow.states}
    template = jinja2.Environment(autoescape=True).from_string(HAND_TEMPLATE)

    async def queue(request: Request) -> Response:
        def work() -> dict[str, Any]:
            with db.connect() as conn:
                found = conn.execute(rows).all()
                return {"rows": found[:ROWS_PER_PAGE], "more": len(found) > ROWS_PER_PAGE,
                        "total": conn.execute(count).scalar_one(),
                        "accounts": conn.execute(accounts).all()}
        context = await run_in_threadpool(work)
        return HTMLResponse(template.render(labels=labels, **context))

    return Starlette(routes=[Route("/hand/queue", queue)])


# -- timing --------------------------------------------------------------------------------------

Call = Callable[[], Awaitable[Any]]


async def timed(calls: dict[str, Call], rounds: int, per_round: int,
                warmup: int) -> dict[str, list[float]]:
    """Microseconds per call, interleaved: each round runs every call ``per_round`` times, the
    order rotating between rounds."""
    for call in calls.values():
        for _ in range(warmup):
            await call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            for _ in range(per_round):
                began = time.perf_counter()
                await calls[name]()
                samples[name].append((time.perf_counter() - began) * 1e6)
    return samples


async def sign_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/login")
    token = CSRF.search(form.text)
    assert token is not None
    done = await client.post("/login", data={"csrf": token.group(1), "password": PASSWORD,
                                             "email": "agent0@helpdesk.example"})
    assert done.status_code == 303, done.text


def run(url: str, args: argparse.Namespace) -> None:
    app = compile_file(ROOT / "examples" / "helpdesk.yaml")
    db = connect(url)
    try:
        apply(plan(app, db), db)
        tables = AppTables(app)
        agent_id, seconds = load(db, app, tables, args.rows)
        runtime = Runtime(db, [app])
        site = create_site(runtime, "bench-signing-key-" + "x" * 32, create_app(runtime))
        service = runtime.records("helpdesk")
        agent = Principal(agent_id, "agent0@helpdesk.example", frozenset({"agent"}))
        view = app.views["queue"]
        page_query = ListQuery(filter=f"({view.filter.source})" if view.filter else None,
                               sort=view.sort, limit=ROWS_PER_PAGE, count=True,
                               expand=("account", "assignee"))
        choices = ListQuery(sort=("name",), limit=200)

        print(f"database: {describe_database(db)}")
        print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
              f"{platform.python_version()}, SQLAlchemy {sa.__version__}, Starlette "
              f"{starlette.__version__}, httpx {httpx.__version__}, Jinja {jinja2.__version__}")
        print(f"rows: {args.rows:,} tickets, {ACCOUNTS} accounts, loaded in {seconds:.1f} s; "
              f"page: {PAGE_URL} as an agent (the support queue)")

        async def measure() -> dict[str, list[float]]:
            site_transport = httpx.ASGITransport(app=site)
            hand_transport = httpx.ASGITransport(app=handmade(db, tables, app))
            async with httpx.AsyncClient(transport=site_transport,
                                         base_url="http://bench") as web, \
                    httpx.AsyncClient(transport=hand_transport, base_url="http://bench") as hand:
                await sign_in(web)
                ours = await web.get(PAGE_URL)
                theirs = await hand.get("/hand/queue")
                assert ours.status_code == 200 and theirs.status_code == 200
                same = ROW.findall(ours.text)
                assert len(same) == ROWS_PER_PAGE and same == ROW.findall(theirs.text), \
                    "the two pages list different tickets"

                async def page() -> None:
                    response = await web.get(PAGE_URL)
                    assert response.status_code == 200

                async def engine() -> None:
                    def work() -> None:
                        service.list(agent, "Ticket", page_query)
                        service.list(agent, "Account", choices)
                    await run_in_threadpool(work)

                async def handwritten() -> None:
                    response = await hand.get("/hand/queue")
                    assert response.status_code == 200

                async def trivial() -> None:
                    response = await web.get("/healthz")
                    assert response.status_code == 200

                async def hop() -> None:
                    await run_in_threadpool(lambda: None)

                return await timed({"page": page, "engine": engine, "hand": handwritten,
                                    "trivial": trivial, "hop": hop},
                                   args.rounds, args.per_round, args.warmup)

        samples = anyio.run(measure)
        median = {name: statistics.median(values) for name, values in samples.items()}
        calls = args.rounds * args.per_round
        print(f"\nmedian of {calls} calls each, µs")
        rows = (("Apiary list page, 50 rows, signed in (whole request)", "page"),
                ("the page's engine calls alone (list + choices)", "engine"),
                ("hand-written SQL + minimal Jinja page", "hand"),
                ("scale: a trivial request through the same client", "trivial"),
                ("scale: one round trip to a worker thread", "hop"))
        print(f"| {'what':<53} | {'µs':>8} |")
        print(f"|{'-' * 55}|{'-' * 9}:|")
        for label, key in rows:
            print(f"| {label:<53} | {median[key]:8.0f} |")
        print(f"\npage / hand-written: {median['page'] / median['hand']:.2f}x; "
              f"page / engine calls: {median['page'] / median['engine']:.2f}x; "
              f"web layer on top of the engine: {median['page'] - median['engine']:.0f} µs")
        spread = sorted(samples["page"])
        print(f"page p90: {spread[int(len(spread) * 0.9)]:.0f} µs, "
              f"max: {spread[-1]:.0f} µs")
    finally:
        db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000, help="tickets to load")
    parser.add_argument("--db", default=os.environ.get("APIARY_BENCH_DB", "sqlite"),
                        help="`sqlite` (a temporary file) or a PostgreSQL URL; a new database "
                             "is created on that server and dropped at the end")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument("--per-round", type=int, default=20, help="calls per side and round")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls per side first")
    args = parser.parse_args(argv)
    if args.rows < ROWS_PER_PAGE * 2:
        parser.error(f"--rows must be at least {ROWS_PER_PAGE * 2}")
    return on_fresh_database(args.db, lambda url: run(url, args))


if __name__ == "__main__":
    sys.exit(main())
