"""Automated accessibility checks of every main page in a real Chromium, and keyboard use.

axe-core (bundled with the ``axe-playwright-python`` dev dependency, so it runs offline) checks
each page against the WCAG 2.0 and 2.1 A and AA rules and axe's best practices, at desktop and
phone size. A failure lists every violation: its rule, impact and help, and the elements it
found. The keyboard tests tab from the top of a list and a record's page and check that the main
actions come in a sensible order, each with a visible focus indicator.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from apiary.engine import Principal, Runtime
from apiary.identity import list_users
from tests.browser.conftest import SIZES, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# Rules left out, each for a stated reason. Keep this empty unless a rule is wrong for a page.
EXCLUDED: dict[str, str] = {}


def _who(runtime: Runtime, role: str) -> Principal:
    ids = {u.email: u.id for u in list_users(runtime.db)}
    return Principal(user_id=ids[f"{role}@example.com"], email=f"{role}@example.com",
                     roles=frozenset({role}))


def seed(runtime: Runtime) -> int:
    """Accounts, tickets in several states and comments; returns a ticket with a history."""
    service = runtime.records("helpdesk")
    boss, agent = _who(runtime, "supervisor"), _who(runtime, "agent")
    customer = _who(runtime, "customer")
    acme = service.create(boss, "Account", {"name": "Acme Printing", "code": "ACME",
                                            "plan": "business"})
    service.create(boss, "Account", {"name": "Globex", "code": "GLOBEX", "plan": "basic"})
    ticket = service.create(customer, "Ticket", {
        "subject": "Printer on fire", "category": "incident",
        "description": "Smoke comes out of the tray.\nIt smells of toast.",
        "product_version": "4.2.1"})
    service.update(agent, "Ticket", ticket["id"], {
        "account": acme["id"], "assignee": agent.user_id, "priority": "high"})
    service.create(agent, "Comment", {"ticket": ticket["id"], "requester": customer.user_id,
                                      "body": "Please switch it off and step away."})
    current = service.get(agent, "Ticket", ticket["id"])
    service.transition(agent, "Ticket", ticket["id"], "start",
                       if_match=current["row_version"], comment="Reproduced it.")
    for subject, priority in (("Printer out of paper", "low"), ("Cannot log in", "high"),
                              ("Invoice is wrong", "normal")):
        service.create(boss, "Ticket", {"subject": subject, "description": "Details",
                                        "category": "incident", "priority": priority,
                                        "account": acme["id"]})
    return int(ticket["id"])


def violations(page: Page) -> list[str]:
    """axe's violations on the page as it is now: one entry per rule, with what it found."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    options = {"runOnly": {"type": "tag", "values": TAGS},
               "rules": {rule: {"enabled": False} for rule in EXCLUDED},
               "resultTypes": ["violations"]}
    found: list[dict[str, Any]] = Axe().run(page, options=options).response["violations"]
    report = []
    for v in found:
        nodes = "".join(f"\n    {' '.join(node['target'])}: "
                        + " ".join(node.get("failureSummary", "").split())
                        for node in v["nodes"])
        report.append(f"{page.url} {v['id']} ({v['impact']}): {v['help']}{nodes}")
    return report


@pytest.fixture
def pages(chromium: Browser, served: tuple[str, Runtime]) -> Iterator[Callable[..., Page]]:
    """``pages(role, size)``: a signed-in tab per role and size, kept for the test."""
    base_url, _ = served
    opened: dict[tuple[str | None, str], Page] = {}

    def page_for(role: str | None, size: str) -> Page:
        if (role, size) not in opened:
            page = chromium.new_page(viewport=SIZES[size])  # type: ignore[arg-type]
            if role is not None:
                sign_in(page, base_url, role)
            opened[role, size] = page
        return opened[role, size]

    yield page_for
    for page in opened.values():
        page.close()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_main_page_passes_axe(pages: Callable[..., Page], served: tuple[str, Runtime],
                                    size: str) -> None:
    from playwright.sync_api import expect

    base_url, runtime = served
    ticket = seed(runtime)
    found: list[str] = []

    def check(role: str | None, path: str, expect_status: int = 200,
              then: Callable[[Page], None] | None = None) -> None:
        page = pages(role, size)
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == expect_status, path
        if then is not None:
            then(page)
        found.extend(violations(page))

    def failed_submit(page: Page) -> None:
        page.get_by_role("button", name="Create").click()
        expect(page.locator(".field.invalid").first).to_be_visible()

    def open_numbers(page: Page) -> None:  # the tables behind "Numbers" are checked too
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        expect(page.locator("details table").first).to_be_visible()

    def offline(page: Page) -> None:
        page.context.set_offline(True)
        expect(page.locator("[data-offline-notice]")).to_be_visible()

    check(None, "/login")
    check("agent", "/")
    check("agent", "/helpdesk/")
    check("agent", "/helpdesk/Ticket?priority=high&q=printer")
    check("agent", "/helpdesk/Ticket?priority=urgentish&deleted=7")  # a problem and a notice
    check("agent", f"/helpdesk/Ticket/{ticket}")
    check("agent", "/helpdesk/Ticket/new", then=failed_submit)
    check("agent", f"/helpdesk/Ticket/{ticket}/edit")
    check("agent", "/helpdesk/boards/triage")
    check("supervisor", "/helpdesk/dashboards/support-overview", then=open_numbers)
    check("admin", f"/helpdesk/Ticket/{ticket}/delete")
    check(None, "/offline")
    check("agent", "/helpdesk/Ticket/999999", expect_status=404)
    check("admin", "/helpdesk/", then=offline)
    assert not found, f"{len(found)} rules violated:\n" + "\n".join(found)


FOCUS = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const field = ["input", "select", "textarea"].includes(el.tagName.toLowerCase());
    return {name: (el.getAttribute("aria-label") || (field ? el.id : el.innerText)
                   || "").trim().slice(0, 40),
            tag: el.tagName.toLowerCase(), inMain: !!el.closest("main"),
            top: box.top + window.scrollY, visible: box.width > 0 && box.height > 0,
            ring: [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow]};
}"""
RING = """(el) => {
    const style = getComputedStyle(el);
    return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow];
}"""


def tab_through(page: Page, url: str, stop: Callable[[dict[str, Any]], bool],
                limit: int = 80) -> list[dict[str, Any]]:
    """Open ``url`` and press Tab until ``stop`` holds for the focused element.

    Each focused element's ring (outline and box-shadow) is compared with the same element's
    once focus has left it, so a focus indicator that does not show fails the test.
    """
    page.goto(url)
    stops: list[dict[str, Any]] = []
    handles = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS)
        stops.append(focused)
        handles.append(page.evaluate_handle("document.activeElement"))
        if stop(focused):
            break
    else:
        pytest.fail("Tab never reached the end: " + ", ".join(s["name"] for s in stops))
    page.evaluate("document.activeElement.blur()")
    for focused, handle in zip(stops, handles, strict=True):
        label = f"{focused['tag']} {focused['name']!r}"
        assert focused["visible"], f"{label} takes focus but cannot be seen"
        style, width, _, shadow = focused["ring"]
        drawn = (style != "none" and float(width.removesuffix("px")) >= 2) or shadow != "none"
        assert drawn, f"{label} has no visible focus indicator: {focused['ring']}"
        assert handle.evaluate(RING) != focused["ring"], f"{label} looks the same focused"
    return stops


def position(stops: list[dict[str, Any]], tag: str, name: str) -> int:
    """Where in the tab order the element with this tag and name comes (the first one)."""
    for index, focused in enumerate(stops):
        if focused["tag"] == tag and focused["name"] == name:
            return index
    names = ", ".join(f"{s['tag']} {s['name']!r}" for s in stops)
    raise AssertionError(f"Tab never reaches {tag} {name!r}; it reaches {names}")


def in_reading_order(stops: list[dict[str, Any]]) -> None:
    """Within the page's content, focus never jumps back up the page (beyond one row)."""
    inside = [s for s in stops if s["inMain"]]
    for before, after in itertools.pairwise(inside):
        assert after["top"] >= before["top"] - 48, (
            f"focus jumps up from {before['name']!r} to {after['name']!r}")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_keyboard_reaches_the_list_and_a_record(pages: Callable[..., Page],
                                                served: tuple[str, Runtime], size: str) -> None:
    from playwright.sync_api import expect

    base_url, runtime = served
    ticket = seed(runtime)
    page = pages("agent", size)
    stops = tab_through(page, f"{base_url}/helpdesk/Ticket",
                        lambda f: f["tag"] == "a" and f["name"] == "Printer on fire")
    order = [position(stops, "a", "Skip to content"), position(stops, "a", "Tickets"),
             position(stops, "a", "New Ticket"), position(stops, "input", "q"),
             position(stops, "select", "flt-priority"),
             position(stops, "button", "Apply filters"),
             position(stops, "a", "Printer on fire")]
    assert order == sorted(order), stops
    in_reading_order(stops)

    page.goto(f"{base_url}/helpdesk/Ticket")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # without the skip, this would be the top bar's first link
    assert page.evaluate(FOCUS)["inMain"], "Skip to content does not lead into the content"

    stops = tab_through(page, f"{base_url}/helpdesk/Ticket/{ticket}",
                        lambda f: f["tag"] == "a" and f["name"] == "Acme Printing")
    order = [position(stops, "a", "Edit"), position(stops, "textarea", "comment"),
             position(stops, "button", "Ask the customer"),
             position(stops, "button", "Resolve"), position(stops, "a", "Acme Printing")]
    assert order == sorted(order), stops
    in_reading_order(stops)
