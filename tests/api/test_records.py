"""Every record route of the helpdesk, end to end through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.client import Client
from tests.api.conftest import Account

TICKETS = "/api/helpdesk/Ticket"
AsRole = Callable[[str], Client]


def new_ticket(client: Client, subject: str = "Printer on fire", **fields: Any) -> dict[str, Any]:
    body = {"subject": subject, "description": "Smoke comes out.", "category": "incident",
            **fields}
    response = client.post(TICKETS, json=body)
    assert response.status_code == 201, response.text
    record: dict[str, Any] = response.json()
    return record


def test_create_returns_the_record_with_location_and_etag(as_role: AsRole,
                                                          accounts: dict[str, Account]) -> None:
    response = as_role("customer").post(TICKETS, json={
        "subject": "Cannot log in", "description": "Since this morning.",
        "category": "account_access"})
    assert response.status_code == 201
    record = response.json()
    assert response.headers["location"] == f"{TICKETS}/{record['id']}"
    assert response.headers["etag"] == '"1"'
    assert record["state"] == "new" and record["priority"] == "normal"
    assert record["created_by"] == accounts["customer"].user_id
    assert record["row_version"] == 1
    assert record["_transitions"] == ["withdraw"]
    assert "internal_notes" not in record  # hidden from customers
    assert record["sla_due_at"].endswith("Z")


def test_get_returns_etag_and_hides_fields_by_role(as_role: AsRole) -> None:
    record = new_ticket(as_role("customer"))
    response = as_role("agent").get(f"{TICKETS}/{record['id']}")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json()["internal_notes"] is None
    assert "internal_notes" not in as_role("customer").get(f"{TICKETS}/{record['id']}").json()


def test_list_filters_sorts_counts_and_pages(as_role: AsRole) -> None:
    agent = as_role("agent")
    for i, priority in enumerate(["low", "high", "normal", "high", "urgent"]):
        new_ticket(agent, f"Ticket number {i}", priority=priority,
                   assignee=None if priority != "urgent" else 1)
    response = agent.get(TICKETS, params={"filter": "priority == 'high' || priority == 'low'",
                                          "sort": "-priority,subject", "count": "true"})
    body = response.json()
    assert response.status_code == 200
    assert body["total"] == 3 and body["next"] is None
    assert [t["subject"] for t in body["items"]] == [
        "Ticket number 0", "Ticket number 1", "Ticket number 3"]  # enum values sort as text

    seen: list[str] = []
    params: dict[str, str] = {"sort": "subject", "limit": "2"}
    for _ in range(5):
        page = agent.get(TICKETS, params=params)
        seen += [t["subject"] for t in page.json()["items"]]
        cursor = page.json()["next"]
        if cursor is None:
            assert "link" not in page.headers
            break
        assert page.headers["link"].endswith('>; rel="next"')
        assert "after=" in page.headers["link"]
        params = {**params, "after": cursor}
    assert seen == [f"Ticket number {i}" for i in range(5)]
    assert "total" not in page.json()


def test_list_equality_shortcuts_and_expand(as_role: AsRole,
                                            accounts: dict[str, Account]) -> None:
    agent = as_role("agent")
    new_ticket(agent, "Assigned to the agent", assignee=accounts["agent"].user_id)
    new_ticket(agent, "Nobody has this one")
    response = agent.get(TICKETS, params={"assignee": str(accounts["agent"].user_id),
                                          "expand": "assignee,created_by"})
    items = response.json()["items"]
    assert [t["subject"] for t in items] == ["Assigned to the agent"]
    assert items[0]["assignee"]["email"] == "agent@example.com"
    assert items[0]["created_by"]["id"] == accounts["agent"].user_id
    assert agent.get(TICKETS, params={"state": "new", "count": "true"}).json()["total"] == 2
    single = agent.get(f"{TICKETS}/{items[0]['id']}", params={"expand": "assignee"}).json()
    assert single["assignee"]["email"] == "agent@example.com"


def test_customers_list_only_their_own_tickets(as_role: AsRole) -> None:
    new_ticket(as_role("agent"), "Raised by the agent")
    mine = new_ticket(as_role("customer"), "Raised by the customer")
    items = as_role("customer").get(TICKETS).json()["items"]
    assert [t["id"] for t in items] == [mine["id"]]


def test_patch_with_if_match_and_a_stale_version(as_role: AsRole,
                                                 accounts: dict[str, Account]) -> None:
    agent = as_role("agent")
    ticket = new_ticket(agent)
    url = f"{TICKETS}/{ticket['id']}"
    changed = agent.patch(url, json={"assignee": accounts["agent"].user_id, "priority": "high"},
                          headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["priority"] == "high" and changed.json()["row_version"] == 2

    stale = agent.patch(url, json={"priority": "low"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert agent.get(url).json()["priority"] == "high"

    for version, form in ((2, "2"), (3, 'W/"3"'), (4, '"4"')):
        response = agent.patch(url, json={"internal_notes": f"note {version}"},
                               headers={"If-Match": form})
        assert response.status_code == 200, form
        assert response.json()["row_version"] == version + 1
    unconditional = agent.patch(url, json={"resolution": "Reset the password."})
    assert unconditional.status_code == 200


def test_patch_accepts_merge_patch_content_type(as_role: AsRole) -> None:
    agent = as_role("agent")
    ticket = new_ticket(agent)
    response = agent.patch(f"{TICKETS}/{ticket['id']}", content=b'{"priority": "low"}',
                           headers={"Content-Type": "application/merge-patch+json"})
    assert response.status_code == 200 and response.json()["priority"] == "low"


def test_transition_with_comment_then_history(as_role: AsRole,
                                              accounts: dict[str, Account]) -> None:
    agent = as_role("agent")
    ticket = new_ticket(as_role("customer"))
    url = f"{TICKETS}/{ticket['id']}"
    agent.patch(url, json={"assignee": accounts["agent"].user_id})
    assert "start" in agent.get(url).json()["_transitions"]

    stale = agent.post(f"{url}/transitions/start", json={"comment": "On it."},
                       headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    started = agent.post(f"{url}/transitions/start", json={"comment": "On it."},
                         headers={"If-Match": 'W/"2"', "X-Request-ID": "req-start-1"})
    assert started.status_code == 200, started.text
    assert started.json()["state"] == "in_progress"
    assert started.headers["etag"] == '"3"'

    again = agent.post(f"{url}/transitions/start")  # no body at all
    assert again.status_code == 409

    history = agent.get(f"{url}/history")
    assert history.status_code == 200
    entries = history.json()["items"]
    assert [e["action"] for e in entries] == ["create", "update", "transition"]
    last = entries[-1]
    assert (last["from"], last["to"], last["comment"]) == ("new", "in_progress", "On it.")
    assert last["request_id"] == "req-start-1"
    assert last["actor"] == "agent@example.com"


def test_transition_refused_by_role_and_guard(as_role: AsRole) -> None:
    ticket = new_ticket(as_role("customer"))
    url = f"{TICKETS}/{ticket['id']}/transitions"
    assert as_role("customer").post(f"{url}/start").status_code == 403
    assert as_role("agent").post(f"{url}/start").status_code == 403  # not assigned: guard
    assert as_role("agent").post(f"{url}/nonsense").status_code == 404
    withdrawn = as_role("customer").post(f"{url}/withdraw", json={})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "closed"


def test_delete_with_if_match(as_role: AsRole) -> None:
    admin = as_role("admin")
    ticket = new_ticket(admin)
    url = f"{TICKETS}/{ticket['id']}"
    assert as_role("agent").delete(url).status_code == 403
    assert admin.delete(url, headers={"If-Match": '"7"'}).status_code == 412
    deleted = admin.delete(url, headers={"If-Match": '"1"'})
    assert deleted.status_code == 204 and deleted.content == b""
    assert admin.get(url).status_code == 404
    assert admin.delete(url).status_code == 404


def test_delete_refused_while_referenced(as_role: AsRole) -> None:
    admin = as_role("admin")
    account = admin.post("/api/helpdesk/Account", json={"name": "Acme", "code": "ACME"}).json()
    new_ticket(admin, account=account["id"])
    response = admin.delete(f"/api/helpdesk/Account/{account['id']}")
    assert response.status_code == 409


def test_unique_values_conflict(as_role: AsRole) -> None:
    admin = as_role("admin")
    assert admin.post("/api/helpdesk/Account",
                      json={"name": "Acme", "code": "ACME"}).status_code == 201
    again = admin.post("/api/helpdesk/Account", json={"name": "Acme", "code": "ACMX"})
    assert again.status_code == 409


def test_records_of_another_reader_are_not_found(as_role: AsRole) -> None:
    ticket = new_ticket(as_role("agent"))
    url = f"{TICKETS}/{ticket['id']}"
    for response in (as_role("customer").get(url), as_role("customer").get(f"{url}/history"),
                     as_role("customer").patch(url, json={"product_version": "1.0"})):
        assert response.status_code == 404


def test_a_file_field_can_be_kept_or_cleared_but_not_pointed_at_another_file(
        as_role: AsRole, accounts: dict[str, Account], runtime: Any) -> None:
    from apiary.engine import Principal

    someone_elses = {"id": "c" * 32, "name": "payslip.pdf", "size": 10, "type": "application/pdf"}
    customer = as_role("customer")
    refused = customer.post(TICKETS, json={
        "subject": "Look at this file", "description": "See file.", "category": "incident",
        "attachment": someone_elses})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["attachment"]
    # a ticket whose file was uploaded in the web form: the API reads it, sends it back, clears it
    mine = {"id": "d" * 32, "name": "screen.png", "size": 10, "type": "image/png"}
    principal = Principal(accounts["customer"].user_id, accounts["customer"].email,
                          frozenset({"customer"}))
    ticket = runtime.records("helpdesk").create(principal, "Ticket", {
        "subject": "Look at this file", "description": "See file.", "category": "incident",
        "attachment": mine})
    address = f"{TICKETS}/{ticket['id']}"
    read = customer.get(address).json()
    kept = customer.patch(address, json={"attachment": read["attachment"],
                                          "subject": "Look at this file!"})
    assert kept.status_code == 200, kept.text
    moved = customer.patch(address, json={"attachment": someone_elses})
    assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "attachment"
    assert customer.get(address).json()["attachment"]["id"] == mine["id"]
    cleared = customer.patch(address, json={"attachment": None})
    assert cleared.status_code == 200 and cleared.json()["attachment"] is None
