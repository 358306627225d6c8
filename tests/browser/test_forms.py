"""A form in Chromium: a reference picked by searching, and a file uploaded with the record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from apiary.engine import Principal, Runtime
from apiary.web import lookup
from tests.browser.conftest import no_sideways_scroll, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload, Page

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(100)


@pytest.fixture(autouse=True)
def files_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploads go to the test's own directory (the site reads the setting when created)."""
    directory = tmp_path / "uploads"
    monkeypatch.setenv("APIARY_FILES_DIR", str(directory))
    monkeypatch.setattr(lookup, "PICK_LIMIT", 2)  # a few tickets are already "many"
    return directory


def seed(runtime: Runtime) -> int:
    service = runtime.records("helpdesk")
    customer = Principal(user_id=2, email="customer@example.com", roles=frozenset({"customer"}))
    ids = [service.create(customer, "Ticket", {"subject": subject, "category": "question",
                                               "description": "Details"})["id"]
           for subject in ("Printer on fire", "Scanner jammed", "Password expired")]
    return int(ids[0])


def pick(page: Page, label: str, typed: str, option: str) -> None:
    field = page.get_by_role("combobox", name=label)
    field.fill(typed)
    page.get_by_role("option", name=option).click()


def test_create_with_a_searched_reference_and_an_uploaded_file(
        served: tuple[str, Runtime], open_page: Callable[..., Page], files_dir: Path) -> None:
    _, runtime = served
    printer = seed(runtime)
    page = open_page("agent", "/helpdesk/Comment/new")
    pick(page, "Ticket", "print", f"Printer on fire (#{printer})")
    assert page.get_by_role("combobox", name="Ticket").input_value() == "Printer on fire"
    requester = page.get_by_role("combobox", name="Requester")
    requester.fill("custom")
    page.get_by_role("option", name="customer@example.com").wait_for()
    screenshot(page, "form-desktop")
    page.get_by_role("option", name="customer@example.com").click()
    page.get_by_label("Body").fill("The toner cartridge is being replaced.")
    toner: FilePayload = {"name": "toner.png", "mimeType": "image/png", "buffer": PNG}
    page.get_by_label("Attachment").set_input_files(files=[toner])
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/helpdesk/Comment/*")
    comment_id = int(page.url.rsplit("/", 1)[1])
    admin = Principal(user_id=1, email="admin@example.com", roles=frozenset({"admin"}))
    stored = runtime.records("helpdesk").get(admin, "Comment", comment_id)
    assert stored["ticket"] == printer and stored["requester"] == 2
    assert stored["attachment"]["name"] == "toner.png"
    assert [p.read_bytes() for p in files_dir.rglob("*") if p.is_file()] == [PNG]


def test_the_form_fits_a_phone(served: tuple[str, Runtime],
                               open_page: Callable[..., Page]) -> None:
    seed(served[1])
    page = open_page("agent", "/helpdesk/Comment/new", "phone")
    pick(page, "Ticket", "jam", "Scanner jammed (#2)")
    page.get_by_label("Body").fill("Opened the tray; a label was stuck.")
    screenshot(page, "form-phone")
    assert no_sideways_scroll(page, "phone")
