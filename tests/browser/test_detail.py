"""A record's page in a real Chromium: a transition with a comment, and a confirmed delete.

Saves screenshots of a ticket's page to ``docs/screenshots/detail-desktop.png`` and
``detail-phone.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from apiary.engine import Principal, Runtime
from apiary.identity import list_users
from tests.browser.conftest import SIZES, no_sideways_scroll, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page


def _who(runtime: Runtime, role: str) -> Principal:
    ids = {u.email: u.id for u in list_users(runtime.db)}
    return Principal(user_id=ids[f"{role}@example.com"], email=f"{role}@example.com",
                     roles=frozenset({role}))


def _ticket(runtime: Runtime) -> dict[str, Any]:
    """A customer's ticket on an account, assigned to the agent, with a reply on it."""
    service = runtime.records("helpdesk")
    customer, agent = _who(runtime, "customer"), _who(runtime, "agent")
    account = service.create(_who(runtime, "supervisor"), "Account",
                             {"name": "Acme Printing", "code": "ACME", "plan": "business"})
    ticket = service.create(customer, "Ticket", {
        "subject": "Printer on fire", "category": "incident",
        "description": "Smoke comes out of the tray.\nIt smells of toast.",
        "product_version": "4.2.1"})
    service.update(agent, "Ticket", ticket["id"], {
        "account": account["id"], "assignee": agent.user_id, "priority": "high"})
    service.create(agent, "Comment", {"ticket": ticket["id"], "requester": customer.user_id,
                                      "body": "Please switch it off and step away."})
    return ticket


@pytest.mark.parametrize("size", sorted(SIZES))
def test_take_a_transition_with_a_comment(open_page: Callable[..., Page],
                                          served: tuple[str, Runtime], size: str) -> None:
    from playwright.sync_api import expect

    ticket = _ticket(served[1])
    page = open_page("agent", f"/helpdesk/Ticket/{ticket['id']}", size)
    expect(page.get_by_role("link", name="Acme Printing")).to_be_visible()
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    page.get_by_role("textbox", name="Comment").fill("Reproduced on 4.2.1, working on it.")
    page.get_by_role("button", name="Start work").click()
    expect(page.locator(".heading .state")).to_have_text("In progress")
    history = page.locator(".history")
    expect(history).to_contain_text("moved it from New to In progress")
    expect(history.locator(".comment")).to_have_text("Reproduced on 4.2.1, working on it.")
    assert no_sideways_scroll(page, size), "the page scrolls sideways"
    screenshot(page, f"detail-{size}")


def test_delete_after_confirming(open_page: Callable[..., Page],
                                 served: tuple[str, Runtime]) -> None:
    from playwright.sync_api import expect

    base_url, runtime = served
    ticket = _ticket(runtime)
    page = open_page("admin", f"/helpdesk/Ticket/{ticket['id']}")
    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", name="Delete this ticket?")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", name="Printer on fire")).to_be_visible()
    page.get_by_role("link", name="Delete…").click()
    page.get_by_role("button", name="Delete ticket").click()
    page.wait_for_url(f"{base_url}/helpdesk/Ticket?deleted={ticket['id']}")
    response = page.goto(f"{base_url}/helpdesk/Ticket/{ticket['id']}")
    assert response is not None and response.status == 404
