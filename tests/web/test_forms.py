"""Form inputs: reference pickers, money with its currency, and JSON fields."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import sqlalchemy as sa
from anyio.from_thread import start_blocking_portal
from starlette.applications import Starlette

from apiary.api import create_app
from apiary.definition import compile_text
from apiary.engine import Principal, Runtime
from apiary.identity import add_user, set_password
from apiary.storage import apply, plan
from apiary.web import create_site, lookup
from tests.web.conftest import PASSWORD, Browser

SHOP = """
app: {name: shop, title: Shop}
roles: [clerk]
entities:
  Customer:
    display: name
    fields: {name: {type: string, required: true}}
    permissions: {clerk: [read, create]}
  Order:
    display: title
    fields:
      title: {type: string, required: true}
      customer: {type: ref, to: Customer}
      price: {type: money, required: true}
      shipping: {type: money, currency: CHF}
      extra: json
    permissions: {clerk: [read, create, update]}
"""


def user_id(runtime: Runtime, email: str) -> int:
    users = sa.table("apiary_users", sa.column("id"), sa.column("email"))
    with runtime.db.connect() as conn:
        return int(conn.execute(sa.select(users.c.id).where(users.c.email == email))
                   .scalar_one())


def principal(runtime: Runtime, role: str) -> Principal:
    email = f"{role}@example.com"
    return Principal(user_id=user_id(runtime, email), email=email, roles=frozenset({role}))


def ticket(runtime: Runtime, role: str, subject: str) -> int:
    record = runtime.records("helpdesk").create(principal(runtime, role), "Ticket", {
        "subject": subject, "category": "question", "description": "Details"})
    return int(record["id"])


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="f-{name}".*?</select>', html, re.S)
    assert select is not None, html
    return [html_lib.unescape(t) for t in
            re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select.group(0))]


def comment(tab: Browser, **data: str) -> httpx.Response:
    """Post a comment as the customer, who is typed into the (search) requester picker."""
    return tab.submit("/helpdesk/Comment/new", {"requester__text": "customer@example.com",
                                                "requester": "", "body": "Any news?", **data})


# -- reference pickers ---------------------------------------------------------------------
def test_ref_select_offers_only_the_records_the_user_may_read(
        signed_in: Callable[[str], Browser], runtime: Runtime) -> None:
    ticket(runtime, "customer", "My printer")
    ticket(runtime, "agent", "Agent's own ticket")
    customer = signed_in("customer").get("/helpdesk/Comment/new").text
    assert options(customer, "ticket") == ["My printer"]
    agent = signed_in("agent").get("/helpdesk/Comment/new").text
    assert sorted(options(agent, "ticket")) == ["Agent's own ticket", "My printer"]


def test_ref_to_user_picks_among_the_app_users(signed_in: Callable[[str], Browser],
                                               runtime: Runtime) -> None:
    record = ticket(runtime, "agent", "Needs an owner")
    page = signed_in("agent").get(f"/helpdesk/Ticket/{record}/edit").text
    assert sorted(options(page, "assignee")) == [f"{r}@example.com" for r in
                                                 ("admin", "agent", "customer", "supervisor")]


def test_a_customer_picks_only_themselves_never_the_other_users(
        signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("customer")
    page = tab.get("/helpdesk/Comment/new").text
    assert options(page, "requester") == ["customer@example.com"]
    found = tab.get("/helpdesk/User/lookup?q=example").json()["items"]
    assert [item["title"] for item in found] == ["customer@example.com"]


def test_ref_select_shows_the_current_value_selected(signed_in: Callable[[str], Browser],
                                                     runtime: Runtime) -> None:
    target = ticket(runtime, "agent", "The original")
    record = ticket(runtime, "agent", "The copy")
    tab = signed_in("agent")
    saved = tab.submit(f"/helpdesk/Ticket/{record}/edit", {"duplicate_of": str(target)})
    assert saved.status_code == 303, saved.text
    page = tab.get(f"/helpdesk/Ticket/{record}/edit").text
    assert f'<option value="{target}" selected>The original</option>' in page


def test_many_targets_turn_the_picker_into_a_search_resolved_by_title(
        signed_in: Callable[[str], Browser], runtime: Runtime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lookup, "PICK_LIMIT", 1)
    first = ticket(runtime, "customer", "Printer on fire")
    ticket(runtime, "customer", "Scanner jammed")
    tab = signed_in("customer")
    form = tab.get("/helpdesk/Comment/new").text
    assert 'name="ticket__text"' in form and 'data-lookup="/helpdesk/Ticket/lookup"' in form
    created = comment(tab, ticket__text="printer on FIRE", ticket="")
    assert created.status_code == 303, created.text
    comment_id = int(created.headers["location"].rsplit("/", 1)[1])
    stored = runtime.records("helpdesk").get(principal(runtime, "customer"), "Comment",
                                             comment_id)
    assert stored["ticket"] == first


def test_a_typed_number_and_a_picked_id_are_used_as_they_are(
        signed_in: Callable[[str], Browser], runtime: Runtime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lookup, "PICK_LIMIT", 1)
    ticket(runtime, "customer", "Same name")
    second = ticket(runtime, "customer", "Same name")
    tab = signed_in("customer")
    by_number = comment(tab, ticket__text=f"#{second}", ticket="")
    assert by_number.status_code == 303
    picked = comment(tab, ticket__text="Same name", ticket=str(second))
    assert picked.status_code == 303


def test_unknown_and_ambiguous_titles_say_what_to_do(
        signed_in: Callable[[str], Browser], runtime: Runtime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lookup, "PICK_LIMIT", 1)
    one = ticket(runtime, "customer", "Same name")
    two = ticket(runtime, "customer", "Same name")
    hidden = ticket(runtime, "agent", "Secret agent ticket")
    tab = signed_in("customer")
    unknown = comment(tab, ticket__text="Nothing like this", ticket="")
    assert unknown.status_code == 422
    text = unknown.text
    assert "No Ticket you can see is called “Nothing like this”" in text
    assert 'value="Nothing like this"' in text and "Any news?" in text
    several = comment(tab, ticket__text="same NAME", ticket="").text
    assert f"Several records are called “same NAME” (#{one}, #{two})" in several
    secret = comment(tab, ticket__text="Secret agent ticket", ticket="")
    assert "No Ticket you can see is called" in secret.text
    guessed = comment(tab, ticket__text=f"#{hidden}", ticket="")
    assert guessed.status_code == 422
    assert f"there is no Ticket #{hidden}" in guessed.text


def test_lookup_answers_readable_matches_only(signed_in: Callable[[str], Browser],
                                              runtime: Runtime) -> None:
    mine = ticket(runtime, "customer", "Printer on fire")
    ticket(runtime, "agent", "Printer in the agent room")
    tab = signed_in("customer")
    found = tab.get("/helpdesk/Ticket/lookup", params={"q": "PRINTER"})
    assert found.status_code == 200
    assert found.json() == {"items": [{"id": mine, "title": "Printer on fire"}]}
    assert tab.get("/helpdesk/Ticket/lookup", params={"q": f"#{mine}"}).json()["items"] == [
        {"id": mine, "title": "Printer on fire"}]
    assert tab.get("/helpdesk/Ticket/lookup", params={"q": "it's \\ %"}).json() == {"items": []}
    assert tab.get("/helpdesk/Account/lookup", params={"q": "a"}).status_code == 404
    users = tab.get("/helpdesk/User/lookup", params={"q": "AGENT"}).json()["items"]
    assert users == [], "a customer may name only themselves"
    agent = signed_in("agent")
    users = agent.get("/helpdesk/User/lookup", params={"q": "AGENT"}).json()["items"]
    assert [u["title"] for u in users] == ["agent@example.com"]


def test_users_are_listed_only_to_roles_that_may_set_a_user_ref(shop: Browser) -> None:
    assert shop.get("/shop/User/lookup", params={"q": "clerk"}).status_code == 404


# -- money and JSON ------------------------------------------------------------------------
@pytest.fixture
def shop(db: sa.Engine) -> Iterator[Browser]:
    app = compile_text(SHOP)
    apply(plan(app, db), db)
    add_user(db, "clerk@example.com", app, "clerk")
    set_password(db, "clerk@example.com", PASSWORD)
    runtime = Runtime(db, [app])
    with shop_tab(create_site(runtime, "k" * 40, create_app(runtime)),
                  "clerk@example.com") as tab:
        yield tab


@contextmanager
def shop_tab(site: Starlette, email: str) -> Iterator[Browser]:
    """A tab on ``site`` signed in as ``email``."""
    with start_blocking_portal() as portal:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=site),
                                   base_url="http://testserver")
        tab = Browser(portal, client)
        try:
            assert tab.login(email).status_code == 303
            yield tab
        finally:
            portal.call(client.aclose)


def test_fixed_currency_is_shown_and_a_free_one_is_chosen(shop: Browser) -> None:
    form = shop.get("/shop/Order/new").text
    assert '<span class="currency">CHF</span>' in form
    currencies = re.findall(r"<option[^>]*>([A-Z]{3})</option>",
                            re.search(r'<select id="c-price".*?</select>', form, re.S)
                            .group(0))  # type: ignore[union-attr]
    assert currencies[:3] == ["EUR", "USD", "GBP"] and len(currencies) == len(set(currencies))
    created = shop.submit("/shop/Order/new", {"title": "Desk", "price": "120.50",
                                              "price__currency": "USD", "shipping": "9.90"})
    assert created.status_code == 303, created.text
    edit = shop.get(created.headers["location"] + "/edit").text
    assert 'value="120.50"' in edit and "<option selected>USD</option>" in edit
    assert 'value="9.90"' in edit


def test_money_keeps_what_was_typed_when_refused(shop: Browser) -> None:
    refused = shop.submit("/shop/Order/new", {"title": "Desk", "price": "12.345",
                                              "price__currency": "GBP"})
    assert refused.status_code == 422
    assert 'value="12.345"' in refused.text and "<option selected>GBP</option>" in refused.text
    assert "at most 2 decimal place" in refused.text


def test_json_is_checked_with_a_clear_message_and_saved_as_data(shop: Browser) -> None:
    bad = shop.submit("/shop/Order/new", {"title": "Desk", "price": "1", "price__currency": "EUR",
                                          "extra": '{"colour": "oak",}'})
    assert bad.status_code == 422
    assert "Extra is not valid JSON: Expecting property name enclosed in double quotes " \
           "(line 1, column 18)." in bad.text
    assert "{&#34;colour&#34;: &#34;oak&#34;,}" in bad.text
    nan = shop.submit("/shop/Order/new", {"title": "Desk", "price": "1",
                                          "price__currency": "EUR", "extra": "[NaN]"})
    assert nan.status_code == 422 and "NaN is not a JSON number" in nan.text
    good = shop.submit("/shop/Order/new", {"title": "Desk", "price": "1",
                                           "price__currency": "EUR",
                                           "extra": '{"colour": "oak", "legs": 4}'})
    assert good.status_code == 303, good.text
    edit = shop.get(good.headers["location"] + "/edit").text
    shown = re.search(r'<textarea id="f-extra"[^>]*>(.*?)</textarea>', edit, re.S)
    assert shown is not None
    assert json.loads(shown.group(1).replace("&#34;", '"')) == {"colour": "oak", "legs": 4}


def test_clearing_a_ref_in_an_edit_sends_no_value(signed_in: Callable[[str], Browser],
                                                  runtime: Runtime) -> None:
    target = ticket(runtime, "agent", "The original")
    record = ticket(runtime, "agent", "The copy")
    tab = signed_in("agent")
    assert tab.submit(f"/helpdesk/Ticket/{record}/edit",
                      {"duplicate_of": str(target)}).status_code == 303
    assert tab.submit(f"/helpdesk/Ticket/{record}/edit",
                      {"duplicate_of": ""}).status_code == 303
    stored = runtime.records("helpdesk").get(principal(runtime, "agent"), "Ticket", record)
    assert stored["duplicate_of"] is None
