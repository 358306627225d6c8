"""The helpdesk dashboard in a real Chromium: tiles and charts drawn, readable on a phone.

Saves ``docs/screenshots/dashboard-desktop.png`` and ``dashboard-phone.png``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from apiary.engine import Principal, Runtime
from apiary.identity import list_users
from tests.browser.conftest import no_sideways_scroll, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

DASHBOARD = "/helpdesk/dashboards/support-overview"


def seed(runtime: Runtime) -> None:
    users = {u.email.split("@")[0]: u.id for u in list_users(runtime.db)}
    supervisor = Principal(users["supervisor"], "supervisor@example.com",
                           frozenset({"supervisor"}))
    svc = runtime.records("helpdesk")
    accounts = [svc.create(supervisor, "Account", {
        "name": name, "code": code, "plan": plan, "contract_value": value})["id"]
        for name, code, plan, value in (("Acme Industries", "ACME", "enterprise", "48000"),
                                        ("Bolt Logistics", "BOLT", "business", "12500.50"),
                                        ("Cobalt Bakery", "COBALT", "basic", "1800"))]
    priorities = ["low", "normal", "normal", "high", "urgent", "normal", "low", "high"]
    for i, priority in enumerate(priorities):
        svc.create(supervisor, "Ticket", {
            "subject": f"Ticket number {i + 1}", "category": "incident",
            "description": "Details", "priority": priority, "account": accounts[i % 3],
            "assignee": users["agent"] if i % 2 or priority == "urgent" else None,
            "time_spent_hours": f"{i % 4 + 0.5:.2f}"})


def test_the_supervisor_dashboard_at_desktop_and_phone_size(
        served: tuple[str, Runtime], open_page: Callable[..., Page]) -> None:
    from playwright.sync_api import expect

    seed(served[1])
    for size in ("desktop", "phone"):
        page = open_page("supervisor", DASHBOARD, size)
        expect(page.get_by_role("heading", name="Support overview", level=1)).to_be_visible()
        tile = page.locator("section.widget-number").filter(has_text="Open tickets")
        expect(tile.locator(".number")).to_have_text("8")
        bars = page.get_by_role("img", name=re.compile(r"^Bar chart, Open tickets by priority"))
        expect(bars).to_be_visible()
        expect(bars).to_have_attribute("aria-label", re.compile("normal: 3; high: 2"))
        expect(page.get_by_role("img", name=re.compile(r"^Pie chart, Tickets by state"))) \
            .to_be_visible()
        expect(page.get_by_role("img", name=re.compile(r"^Line chart, Tickets due"))) \
            .to_be_visible()
        assert page.locator("svg[role=img]").count() == 5
        numbers = page.locator("section").filter(has_text="Hours spent per agent")
        numbers.get_by_text("Numbers").click()
        expect(numbers.get_by_role("cell", name="10.50")).to_be_visible()
        assert no_sideways_scroll(page, size), f"the dashboard scrolls sideways at {size} size"
        screenshot(page, f"dashboard-{size}")
        page.close()
