"""Hand-edited forms and addresses: whatever a browser (or someone posing as one) sends, the
answer is a page that says what is wrong, never a server error."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from apiary.engine import Runtime
from apiary.identity import list_users
from apiary.storage.files import FileStore
from tests.web.conftest import Browser, csrf_of, kept

BOARD = "/helpdesk/boards/triage"
JSON = {"Accept": "application/json"}
SUPERSCRIPT_TWO = "\u00b2"
"""A character ``str.isdigit`` accepts but ``int()`` does not."""
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
NOT_NUMBERS = (SUPERSCRIPT_TWO, "1" + SUPERSCRIPT_TWO, "9" * 5000)


def new_ticket(tab: Browser) -> str:
    page = tab.get("/helpdesk/Ticket/new")
    response = tab.post("/helpdesk/Ticket/new", {
        "csrf": csrf_of(page.text), "subject": "Printer is on fire", "category": "incident",
        "description": "Smoke everywhere."})
    assert response.status_code == 303, response.text
    return response.headers["location"]


@pytest.mark.parametrize("version", NOT_NUMBERS)
def test_a_row_version_that_is_not_a_number_is_a_conflict_not_an_error(
        signed_in: Callable[[str], Browser], version: str) -> None:
    tab = signed_in("supervisor")
    address = new_ticket(tab)
    token = csrf_of(tab.get(address + "/edit").text)
    for action, data in ((address + "/edit", {"subject": "Printer is still on fire"}),
                         (address + "/transition/start", {}),
                         (address + "/delete", {})):
        response = tab.post(action, {"csrf": token, "row_version": version, **data})
        assert response.status_code in (403, 409, 422), (action, response.text)
    assert "Printer is on fire" in tab.get(address).text


@pytest.mark.parametrize("field", ["id", "row_version"])
@pytest.mark.parametrize("accept", [{}, JSON])
def test_a_board_move_with_digits_int_cannot_read_is_refused(
        signed_in: Callable[[str], Browser], field: str, accept: dict[str, str]) -> None:
    tab = signed_in("supervisor")
    record_id = new_ticket(tab).rsplit("/", 1)[1]
    data = {"csrf": csrf_of(tab.get(BOARD).text), "id": record_id, "to": "in_progress",
            field: SUPERSCRIPT_TWO}
    response = tab.post(BOARD + "/move", data, headers=accept)
    assert response.status_code in (409, 422), response.text
    if accept:
        assert response.json()["ok"] is False


@pytest.mark.parametrize("chosen", [*NOT_NUMBERS, "9" * 25])
def test_a_reference_id_that_is_not_a_record_number_is_a_field_problem(
        signed_in: Callable[[str], Browser], chosen: str) -> None:
    tab = signed_in("supervisor")
    prefilled = tab.get("/helpdesk/Comment/new?ticket=" + chosen)
    assert prefilled.status_code == 200, prefilled.text
    response = tab.post("/helpdesk/Comment/new", {
        "csrf": csrf_of(prefilled.text), "body": "Hello", "ticket": chosen,
        "ticket__text": "no such ticket", "requester": chosen})
    assert response.status_code == 422, response.text
    assert "you can see is called “no such ticket”" in response.text
    assert "invalid literal" not in response.text


def comment_with_photo(tab: Browser, runtime: Runtime) -> str:
    """The address of a new comment, on a new ticket, carrying an uploaded PNG."""
    ticket = new_ticket(tab).rsplit("/", 1)[1]
    me = next(u.id for u in list_users(runtime.db) if u.email == "supervisor@example.com")
    token = csrf_of(tab.get("/helpdesk/Comment/new").text)
    created = tab.portal.call(lambda: tab.client.post("/helpdesk/Comment/new", data={
        "csrf": token, "ticket": ticket, "requester": str(me), "body": "See the photo."},
        files={"attachment": ("smoke.png", PNG, "image/png")}))
    assert created.status_code == 303, created.text
    return str(created.headers["location"])


def test_deleting_a_record_removes_its_files(signed_in: Callable[[str], Browser],
                                             runtime: Runtime, store: FileStore) -> None:
    tab = signed_in("supervisor")
    comment = comment_with_photo(tab, runtime)
    assert len(kept(store)) == 1
    confirm = tab.get(comment + "/delete")
    deleted = tab.post(comment + "/delete", {"csrf": csrf_of(confirm.text)})
    assert deleted.status_code == 303, deleted.text
    assert kept(store) == []
    assert tab.get(comment).status_code == 404


def test_a_refused_delete_keeps_the_files(signed_in: Callable[[str], Browser],
                                          runtime: Runtime, store: FileStore) -> None:
    tab = signed_in("supervisor")
    comment = comment_with_photo(tab, runtime)
    token = csrf_of(tab.get(comment + "/delete").text)
    refused = tab.post(comment + "/delete", {"csrf": token, "row_version": "99"})
    assert refused.status_code == 409, refused.text
    assert len(kept(store)) == 1
    assert tab.get(comment + "/files/attachment").content == PNG
