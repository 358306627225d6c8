"""The record pages: lists, a record, forms, transitions, conflicts, and escaping."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.web.conftest import Browser

NEW_TICKET = {"subject": "Printer on fire", "category": "incident",
              "description": "Smoke everywhere"}


def create_ticket(tab: Browser, **data: str) -> int:
    response = tab.submit("/helpdesk/Ticket/new", {**NEW_TICKET, **data})
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/helpdesk/Ticket/(\d+)", response.headers["location"])
    assert found is not None
    return int(found.group(1))


def test_home_lists_the_apps_the_user_has_a_role_in(
        signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("customer")
    assert 'href="/helpdesk/"' in tab.get("/").text
    app = tab.get("/helpdesk/").text
    assert 'href="/helpdesk/Ticket"' in app and 'href="/helpdesk/Account"' not in app
    assert tab.get("/helpdesk/Account").status_code == 404
    assert tab.get("/nothing/").status_code == 404


def test_created_record_shows_in_the_list_and_on_its_page(
        signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("customer")
    form = tab.get("/helpdesk/Ticket/new").text
    assert 'name="subject"' in form and '<textarea id="f-description"' in form
    assert '<select id="f-category"' in form and "(required)" in form
    record_id = create_ticket(tab)
    listing = tab.get("/helpdesk/Ticket").text
    assert f'href="/helpdesk/Ticket/{record_id}">Printer on fire' in listing
    page = tab.get(f"/helpdesk/Ticket/{record_id}").text
    assert "Smoke everywhere" in page and ">New<" in page and "created" in page


def test_search_filters_the_list_over_text_fields(signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("customer")
    create_ticket(tab)
    create_ticket(tab, subject="Cannot log in", description="Password reset loops")
    found = tab.get("/helpdesk/Ticket", params={"q": "PASSWORD"}).text
    assert "Cannot log in" in found and "Printer on fire" not in found
    assert "No tickets match" in tab.get("/helpdesk/Ticket", params={"q": "it's \\"}).text


def test_list_pages_follow_the_next_link(signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("customer")
    for n in range(26):
        create_ticket(tab, subject=f"Ticket number {n:02}")
    first = tab.get("/helpdesk/Ticket").text
    link = re.search(r'rel="next" href="\?after=([^"]+)"', first)
    assert link is not None and first.count("Ticket number") == 25
    second = tab.get(f"/helpdesk/Ticket?after={link.group(1)}").text
    assert second.count("Ticket number") == 1 and 'rel="next"' not in second


def test_a_validation_error_is_shown_next_to_its_field(
        signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("customer")
    response = tab.submit("/helpdesk/Ticket/new", {**NEW_TICKET, "subject": "Hi"})
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="e-subject">([^<]*)</p>', response.text)
    assert error is not None and "Subject" in error.group(1)
    assert 'value="Hi"' in response.text
    missing = tab.submit("/helpdesk/Ticket/new", {**NEW_TICKET, "category": ""})
    assert re.search(r'id="e-category">Category is required', missing.text)


def test_script_in_a_text_field_is_shown_as_text(signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("customer")
    attack = "<script>alert('x')</script>"
    record_id = create_ticket(tab, subject=f"Hello {attack}", description=attack)
    for url in ("/helpdesk/Ticket", f"/helpdesk/Ticket/{record_id}",
                f"/helpdesk/Ticket/{record_id}/edit", f"/helpdesk/Ticket?q={attack}"):
        html = tab.get(url).text
        assert "<script>" not in html and "&lt;script&gt;" in html, url


def test_a_role_sees_neither_buttons_nor_fields_it_may_not_use(
        signed_in: Callable[[str], Browser]) -> None:
    customer, agent = signed_in("customer"), signed_in("agent")
    record_id = create_ticket(customer)
    assert agent.submit(f"/helpdesk/Ticket/{record_id}/edit", {
        **NEW_TICKET, "internal_notes": "Customer is grumpy"}).status_code == 303
    url = f"/helpdesk/Ticket/{record_id}"
    as_agent, as_customer = agent.get(url).text, customer.get(url).text
    assert "Customer is grumpy" in as_agent
    assert "Start work" in signed_in("supervisor").get(url).text
    assert "Customer is grumpy" not in as_customer and "Internal notes" not in as_customer
    assert "Start work" not in as_customer and "Withdraw" in as_customer
    edit = customer.get(url + "/edit").text
    assert 'name="subject"' in edit
    assert 'name="internal_notes"' not in edit and 'name="priority"' not in edit
    assert "Withdraw" not in agent.get(url).text


def test_the_engine_refuses_a_field_the_form_did_not_offer(
        signed_in: Callable[[str], Browser]) -> None:
    customer = signed_in("customer")
    record_id = create_ticket(customer)
    customer.submit(f"/helpdesk/Ticket/{record_id}/edit", {**NEW_TICKET, "priority": "urgent"})
    assert "urgent" not in customer.get(f"/helpdesk/Ticket/{record_id}").text


def test_a_transition_moves_the_record_and_is_in_its_history(
        signed_in: Callable[[str], Browser]) -> None:
    customer = signed_in("customer")
    record_id = create_ticket(customer)
    url = f"/helpdesk/Ticket/{record_id}"
    response = customer.submit(url, {"row_version": "1"}, action=url + "/transition/withdraw")
    assert response.status_code == 303
    page = customer.get(url).text
    assert '<span class="state">Closed</span>' in page
    assert "moved it from <b>New</b> to <b>Closed</b>" in page
    assert "Withdraw" not in page


def test_a_refused_transition_says_why(signed_in: Callable[[str], Browser]) -> None:
    customer, supervisor = signed_in("customer"), signed_in("supervisor")
    record_id = create_ticket(customer)
    url = f"/helpdesk/Ticket/{record_id}"
    response = supervisor.submit(url, {"row_version": "1"}, action=url + "/transition/start")
    assert response.status_code == 422 and "needs some fields changed first" in response.text
    assert '<span class="state">New</span>' in response.text


def test_a_stale_edit_shows_the_conflict_and_overwrites_nothing(
        signed_in: Callable[[str], Browser]) -> None:
    first, second = signed_in("customer"), signed_in("supervisor")
    record_id = create_ticket(first)
    edit = f"/helpdesk/Ticket/{record_id}/edit"
    stale = first.get(edit)
    assert second.submit(edit, {**NEW_TICKET, "subject": "Changed by the supervisor"}
                         ).status_code == 303
    token = re.search(r'name="csrf" value="([^"]+)"', stale.text)
    assert token is not None
    response = first.post(edit, {"csrf": token.group(1), "row_version": "1", **NEW_TICKET,
                                 "subject": "Changed by the customer"})
    assert response.status_code == 409 and "Someone else changed this record" in response.text
    page = first.get(f"/helpdesk/Ticket/{record_id}").text
    assert "Changed by the supervisor" in page and "Changed by the customer" not in page
