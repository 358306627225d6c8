"""File fields in forms: upload, download, limits, content checks and who may download."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from apiary.definition import CompiledApp, compile_text
from apiary.engine import Principal, Runtime
from apiary.identity import add_user, set_password
from apiary.storage import apply, plan
from apiary.storage.files import FileStore
from tests.web.conftest import PASSWORD, Browser, csrf_of, kept

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(100)
NEW_TICKET = {"subject": "Printer on fire", "category": "incident",
              "description": "Smoke everywhere"}
VAULT = """
app: {name: vault, title: Vault}
roles: [clerk, auditor]
entities:
  Doc:
    display: title
    fields:
      title: {type: string, required: true}
      scan: {type: file, max_size: 2 KB, accept: [image/png], access: {read: [clerk]}}
    permissions:
      clerk: [read, create, update]
      auditor: read
"""


@pytest.fixture
def runtime(db: sa.Engine, helpdesk_app: CompiledApp) -> Runtime:
    vault = compile_text(VAULT)
    for app in (helpdesk_app, vault):
        apply(plan(app, db), db)
    for app, role in [(helpdesk_app, "customer"), (helpdesk_app, "agent"),
                      (vault, "clerk"), (vault, "auditor")]:
        add_user(db, f"{role}@example.com", app, role)
        set_password(db, f"{role}@example.com", PASSWORD)
    add_user(db, "other@example.com", helpdesk_app, "customer")
    set_password(db, "other@example.com", PASSWORD)
    return Runtime(db, [helpdesk_app, vault])


def upload(tab: Browser, page_url: str, data: dict[str, str],
           files: dict[str, tuple[str, bytes, str]]) -> httpx.Response:
    page = tab.get(page_url)
    assert page.status_code == 200, page.text
    assert 'enctype="multipart/form-data"' in page.text
    token = csrf_of(page.text)
    return tab.portal.call(lambda: tab.client.post(page_url, data={"csrf": token, **data},
                                                   files=files))


def new_ticket(tab: Browser, name: str = "shot.png", content: bytes = PNG,
               **data: str) -> httpx.Response:
    return upload(tab, "/helpdesk/Ticket/new", {**NEW_TICKET, **data},
                  {"attachment": (name, content, "image/png")})


def record_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def stored_value(runtime: Runtime, app: str, entity: str, address: str) -> Any:
    users = sa.table("apiary_users", sa.column("id"), sa.column("email"))
    with runtime.db.connect() as conn:
        admin = conn.execute(sa.select(users.c.id)).scalars().first()
    record = runtime.records(app).get(Principal(user_id=int(admin or 0), email="a@example.com",
                                                roles=frozenset({"admin"})),
                                      entity, int(address.rsplit("/", 1)[1]))
    return record


def test_upload_and_download_with_safe_headers(signed_in: Callable[[str], Browser],
                                               runtime: Runtime, store: FileStore) -> None:
    tab = signed_in("customer")
    address = record_of(new_ticket(tab))
    value = stored_value(runtime, "helpdesk", "Ticket", address)["attachment"]
    assert value == {"id": value["id"], "name": "shot.png", "size": len(PNG),
                     "type": "image/png", "sha256": hashlib.sha256(PNG).hexdigest()}
    assert kept(store) == [store.path(value["id"])]
    got = tab.get(address + "/files/attachment")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"] == \
        "attachment; filename=\"shot.png\"; filename*=UTF-8''shot.png"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"] == "sandbox"
    assert 'href="' + address + '/files/attachment">shot.png' in tab.get(address + "/edit").text


def test_replacing_or_removing_a_file_removes_the_old_one(
        signed_in: Callable[[str], Browser], runtime: Runtime, store: FileStore) -> None:
    tab = signed_in("customer")
    address = record_of(new_ticket(tab))
    first = stored_value(runtime, "helpdesk", "Ticket", address)["attachment"]["id"]
    other = PNG + b"second"
    assert upload(tab, address + "/edit", {}, {"attachment": ("new.png", other, "image/png")}
                  ).status_code == 303
    second = stored_value(runtime, "helpdesk", "Ticket", address)["attachment"]
    assert second["name"] == "new.png" and kept(store) == [store.path(second["id"])]
    assert first != second["id"]
    assert tab.submit(address + "/edit", {"attachment__remove": "on"}).status_code == 303
    assert stored_value(runtime, "helpdesk", "Ticket", address)["attachment"] is None
    assert kept(store) == []
    assert tab.get(address + "/files/attachment").status_code == 404


def test_an_upload_over_the_field_limit_is_refused(signed_in: Callable[[str], Browser],
                                                   store: FileStore) -> None:
    tab = signed_in("clerk")
    refused = upload(tab, "/vault/Doc/new", {"title": "Scan"},
                     {"scan": ("big.png", PNG + bytes(3000), "image/png")})
    assert refused.status_code == 422
    assert "“big.png” is larger than 2 KB, the most this field accepts." in refused.text
    assert 'value="Scan"' in refused.text and "Up to 2 KB: .png." in refused.text
    assert kept(store) == []


def test_a_body_over_the_site_limit_is_refused_before_it_is_read(
        signed_in: Callable[[str], Browser], store: FileStore) -> None:
    tab = signed_in("customer")
    refused = new_ticket(tab, content=PNG + bytes(12 * 1024 * 1024))
    assert refused.status_code == 413
    assert "send smaller files" in refused.text
    assert kept(store) == []


@pytest.mark.parametrize(("name", "content"), [
    ("shot.png", b"<!DOCTYPE html><script>alert(document.cookie)</script>"),
    ("shot.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
    ("page.html", b"<html></html>"),
])
def test_a_forbidden_type_is_refused_by_its_contents(
        signed_in: Callable[[str], Browser], store: FileStore, name: str,
        content: bytes) -> None:
    refused = new_ticket(signed_in("customer"), name, content)
    assert refused.status_code == 422
    assert "only real files of the allowed types" in refused.text \
        or "is not a type this field accepts" in refused.text
    assert kept(store) == []


def test_a_refused_record_leaves_no_file_behind(signed_in: Callable[[str], Browser],
                                                store: FileStore) -> None:
    tab = signed_in("customer")
    refused = new_ticket(tab, subject="")
    assert refused.status_code == 422
    assert 'id="e-subject">Subject is required' in refused.text
    assert 'id="e-attachment">Choose the file again' in refused.text
    assert kept(store) == []
    address = record_of(new_ticket(tab))
    conflict = upload(tab, address + "/edit", {"row_version": "99"},
                      {"attachment": ("late.png", PNG, "image/png")})
    assert conflict.status_code == 409
    assert len(kept(store)) == 1


def test_download_needs_the_record_and_the_field(signed_in: Callable[[str], Browser]) -> None:
    clerk = signed_in("clerk")
    address = record_of(upload(clerk, "/vault/Doc/new", {"title": "Passport"},
                               {"scan": ("passport.png", PNG, "image/png")}))
    assert clerk.get(address + "/files/scan").content == PNG
    auditor = signed_in("auditor")
    assert auditor.get(address).status_code == 200
    assert auditor.get(address + "/files/scan").status_code == 404
    customer = signed_in("customer")
    ticket = record_of(new_ticket(customer))
    assert signed_in("other").get(ticket + "/files/attachment").status_code == 404
    assert customer.get(ticket + "/files/subject").status_code == 404
    assert customer.get(ticket + "/files/nothing").status_code == 404
    assert customer.get(ticket + "/files/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_names_with_paths_and_odd_characters_are_harmless(
        signed_in: Callable[[str], Browser], runtime: Runtime, store: FileStore) -> None:
    tab = signed_in("customer")
    address = record_of(new_ticket(tab, "../../../tmp/Größe Ü.png"))
    value = stored_value(runtime, "helpdesk", "Ticket", address)["attachment"]
    assert value["name"] == "Größe Ü.png"
    assert kept(store) == [store.path(value["id"])]
    got = tab.get(address + "/files/attachment")
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"Gr__e _.png\"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%20%C3%9C.png")


def test_a_file_value_from_elsewhere_cannot_reach_outside_the_store(
        signed_in: Callable[[str], Browser], runtime: Runtime, store: FileStore) -> None:
    tab = signed_in("customer")
    address = record_of(new_ticket(tab))
    value = stored_value(runtime, "helpdesk", "Ticket", address)["attachment"]
    service = runtime.records("helpdesk")
    admin = Principal(user_id=1, email="admin@example.com", roles=frozenset({"admin"}))
    record_id = int(address.rsplit("/", 1)[1])
    row = service.get(admin, "Ticket", record_id)
    service.update(admin, "Ticket", record_id, {"attachment": {
        **value, "type": "text/html", "name": "x\r\nSet-Cookie: a=b"}}, row["row_version"])
    got = tab.get(address + "/files/attachment")
    assert got.headers["content-type"] == "application/octet-stream"
    assert "set-cookie" not in got.headers
    row = service.get(admin, "Ticket", record_id)
    service.update(admin, "Ticket", record_id, {"attachment": {
        **value, "id": "../../../../etc/passwd"}}, row["row_version"])
    assert tab.get(address + "/files/attachment").status_code == 404
