"""The web UI in a real Chromium: sign in, create a ticket, find it in the list.

At desktop size and at phone size; saves screenshots of the list page to ``docs/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from apiary.engine import Principal, Runtime
from apiary.identity import list_users
from tests.browser.conftest import SIZES, no_sideways_scroll, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.mark.parametrize("size", sorted(SIZES))
def test_sign_in_create_a_ticket_and_find_it_in_the_list(
        open_page: Callable[..., Page], size: str) -> None:
    from playwright.sync_api import expect

    page = open_page("customer", "/helpdesk/Ticket", size)
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    page.get_by_role("link", name="New Ticket").click()
    page.get_by_label("Subject").fill(f"Printer on fire ({size})")
    page.get_by_label("Category").select_option("incident")
    page.get_by_label("Description").fill("Smoke everywhere")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=f"Printer on fire ({size})")).to_be_visible()
    page.get_by_role("link", name="Tickets").click()
    expect(page.get_by_role("link", name=f"Printer on fire ({size})")).to_be_visible()
    assert no_sideways_scroll(page, size), "the page scrolls sideways"
    screenshot(page, f"list-{size}")


def test_a_validation_error_is_shown_beside_its_field_and_the_input_kept(
        open_page: Callable[..., Page]) -> None:
    from playwright.sync_api import expect

    page = open_page("customer", "/helpdesk/Ticket/new")
    page.get_by_label("Subject").fill("Hi")  # shorter than the 5 characters the app asks for
    page.get_by_label("Category").select_option("incident")
    page.get_by_label("Description").fill("Smoke everywhere")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("at least 5 characters")).to_be_visible()
    expect(page.get_by_label("Subject")).to_have_value("Hi")
    expect(page.get_by_label("Description")).to_have_value("Smoke everywhere")
    assert "/helpdesk/Ticket/new" in page.url, "nothing was created"


def test_a_role_sees_neither_the_button_nor_the_field_it_may_not_use(
        open_page: Callable[..., Page], served: tuple[str, Runtime]) -> None:
    from playwright.sync_api import expect

    _, runtime = served
    service = runtime.records("helpdesk")
    customer = _principal(runtime, "customer")
    ticket = service.create(customer, "Ticket", {
        "subject": "Printer on fire", "description": "Smoke", "category": "incident"})
    service.update(_principal(runtime, "supervisor"), "Ticket", ticket["id"],
                   {"internal_notes": "Customer is grumpy"})
    path = f"/helpdesk/Ticket/{ticket['id']}"

    as_supervisor = open_page("supervisor", path)
    expect(as_supervisor.get_by_text("Customer is grumpy", exact=True)).to_be_visible()
    expect(as_supervisor.get_by_role("button", name="Start work")).to_be_visible()

    as_customer = open_page("customer", path)
    expect(as_customer.get_by_role("heading", name="Printer on fire")).to_be_visible()
    expect(as_customer.get_by_role("button", name="Withdraw")).to_be_visible()
    expect(as_customer.get_by_role("button", name="Start work")).to_have_count(0)
    expect(as_customer.get_by_text("Customer is grumpy")).to_have_count(0)
    expect(as_customer.get_by_text("Internal notes")).to_have_count(0)


def _principal(runtime: Runtime, role: str) -> Principal:
    """The principal of ``<role>@example.com``, the user the served helpdesk has for ``role``."""
    user = next(u for u in list_users(runtime.db) if u.email == f"{role}@example.com")
    return Principal(user.id, user.email, frozenset({role}))
