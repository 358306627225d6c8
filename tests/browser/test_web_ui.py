"""The web UI in a real Chromium: sign in, create a ticket, find it in the list.

At desktop size and at phone size; saves screenshots of the list page to ``docs/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

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
