"""The board in a real Chromium: drag a card, a refused move, the keyboard, phone size.

Saves ``docs/screenshots/board-desktop.png`` and ``board-phone.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from apiary.engine import Principal, Runtime
from apiary.identity import list_users
from tests.browser.conftest import no_sideways_scroll, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

BOARD = "/helpdesk/boards/triage"


def principal(runtime: Runtime, role: str) -> Principal:
    user = next(u for u in list_users(runtime.db) if u.email == f"{role}@example.com")
    return Principal(user.id, user.email, frozenset({role}))


def seed(runtime: Runtime) -> dict[str, dict[str, Any]]:
    """A few tickets: two the agent may start, one nobody is assigned to, one in progress."""
    boss = principal(runtime, "supervisor")
    agent = principal(runtime, "agent").user_id
    records = runtime.records("helpdesk")
    made = {}
    for subject, assignee, priority in (("Printer on fire", agent, "urgent"),
                                        ("Mail is slow", agent, "normal"),
                                        ("Cannot log in", None, "high"),
                                        ("Invoice is wrong", agent, "low")):
        made[subject] = records.create(boss, "Ticket", {
            "subject": subject, "category": "incident", "description": "Details",
            "assignee": assignee, "priority": priority})
    records.transition(boss, "Ticket", made["Invoice is wrong"]["id"], "start")
    return made


def column(page: Page, state: str) -> Any:
    return page.locator(f'section.column[data-value="{state}"]')


def test_drag_a_card_to_another_column_and_a_refused_move(
        open_page: Callable[..., Page], served: tuple[str, Runtime]) -> None:
    from playwright.sync_api import expect

    made = seed(served[1])
    page = open_page("agent", BOARD)
    expect(page.get_by_role("heading", name="Ticket board")).to_be_visible()
    card = page.locator(f'#card-{made["Printer on fire"]["id"]}')
    card.drag_to(column(page, "in_progress"))
    status = page.locator("[data-board-status]")
    expect(status).to_contain_text("Printer on fire moved to In progress.")
    expect(column(page, "in_progress").locator(".card", has_text="Printer on fire")).to_be_visible()
    expect(column(page, "in_progress").locator("[data-count]")).to_have_text("2")
    page.reload()
    expect(column(page, "in_progress").locator(".card", has_text="Printer on fire")).to_be_visible()
    expect(column(page, "new").locator(".card", has_text="Printer on fire")).to_have_count(0)

    refused = page.locator(f'#card-{made["Cannot log in"]["id"]}')
    refused.drag_to(column(page, "in_progress"))
    expect(status.locator(".alert")).to_contain_text("start")
    expect(column(page, "new").locator(".card", has_text="Cannot log in")).to_be_visible()
    expect(column(page, "new").locator("[data-count]")).to_have_text("2")

    page.locator(f'#card-{made["Mail is slow"]["id"]}').drag_to(column(page, "resolved"))
    expect(status.locator(".alert")).to_contain_text("No transition leads from New to Resolved")
    assert no_sideways_scroll(page, "desktop")
    screenshot(page, "board-desktop")


def test_board_on_a_phone_moves_cards_with_the_keyboard_and_buttons(
        open_page: Callable[..., Page], served: tuple[str, Runtime]) -> None:
    from playwright.sync_api import expect

    made = seed(served[1])
    page = open_page("agent", BOARD, "phone")
    card = page.locator(f'#card-{made["Mail is slow"]["id"]}')
    card.focus()
    page.keyboard.press("ArrowRight")
    moved = column(page, "in_progress").locator(".card", has_text="Mail is slow")
    expect(moved).to_be_visible()
    expect(moved).to_be_focused()
    moved.get_by_role("button", name="Ask the customer").click()
    expect(column(page, "waiting_on_customer").locator(".card", has_text="Mail is slow")
           ).to_be_visible()
    assert no_sideways_scroll(page, "phone"), "the page scrolls sideways"
    page.reload()
    expect(column(page, "waiting_on_customer").locator(".card", has_text="Mail is slow")
           ).to_be_visible()
    screenshot(page, "board-phone")
