"""Board pages: columns per workflow state, cards the user may read, moves by transitions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from anyio.from_thread import start_blocking_portal

from apiary.api import create_app
from apiary.definition import compile_text
from apiary.engine import Principal, Runtime
from apiary.identity import add_user, list_users, set_password
from apiary.storage import apply, plan
from apiary.web import boards, create_site
from tests.web.conftest import PASSWORD, Browser, csrf_of

BOARD = "/helpdesk/boards/triage"
MOVE = BOARD + "/move"
JSON = {"Accept": "application/json"}


def principal(runtime: Runtime, who: str, role: str | None = None) -> Principal:
    user = next(u for u in list_users(runtime.db) if u.email == f"{who}@example.com")
    return Principal(user.id, user.email, frozenset({role or who}))


def ticket(runtime: Runtime, subject: str, *, assignee: str | None = None,
           by: str = "supervisor") -> dict[str, Any]:
    data: dict[str, Any] = {"subject": subject, "category": "incident",
                            "description": "Details"}
    if assignee is not None:
        data["assignee"] = principal(runtime, assignee).user_id
    return runtime.records("helpdesk").create(principal(runtime, by), "Ticket", data)


def columns(html: str) -> dict[str, str]:
    """Column heading -> the column's HTML, in page order."""
    out = {}
    for part in html.split('<section class="column"')[1:]:
        name = re.search(r'class="column-name">([^<]+)<', part)
        assert name is not None
        out[name.group(1)] = part
    return out


def count(column: str) -> int:
    found = re.search(r"data-count>(\d+)<", column)
    assert found is not None
    return int(found.group(1))


def move(tab: Browser, record: dict[str, Any], **data: str) -> Any:
    page = tab.get(BOARD)
    fields = {"csrf": csrf_of(page.text), "id": str(record["id"]),
              "row_version": str(record["row_version"]), **data}
    return tab.post(MOVE, fields)


def test_board_has_a_column_per_state_and_cards_of_the_view(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    mine = ticket(runtime, "Printer on fire", assignee="agent")
    ticket(runtime, "Cannot log in")
    started = ticket(runtime, "Mail is slow", assignee="agent")
    runtime.records("helpdesk").transition(principal(runtime, "supervisor"), "Ticket",
                                           started["id"], "start")
    closed = ticket(runtime, "Never mind", by="customer")
    runtime.records("helpdesk").transition(principal(runtime, "customer"), "Ticket",
                                           closed["id"], "withdraw")
    page = signed_in("agent").get(BOARD)
    assert page.status_code == 200
    board = columns(page.text)
    assert list(board) == ["New", "In progress", "Waiting on customer", "Resolved", "Closed"]
    assert "Printer on fire" in board["New"] and "Cannot log in" in board["New"]
    assert "Mail is slow" in board["In progress"] and "Mail is slow" not in board["New"]
    assert "Never mind" not in page.text  # the view's filter leaves closed tickets out
    assert [count(c) for c in board.values()] == [2, 1, 0, 0, 0]
    assert f'href="/helpdesk/Ticket/{mine["id"]}">Printer on fire</a>' in board["New"]
    assert "agent@example.com" in board["New"]  # the assignee by name, not by id
    assert 'value="start"' in board["New"]  # the transition the agent may take now
    assert '<a href="/helpdesk/boards/triage" aria-current="page">' in page.text


def test_a_capped_column_counts_every_card_and_links_to_the_list(
        runtime: Runtime, signed_in: Callable[[str], Browser],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boards, "CARD_LIMIT", 2)
    for n in range(3):
        ticket(runtime, f"Ticket number {n}")
    new = columns(signed_in("agent").get(BOARD).text)["New"]
    assert count(new) == 3 and new.count('class="card"') == 2
    assert '<a href="/helpdesk/Ticket">1 more in the list</a>' in new


def test_a_role_without_the_board_gets_not_found(
        signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("customer")
    assert tab.get(BOARD).status_code == 404
    assert tab.get("/helpdesk/boards/nothing").status_code == 404
    assert tab.get("/helpdesk/boards/tickets").status_code == 404  # a list view, not a board
    assert "/boards/" not in tab.get("/helpdesk/").text
    csrf = csrf_of(tab.get("/helpdesk/Ticket/new").text)
    assert tab.post(MOVE, {"csrf": csrf, "id": "1", "to": "closed"}).status_code == 404


def test_a_transition_from_the_board_moves_the_card(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    record = ticket(runtime, "Printer on fire", assignee="agent")
    tab = signed_in("agent")
    response = move(tab, record, transition="start")
    assert response.status_code == 303
    assert response.headers["location"] == f"{BOARD}#card-{record['id']}"
    board = columns(tab.get(BOARD).text)
    assert "Printer on fire" in board["In progress"] and "Printer on fire" not in board["New"]
    stored = runtime.records("helpdesk").get(principal(runtime, "agent"), "Ticket", record["id"])
    assert stored["state"] == "in_progress"


def test_dropping_on_a_column_takes_the_transition_leading_there(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    record = ticket(runtime, "Printer on fire", assignee="agent")
    response = move(signed_in("agent"), record, to="in_progress")
    assert response.status_code == 303
    stored = runtime.records("helpdesk").get(principal(runtime, "agent"), "Ticket", record["id"])
    assert stored["state"] == "in_progress"


def test_a_refused_move_shows_the_engines_reason_and_changes_nothing(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    record = ticket(runtime, "Cannot log in")  # nobody assigned: the agent may not start it
    tab = signed_in("agent")
    assert 'value="start"' not in columns(tab.get(BOARD).text)["New"]
    response = move(tab, record, transition="start")
    assert response.status_code == 403
    alert = re.search(r'role="alert"[^>]*><p class="alert">([^<]+)</p>', response.text)
    assert alert is not None and "start" in alert.group(1).lower()
    assert "Cannot log in" in columns(response.text)["New"]
    stored = runtime.records("helpdesk").get(principal(runtime, "agent"), "Ticket", record["id"])
    assert stored["state"] == "new" and stored["row_version"] == 1


def test_a_move_with_no_transition_to_the_column_says_so(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    record = ticket(runtime, "Printer on fire", assignee="agent")
    tab = signed_in("agent")
    response = move(tab, record, to="resolved")
    assert response.status_code == 422
    assert "No transition leads from New to Resolved" in response.text
    assert "one of the board" in move(tab, record, to="nowhere").text


def test_moving_needs_the_forms_csrf_token(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    record = ticket(runtime, "Printer on fire", assignee="agent")
    tab = signed_in("agent")
    response = tab.post(MOVE, {"id": str(record["id"]), "transition": "start"})
    assert response.status_code == 403 and "expired" in response.text
    response = tab.post(MOVE, {"csrf": "guess", "id": str(record["id"]), "transition": "start"})
    assert response.status_code == 403
    stored = runtime.records("helpdesk").get(principal(runtime, "agent"), "Ticket", record["id"])
    assert stored["state"] == "new"


def test_a_move_from_a_stale_board_gets_the_conflict_message(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    record = ticket(runtime, "Printer on fire", assignee="agent")
    runtime.records("helpdesk").update(principal(runtime, "supervisor"), "Ticket", record["id"],
                                       {"priority": "high"})
    tab = signed_in("agent")
    response = move(tab, record, transition="start")  # row_version 1; the record is at 2
    assert response.status_code == 409
    assert "Someone else changed this card" in response.text
    answer = move(tab, record, to="in_progress").text
    assert "Someone else changed this card" in answer
    assert move(tab, record, to="in_progress", row_version="9" * 40).status_code == 409
    stored = runtime.records("helpdesk").get(principal(runtime, "agent"), "Ticket", record["id"])
    assert stored["state"] == "new"


def test_moves_sent_by_the_script_are_answered_as_json(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    record = ticket(runtime, "Printer on fire", assignee="agent")
    other = ticket(runtime, "Cannot log in")
    tab = signed_in("agent")
    csrf = csrf_of(tab.get(BOARD).text)
    ok = tab.post(MOVE, {"csrf": csrf, "id": str(record["id"]), "row_version": "1",
                         "to": "in_progress"}, headers=JSON)
    assert ok.status_code == 200 and ok.headers["content-type"] == "application/json"
    answer = json.loads(ok.text)
    assert answer["ok"] is True and answer["value"] == "in_progress"
    assert answer["message"] == "Printer on fire moved to In progress."
    assert f'id="card-{record["id"]}"' in answer["card"]
    assert 'data-version="2"' in answer["card"] and 'value="resolve"' in answer["card"]
    refused = tab.post(MOVE, {"csrf": csrf, "id": str(other["id"]), "row_version": "1",
                              "to": "in_progress"}, headers=JSON)
    assert refused.status_code == 403 and json.loads(refused.text)["ok"] is False
    missing = tab.post(MOVE, {"csrf": csrf, "id": "999999", "to": "in_progress"}, headers=JSON)
    assert missing.status_code == 422 and "no longer there" in json.loads(missing.text)["message"]


def test_a_card_shows_no_value_the_user_may_not_read(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    html = "<script>alert(1)</script> on fire"
    ticket(runtime, html, assignee="agent")
    page = signed_in("agent").get(BOARD).text
    assert html not in page and "&lt;script&gt;alert(1)&lt;/script&gt; on fire" in page


NOTES = """
app: notes
roles: [writer]
entities:
  Note:
    display: title
    fields:
      title: {type: string, required: true}
      colour: {type: enum, values: [red, green]}
    workflow:
      states: {draft: {}, done: {}}
      transitions:
        finish: {from: draft, to: done, roles: [writer]}
    permissions:
      writer: {read: "created_by == user.id", create: true, update: "created_by == user.id"}
views:
  mine:
    type: board
    entity: Note
    columns: [title, colour]
  by-colour:
    type: board
    entity: Note
    group_by: colour
"""


@pytest.fixture
def notes(db: sa.Engine) -> Iterator[Callable[..., Browser]]:
    """A small app whose rule lets a writer read only their own notes.

    ``notes(who, *titles)`` creates notes (``title`` or ``title:colour``) as ``who`` and gives
    a tab signed in as them.
    """
    app = compile_text(NOTES)
    apply(plan(app, db), db)
    for who in ("ana", "bob"):
        add_user(db, f"{who}@example.com", app, "writer")
        set_password(db, f"{who}@example.com", PASSWORD)
    runtime = Runtime(db, [app])
    site = create_site(runtime, "test-signing-key-" + "x" * 32, create_app(runtime))
    with start_blocking_portal() as portal:
        opened: list[httpx.AsyncClient] = []

        def sign_in(who: str, *titles: str) -> Browser:
            p = principal(runtime, who, "writer")
            for title in titles:
                name, _, colour = title.partition(":")
                runtime.records("notes").create(p, "Note", {"title": name,
                                                            "colour": colour or None})
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=site),
                                       base_url="http://testserver")
            opened.append(client)
            tab = Browser(portal, client)
            assert tab.login(f"{who}@example.com").status_code == 303
            return tab

        try:
            yield sign_in
        finally:
            for client in opened:
                portal.call(client.aclose)


def test_cards_are_only_the_records_the_user_may_read(
        notes: Callable[..., Browser]) -> None:
    ana, _ = notes("ana", "Note by Ana"), notes("bob", "Note by Bob")
    board = columns(ana.get("/notes/boards/mine").text)
    assert list(board) == ["Draft", "Done"]
    assert "Note by Ana" in board["Draft"] and "Note by Bob" not in board["Draft"]
    assert count(board["Draft"]) == 1


def test_a_board_grouped_by_an_enum_has_a_column_per_value(
        notes: Callable[..., Browser]) -> None:
    ana = notes("ana", "Red one:red", "Plain one")
    page = ana.get("/notes/boards/by-colour").text
    board = columns(page)
    assert list(board) == ["Red", "Green", "No value"]
    assert "Red one" in board["Red"] and "Plain one" in board["No value"]
    assert 'draggable="true"' not in page and 'class="moves"' not in page
