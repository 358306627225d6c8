"""A record's page: related lists, references, field groups, delete, transition comments.

The helpdesk here differs from the example in one rule, so that a row-level delete refusal can
be shown: agents may delete the comments they wrote (``created_by == user.id``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from apiary.definition import CompiledApp, compile_data
from apiary.engine import Principal, Runtime
from apiary.identity import list_users
from tests.web.conftest import Browser, csrf_of

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
TICKET = {"subject": "Printer on fire", "category": "incident",
          "description": "Smoke everywhere"}
ATTACK = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def helpdesk_app() -> CompiledApp:
    data = yaml.safe_load((EXAMPLES / "helpdesk.yaml").read_text())
    data["entities"]["Comment"]["permissions"]["agent"]["delete"] = "created_by == user.id"
    return compile_data(data, "helpdesk.yaml")


class Seed:
    """Writes records through the engine as ``<role>@example.com``."""

    def __init__(self, runtime: Runtime) -> None:
        self.service = runtime.records("helpdesk")
        self.ids = {u.email.split("@")[0]: u.id for u in list_users(runtime.db)}

    def who(self, role: str) -> Principal:
        return Principal(user_id=self.ids[role], email=f"{role}@example.com",
                         roles=frozenset({role}))

    def create(self, role: str, entity: str, **data: Any) -> int:
        return int(self.service.create(self.who(role), entity, data)["id"])

    def update(self, role: str, entity: str, record_id: int, **data: Any) -> None:
        self.service.update(self.who(role), entity, record_id, data)

    def ticket(self, **data: Any) -> int:
        return self.create("customer", "Ticket", **{**TICKET, **data})

    def comment(self, role: str, ticket: int, body: str, internal: bool = False) -> int:
        return self.create(role, "Comment", ticket=ticket, requester=self.ids["customer"],
                           body=body, internal=internal)


@pytest.fixture
def seed(runtime: Runtime) -> Seed:
    return Seed(runtime)


def post_delete(tab: Browser, url: str) -> Any:
    """Open the confirmation and press its Delete button (with the version it shows)."""
    page = tab.get(url + "/delete")
    assert page.status_code == 200, page.text
    version = re.search(r'name="row_version" value="(\d+)"', page.text)
    assert version is not None
    return tab.post(url + "/delete", {"csrf": csrf_of(page.text), "row_version": version[1]})


# -- related lists -------------------------------------------------------------------------
def test_related_list_shows_only_the_records_the_user_may_read(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    ticket = seed.ticket()
    seed.comment("agent", ticket, "We are looking into it")
    seed.comment("agent", ticket, "Customer sounds annoyed", internal=True)
    seed.comment("agent", seed.ticket(subject="Another ticket"), "Unrelated reply")
    url = f"/helpdesk/Ticket/{ticket}"
    as_customer = signed_in("customer").get(url).text
    section = as_customer[as_customer.index('id="rel-comments"'):]
    assert "Comments <span class=\"count\">(1)</span>" in as_customer
    assert "We are looking into it" in section
    assert "Customer sounds annoyed" not in as_customer and "Unrelated reply" not in section
    as_agent = signed_in("agent").get(url).text
    assert "Comments <span class=\"count\">(2)</span>" in as_agent
    assert "Customer sounds annoyed" in as_agent


def test_new_link_of_a_related_list_prefills_the_back_reference(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    ticket = seed.ticket()
    tab = signed_in("customer")
    page = tab.get(f"/helpdesk/Ticket/{ticket}").text
    link = f'href="/helpdesk/Comment/new?ticket={ticket}">New Comment</a>'
    assert link in page
    form = tab.get(f"/helpdesk/Comment/new?ticket={ticket}&internal=on&id=7&x=%3Cb%3E").text
    assert f'<option value="{ticket}" selected>' in form \
        or re.search(rf'id="f-ticket"[^>]* value="{ticket}"', form)
    assert 'name="internal"' not in form and "<b>" not in form
    created = tab.post("/helpdesk/Comment/new", {
        "csrf": csrf_of(form), "ticket": str(ticket), "requester": str(seed.ids["customer"]),
        "body": "Any news?"})
    assert created.status_code == 303, created.text
    assert "Any news?" in tab.get(f"/helpdesk/Ticket/{ticket}").text


def test_related_list_is_capped_with_a_count_and_a_see_all_link(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    account = seed.create("supervisor", "Account", name="Acme", code="ACME")
    for n in range(12):
        seed.update("agent", "Ticket", seed.ticket(subject=f"Acme ticket {n:02}"),
                    account=account)
    seed.ticket(subject="Ticket of nobody")
    page = signed_in("agent").get(f"/helpdesk/Account/{account}").text
    assert "Tickets <span class=\"count\">(12)</span>" in page
    assert page.count("Acme ticket") == 10 and "Ticket of nobody" not in page
    assert f'href="/helpdesk/Ticket?account={account}">See all 12 tickets</a>' in page
    # The ticket form has no account field, so no New link that would lose the account.
    assert "/helpdesk/Ticket/new?account=" not in page


# -- references and field groups -------------------------------------------------------------
def test_a_reference_shows_the_title_of_its_record_as_a_link(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    account = seed.create("supervisor", "Account", name="Acme <Ltd>", code="ACME")
    ticket = seed.ticket()
    seed.update("agent", "Ticket", ticket, account=account, assignee=seed.ids["agent"])
    url = f"/helpdesk/Ticket/{ticket}"
    as_agent = signed_in("agent").get(url).text
    assert f'<a href="/helpdesk/Account/{account}">Acme &lt;Ltd&gt;</a>' in as_agent
    assert "<dt>Assignee</dt><dd>agent@example.com</dd>" in as_agent
    assert "<dt>Created by</dt><dd>customer@example.com</dd>" in as_agent
    assert "<dt>Updated by</dt><dd>agent@example.com</dd>" in as_agent


def test_a_reference_the_user_may_not_read_shows_only_its_id(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    account = seed.create("supervisor", "Account", name="Secret Corp", code="SECRET")
    ticket = seed.ticket()
    seed.update("agent", "Ticket", ticket, account=account)
    page = signed_in("customer").get(f"/helpdesk/Ticket/{ticket}").text
    assert f"<dt>Account</dt><dd>#{account}</dd>" in page
    assert "Secret Corp" not in page and "/helpdesk/Account/" not in page


def test_fields_are_grouped_and_empty_ones_shown_as_a_dash(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    ticket = seed.ticket()
    page = signed_in("agent").get(f"/helpdesk/Ticket/{ticket}").text
    assert '<span class="state">New</span>' in page
    assert "<dt>Product version</dt><dd>—</dd>" in page
    assert '<div class="wide"><dt>Description</dt><dd class="text">Smoke everywhere</dd>' in page
    system = page[page.index('id="system-h"'):page.index('id="history-h"')]
    assert "<dt>Version</dt><dd>1</dd>" in system and "Created by" in system
    assert "Product version" not in system


# -- delete --------------------------------------------------------------------------------
def test_delete_after_confirmation_goes_to_the_list(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    ticket = seed.ticket()
    comment = seed.comment("agent", ticket, "Will be gone with its ticket")
    admin = signed_in("admin")
    url = f"/helpdesk/Ticket/{ticket}"
    assert f'href="{url}/delete">Delete…</a>' in admin.get(url).text
    confirm = admin.get(url + "/delete").text
    assert "Delete this ticket?" in confirm and "Start work" not in confirm
    response = post_delete(admin, url)
    assert response.status_code == 303
    assert response.headers["location"] == f"/helpdesk/Ticket?deleted={ticket}"
    assert admin.get(url).status_code == 404
    assert admin.get(f"/helpdesk/Comment/{comment}").status_code == 404


def test_delete_refused_by_on_delete_restrict_says_why(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    account = seed.create("supervisor", "Account", name="Acme", code="ACME")
    seed.update("agent", "Ticket", seed.ticket(), account=account)
    admin = signed_in("admin")
    response = post_delete(admin, f"/helpdesk/Account/{account}")
    assert response.status_code == 409
    assert "cannot be deleted: 1 Ticket still refer to it" in response.text
    assert "<h1>Acme</h1>" in response.text
    assert admin.get(f"/helpdesk/Account/{account}").status_code == 200


def test_delete_refused_by_a_row_rule_says_why(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    ticket = seed.ticket()
    theirs = seed.comment("supervisor", ticket, "Written by the supervisor")
    mine = seed.comment("agent", ticket, "Written by the agent")
    agent = signed_in("agent")
    response = post_delete(agent, f"/helpdesk/Comment/{theirs}")
    assert response.status_code == 403 and "delete rule does not cover it" in response.text
    assert agent.get(f"/helpdesk/Comment/{theirs}").status_code == 200
    assert post_delete(agent, f"/helpdesk/Comment/{mine}").status_code == 303


def test_a_stale_delete_deletes_nothing(signed_in: Callable[[str], Browser], seed: Seed) -> None:
    comment = seed.comment("agent", seed.ticket(), "First words")
    supervisor = signed_in("supervisor")
    url = f"/helpdesk/Comment/{comment}"
    confirm = supervisor.get(url + "/delete").text
    seed.update("agent", "Comment", comment, body="Second thoughts")
    response = supervisor.post(url + "/delete", {"csrf": csrf_of(confirm), "row_version": "1"})
    assert response.status_code == 409 and "nothing was deleted" in response.text
    assert "Second thoughts" in supervisor.get(url).text


def test_delete_needs_the_form_token(signed_in: Callable[[str], Browser], seed: Seed) -> None:
    comment = seed.comment("agent", seed.ticket(), "Still here")
    supervisor = signed_in("supervisor")
    url = f"/helpdesk/Comment/{comment}"
    assert supervisor.post(url + "/delete", {"row_version": "1"}).status_code == 403
    assert supervisor.post(url + "/delete", {"csrf": "forged", "row_version": "1"}
                           ).status_code == 403
    assert "Still here" in supervisor.get(url).text


def test_a_role_that_may_not_delete_gets_no_button_and_is_refused(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    ticket = seed.ticket()
    customer = signed_in("customer")
    url = f"/helpdesk/Ticket/{ticket}"
    page = customer.get(url).text
    assert "/delete" not in page
    assert customer.get(url + "/delete").status_code == 403
    response = customer.post(url + "/delete", {"csrf": csrf_of(page), "row_version": "1"})
    assert response.status_code == 403 and "may not delete Tickets" in response.text
    assert customer.get(url).status_code == 200


# -- transitions and history -----------------------------------------------------------------
def test_a_transition_comment_is_kept_in_the_history(
        signed_in: Callable[[str], Browser], seed: Seed, runtime: Runtime) -> None:
    ticket = seed.ticket()
    seed.update("agent", "Ticket", ticket, assignee=seed.ids["agent"])
    agent = signed_in("agent")
    url = f"/helpdesk/Ticket/{ticket}"
    page = agent.get(url).text
    assert f'formaction="{url}/transition/start">Start work</button>' in page
    response = agent.post(url + "/transition/start", {
        "csrf": csrf_of(page), "row_version": "2", "comment": f"  On it {ATTACK}  "})
    assert response.status_code == 303
    history = runtime.records("helpdesk").history(seed.who("agent"), "Ticket", ticket)
    assert history[-1]["comment"] == f"On it {ATTACK}"
    for tab in (agent, signed_in("customer")):
        shown = tab.get(url).text
        assert "moved it from <b>New</b> to <b>In progress</b>" in shown
        assert "On it &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</blockquote>" in shown
        assert "<script>" not in shown


def test_a_transition_without_a_comment_stores_none(
        signed_in: Callable[[str], Browser], seed: Seed, runtime: Runtime) -> None:
    ticket = seed.ticket()
    customer = signed_in("customer")
    url = f"/helpdesk/Ticket/{ticket}"
    assert customer.submit(url, {"row_version": "1", "comment": "   "},
                           action=url + "/transition/withdraw").status_code == 303
    history = runtime.records("helpdesk").history(seed.who("customer"), "Ticket", ticket)
    assert history[-1]["comment"] is None and "<blockquote" not in customer.get(url).text


def test_a_too_long_comment_changes_nothing_and_is_offered_again(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    ticket = seed.ticket()
    customer = signed_in("customer")
    url = f"/helpdesk/Ticket/{ticket}"
    words = "blah " * 2001
    response = customer.submit(url, {"row_version": "1", "comment": words},
                               action=url + "/transition/withdraw")
    assert response.status_code == 400 and "at most 10000 characters" in response.text
    assert words.strip() + "</textarea>" in response.text
    assert '<span class="state">New</span>' in customer.get(url).text


def test_history_shows_changes_by_label_without_unreadable_fields(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    ticket = seed.ticket()
    seed.update("agent", "Ticket", ticket, priority="high", internal_notes="Grumpy customer")
    url = f"/helpdesk/Ticket/{ticket}"
    as_agent = signed_in("agent").get(url).text
    assert re.search(r"agent@example.com\s+changed it", as_agent)
    assert "<li>Priority: normal → high</li>" in as_agent
    assert "<li>Internal notes: — → Grumpy customer</li>" in as_agent
    as_customer = signed_in("customer").get(url).text
    assert "<li>Priority: normal → high</li>" in as_customer
    assert "Internal notes" not in as_customer and "Grumpy" not in as_customer


def test_script_in_related_records_and_fields_is_shown_as_text(
        signed_in: Callable[[str], Browser], seed: Seed) -> None:
    ticket = seed.ticket(subject=f"Hello {ATTACK}", description=ATTACK)
    seed.comment("agent", ticket, ATTACK)
    for url in (f"/helpdesk/Ticket/{ticket}", f"/helpdesk/Ticket/{ticket}/delete"):
        html = signed_in("admin").get(url).text
        assert "<script>" not in html and "&lt;script&gt;" in html, url


def test_a_file_field_links_to_its_download(helpdesk_app: CompiledApp) -> None:
    from apiary.web import present

    ticket = helpdesk_app.entities["Ticket"]
    shown = present.value_of(helpdesk_app, ticket, "attachment",
                             {"id": "f1", "name": "shot.png", "type": "image/png"}, 7)
    assert (shown.text, shown.href) == ("shot.png", "/helpdesk/Ticket/7/files/attachment")
    assert present.value_of(helpdesk_app, ticket, "attachment", None, 7).text == "—"
