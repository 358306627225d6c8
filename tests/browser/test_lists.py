"""A list in a real Chromium: search, filter and sort the support queue; the same list with its
filters on a phone does not scroll sideways."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from apiary.engine import Principal, Runtime
from apiary.identity import add_user
from tests.browser.conftest import no_sideways_scroll

if TYPE_CHECKING:
    from playwright.sync_api import Page

TICKETS = (("Printer on fire", "high"), ("Printer out of paper", "low"),
           ("Printer offline", "high"), ("Cannot log in", "high"))


def seed(runtime: Runtime) -> None:
    service = runtime.records("helpdesk")
    email = "supervisor@example.com"
    user_id = add_user(runtime.db, email, service.app.app, "supervisor")
    boss = Principal(user_id, email, frozenset({"supervisor"}))
    acme = service.create(boss, "Account", {"name": "Acme Corporation", "code": "ACME"})
    for subject, priority in TICKETS:
        service.create(boss, "Ticket", {"subject": subject, "description": "Details",
                                        "category": "incident", "priority": priority,
                                        "account": acme["id"]})


def subjects(page: Page) -> list[str]:
    return page.locator("tbody td[data-label='Subject'] a").all_inner_texts()


def test_search_filter_and_sort_the_queue(open_page: Callable[..., Page],
                                          served: tuple[str, Runtime]) -> None:
    from playwright.sync_api import expect

    seed(served[1])
    page = open_page("agent", "/helpdesk/Ticket")
    expect(page.get_by_text("4 tickets")).to_be_visible()
    page.get_by_label("Search").fill("printer")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("2 tickets")).to_be_visible()
    assert sorted(subjects(page)) == ["Printer offline", "Printer on fire"]
    expect(page.get_by_label("Priority")).to_have_value("high")
    expect(page.get_by_role("cell", name="Acme Corporation").first).to_be_visible()

    page.get_by_role("link", name="Subject").click()
    header = page.get_by_role("columnheader", name="Subject")
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert subjects(page) == ["Printer offline", "Printer on fire"]
    page.get_by_role("link", name="Subject").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert subjects(page) == ["Printer on fire", "Printer offline"]
    expect(page.get_by_label("Search")).to_have_value("printer")  # the sort kept the filters

    page.get_by_role("link", name="Past their SLA").click()
    expect(page.get_by_role("heading", name="Past their SLA")).to_be_visible()


def test_the_list_with_its_filters_fits_a_phone(open_page: Callable[..., Page],
                                                served: tuple[str, Runtime]) -> None:
    from playwright.sync_api import expect

    seed(served[1])
    page = open_page("agent", "/helpdesk/Ticket?priority=high", "phone")
    expect(page.get_by_text("3 tickets")).to_be_visible()
    expect(page.get_by_role("link", name="Subject")).to_be_visible()  # sorting on a phone
    assert no_sideways_scroll(page, "phone"), "the page scrolls sideways"
