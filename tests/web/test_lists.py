"""List pages: filters of each kind, sorting, paging, counts, view tabs, reference titles, and
the CSV export (its values, escaping, formula guard, row rules and hidden fields).

The helpdesk here offers two more filters on its accounts list (renewal date and contract
value) than the example does, to cover date and number ranges.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from apiary.definition import CompiledApp, compile_text
from apiary.definition.compiled import FieldType
from apiary.engine import ListQuery, Principal, Runtime
from apiary.identity import add_user
from apiary.web import export
from apiary.web.filtering import Filter, apply
from tests.web.conftest import Browser

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "helpdesk.yaml"
ROW = re.compile(r'<td data-label="Subject"><a href="/helpdesk/Ticket/\d+">([^<]*)</a>')
ACCOUNT_ROW = re.compile(r'<td data-label="Name"><a href="/helpdesk/Account/\d+">([^<]*)</a>')


@pytest.fixture(scope="module")
def helpdesk_app() -> CompiledApp:
    text = EXAMPLE.read_text(encoding="utf-8")
    plain = "filters: [plan, active, account_manager]"
    assert plain in text
    return compile_text(text.replace(
        plain, "filters: [plan, active, account_manager, renewal_date, contract_value, name]"))


def who(runtime: Runtime, role: str) -> Principal:
    app = runtime.records("helpdesk").app.app
    user_id = add_user(runtime.db, f"{role}@example.com", app, role)
    return Principal(user_id, f"{role}@example.com", frozenset({role}))


def account(runtime: Runtime, name: str, **data: Any) -> int:
    record = runtime.records("helpdesk").create(who(runtime, "supervisor"), "Account", {
        "name": name, "code": name.upper()[:8], **data})
    return int(record["id"])


def ticket(runtime: Runtime, subject: str, role: str = "supervisor", **data: Any) -> int:
    record = runtime.records("helpdesk").create(who(runtime, role), "Ticket", {
        "subject": subject, "description": "Details", "category": "incident", **data})
    return int(record["id"])


def subjects(html: str) -> list[str]:
    return ROW.findall(html)


@pytest.fixture
def queue(runtime: Runtime) -> dict[str, int]:
    """Tickets on two accounts, of several priorities, one assigned to the agent."""
    acme, globex = account(runtime, "Acme"), account(runtime, "Globex")
    agent = who(runtime, "agent").user_id
    return {
        "acme": acme, "globex": globex,
        "urgent": ticket(runtime, "Server room flooded", priority="urgent", account=acme,
                         assignee=agent),
        "high": ticket(runtime, "Invoices are wrong", priority="high", account=globex,
                       category="billing"),
        "low": ticket(runtime, "Logo looks blurry", priority="low", account=acme,
                      category="question"),
    }


# -- filters --------------------------------------------------------------------------------

def test_choice_filters_show_labels_and_send_values(
        signed_in: Callable[[str], Browser], queue: dict[str, int]) -> None:
    tab = signed_in("agent")
    page = tab.get("/helpdesk/Ticket").text
    assert '<select id="flt-priority" name="priority">' in page
    assert '<option value="in_progress">In progress</option>' in page
    assert '<option value="account_access">Account access</option>' in page
    high = tab.get("/helpdesk/Ticket", params={"priority": "high"}).text
    assert subjects(high) == ["Invoices are wrong"]
    assert '<option value="high" selected>' in high
    both = tab.get("/helpdesk/Ticket", params={"category": "incident", "state": "new"}).text
    assert subjects(both) == ["Server room flooded"]


def test_reference_filter_lists_titles_and_offers_me_and_nobody(
        signed_in: Callable[[str], Browser], queue: dict[str, int]) -> None:
    tab = signed_in("agent")
    page = tab.get("/helpdesk/Ticket").text
    assert f'<option value="{queue["acme"]}">Acme</option>' in page
    assert '<option value="me">Me</option>' in page and '<option value="none">Nobody' in page
    acme = tab.get("/helpdesk/Ticket", params={"account": str(queue["acme"])}).text
    assert sorted(subjects(acme)) == ["Logo looks blurry", "Server room flooded"]
    assert subjects(tab.get("/helpdesk/Ticket", params={"assignee": "me"}).text) == [
        "Server room flooded"]
    unassigned = tab.get("/helpdesk/Ticket", params={"assignee": "none"}).text
    assert sorted(subjects(unassigned)) == ["Invoices are wrong", "Logo looks blurry"]


def test_boolean_date_number_and_text_filters(signed_in: Callable[[str], Browser],
                                              runtime: Runtime) -> None:
    account(runtime, "Acme", plan="enterprise", renewal_date="2026-03-01",
            contract_value="12000.00")
    account(runtime, "Globex", renewal_date="2026-09-30", contract_value="800.50")
    account(runtime, "Initech", active=False, renewal_date="2027-01-15")
    tab = signed_in("supervisor")

    def names(**params: str) -> list[str]:
        response = tab.get("/helpdesk/Account", params=params)
        assert response.status_code == 200
        return sorted(ACCOUNT_ROW.findall(response.text))

    assert names(active="no") == ["Initech"]
    assert names(active="yes") == ["Acme", "Globex"]
    assert names(plan="enterprise") == ["Acme"]
    assert names(**{"renewal_date.from": "2026-06-01"}) == ["Globex", "Initech"]
    assert names(**{"renewal_date.from": "2026-03-01", "renewal_date.to": "2026-09-30"}) == [
        "Acme", "Globex"]
    assert names(**{"contract_value.min": "800.50"}) == ["Acme", "Globex"]
    assert names(**{"contract_value.max": "1000"}) == ["Globex"]
    assert names(name="glob") == ["Globex"]
    assert names(name="it's \\") == []


@pytest.mark.parametrize(("param", "value", "message"), [
    ("plan", "platinum", "is not one of its values"),
    ("active", "maybe", "choose yes or no"),
    ("account_manager", "12abc", "is not a record of the list"),
    ("renewal_date.from", "31/12/2026", "is not a date"),
    ("contract_value.min", "1e9", "is not a number"),
    ("contract_value.max", "NaN", "is not a number"),
    ("renewal_date.to", "2026-02-30", "is not a date"),
])
def test_a_bad_filter_value_is_reported_and_ignored(
        signed_in: Callable[[str], Browser], runtime: Runtime, param: str, value: str,
        message: str) -> None:
    account(runtime, "Acme")
    response = signed_in("supervisor").get("/helpdesk/Account", params={param: value})
    assert response.status_code == 200
    alert = re.search(r'<div class="alert" role="alert">(.*?)</div>', response.text, re.S)
    assert alert is not None and message in alert.group(1) and "left out" in alert.group(1)
    assert ACCOUNT_ROW.findall(response.text) == ["Acme"]


def test_a_quote_in_a_choice_or_text_filter_cannot_change_the_expression(
        signed_in: Callable[[str], Browser], queue: dict[str, int]) -> None:
    tab = signed_in("agent")
    sneaky = tab.get("/helpdesk/Ticket", params={"priority": "high' || true || '"})
    assert sneaky.status_code == 200 and "is not one of its values" in sneaky.text
    supervisor = signed_in("supervisor")
    text = supervisor.get("/helpdesk/Account", params={"name": "x') || true || ('"})
    assert text.status_code == 200 and ACCOUNT_ROW.findall(text.text) == []


def test_filters_name_only_fields_the_user_may_read(
        signed_in: Callable[[str], Browser], runtime: Runtime) -> None:
    account(runtime, "Acme", contract_value="5.00")
    agent = signed_in("agent").get("/helpdesk/Account",
                                   params={"contract_value.min": "1"}).text
    assert 'name="contract_value.min"' not in signed_in("agent").get("/helpdesk/Account").text
    assert ACCOUNT_ROW.findall(agent) == ["Acme"]
    assert 'name="contract_value.min"' in signed_in("supervisor").get("/helpdesk/Account").text


# -- sort, paging, count --------------------------------------------------------------------

def test_sorting_by_a_column_toggles_and_marks_the_header(
        signed_in: Callable[[str], Browser], queue: dict[str, int]) -> None:
    tab = signed_in("agent")
    page = tab.get("/helpdesk/Ticket").text
    assert '<a class="sort" href="?sort=subject">Subject' in page
    assert 'aria-sort="descending"' in page  # the view's own sort: -priority
    ascending = tab.get("/helpdesk/Ticket", params={"sort": "subject"}).text
    assert subjects(ascending) == ["Invoices are wrong", "Logo looks blurry",
                                   "Server room flooded"]
    assert re.search(r'<th scope="col" class="sortable" aria-sort="ascending"><a class="sort" '
                     r'href="\?sort=-subject">Subject', ascending)
    descending = tab.get("/helpdesk/Ticket", params={"sort": "-subject"}).text
    assert subjects(descending) == subjects(ascending)[::-1]
    assert 'aria-sort="descending"><a class="sort" href="?sort=subject">' in descending
    assert "Account<" in page and 'href="?sort=account"' not in page  # references: no sort


def test_an_unknown_or_hidden_sort_is_reported_and_ignored(
        signed_in: Callable[[str], Browser], queue: dict[str, int]) -> None:
    tab = signed_in("customer")
    for sort in ("internal_notes", "-nonsense", "description"):
        response = tab.get("/helpdesk/Ticket", params={"sort": sort})
        assert response.status_code == 200 and "cannot be sorted by" in response.text


def test_next_page_keeps_search_filters_and_sort(signed_in: Callable[[str], Browser],
                                                 runtime: Runtime) -> None:
    for n in range(40):
        ticket(runtime, f"Printer {n:02} jammed", priority="high" if n % 4 else "low")
    ticket(runtime, "Unrelated question", priority="high")
    tab = signed_in("agent")
    params = {"q": "printer", "priority": "high", "sort": "-subject"}
    first = tab.get("/helpdesk/Ticket", params=params).text
    assert "30 tickets" in first
    link = re.search(r'rel="next" href="([^"]+)"', first)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    for part in ("q=printer", "priority=high", "sort=-subject", "after="):
        assert part in href
    second = tab.get("/helpdesk/Ticket" + href).text
    seen = subjects(first) + subjects(second)
    expected = sorted((f"Printer {n:02} jammed" for n in range(40) if n % 4), reverse=True)
    assert seen == expected and 'rel="next"' not in second
    assert "First page" in second and "30 tickets" in second


def test_rows_per_page_can_be_chosen_and_is_kept_by_links(
        signed_in: Callable[[str], Browser], runtime: Runtime) -> None:
    for n in range(55):
        ticket(runtime, f"Ticket {n:02}", priority="low")
    tab = signed_in("agent")
    page = tab.get("/helpdesk/Ticket", params={"limit": "50"}).text
    assert len(subjects(page)) == 50 and "<option selected>50</option>" in page
    link = re.search(r'rel="next" href="([^"]+)"', page)
    assert link is not None and "limit=50" in link.group(1)
    assert 'href="?limit=50&amp;sort=subject"' in page
    odd = tab.get("/helpdesk/Ticket", params={"limit": "7"})
    assert odd.status_code == 200 and "Rows per page: choose 25, 50 or 100" in odd.text
    assert len(subjects(odd.text)) == 25


def test_a_stale_page_link_shows_the_first_page_with_a_message(
        signed_in: Callable[[str], Browser], queue: dict[str, int]) -> None:
    response = signed_in("agent").get("/helpdesk/Ticket", params={"after": "bm9uc2Vuc2U"})
    assert response.status_code == 200 and "no longer fits this list" in response.text
    assert len(subjects(response.text)) == 3


def test_the_count_holds_every_matching_record_the_user_may_read(
        signed_in: Callable[[str], Browser], runtime: Runtime) -> None:
    ticket(runtime, "Mine one", role="customer")
    ticket(runtime, "Someone else's", role="agent")
    assert '<p class="count" role="status">1 ticket</p>' in signed_in("customer").get(
        "/helpdesk/Ticket").text
    assert ">2 tickets<" in signed_in("agent").get("/helpdesk/Ticket").text
    assert ">0 tickets<" in signed_in("agent").get("/helpdesk/Ticket",
                                                   params={"q": "nothing like it"}).text


# -- views, references, groups -------------------------------------------------------------

def test_an_entity_with_several_list_views_shows_them_as_tabs(
        signed_in: Callable[[str], Browser], runtime: Runtime) -> None:
    ticket(runtime, "Still open", priority="low")
    tab = signed_in("agent")
    page = tab.get("/helpdesk/Ticket").text
    assert '<a href="/helpdesk/Ticket" aria-current="page">Support queue</a>' in page
    assert '<a href="/helpdesk/Ticket?view=overdue">Past their SLA</a>' in page
    overdue = tab.get("/helpdesk/Ticket", params={"view": "overdue"}).text
    assert "<h1>Past their SLA</h1>" in overdue and subjects(overdue) == []
    assert 'name="view" value="overdue"' in overdue
    assert 'class="tabs"' not in signed_in("customer").get("/helpdesk/Ticket").text
    assert tab.get("/helpdesk/Ticket", params={"view": "my-tickets"}).status_code == 404
    assert tab.get("/helpdesk/Ticket", params={"view": "ticket"}).status_code == 404


def test_reference_columns_show_the_title_linked_to_the_record(
        signed_in: Callable[[str], Browser], queue: dict[str, int]) -> None:
    page = signed_in("agent").get("/helpdesk/Ticket").text
    assert f'<td data-label="Account"><a href="/helpdesk/Account/{queue["acme"]}">Acme</a>' \
        in page
    assert '<td data-label="Assignee">agent@example.com</td>' in page
    assert f"#{queue['acme']}<" not in page


def test_a_grouped_view_shows_group_headings(signed_in: Callable[[str], Browser],
                                             runtime: Runtime) -> None:
    account(runtime, "Zeta", plan="basic")
    account(runtime, "Alpha", plan="enterprise")
    account(runtime, "Beta", plan="basic")
    page = signed_in("agent").get("/helpdesk/Account").text
    headings = re.findall(r'<th scope="colgroup" colspan="\d+">([^<]*)</th>', page)
    assert headings == ["basic", "enterprise"]
    assert ACCOUNT_ROW.findall(page) == ["Beta", "Zeta", "Alpha"]


# -- CSV export -----------------------------------------------------------------------------

def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.text)))


def test_export_link_keeps_the_list_parameters(signed_in: Callable[[str], Browser],
                                               queue: dict[str, int]) -> None:
    tab = signed_in("agent")
    page = tab.get("/helpdesk/Ticket", params={"priority": "high", "q": "invoice"}).text
    link = re.search(r'href="([^"]+)" download>Export CSV', page)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert href.startswith("/helpdesk/Ticket/export.csv?") and "priority=high" in href
    response = tab.get(href)
    rows = read_csv(response)
    assert response.headers["content-disposition"] == 'attachment; filename="tickets.csv"'
    assert len(rows) == 2 and rows[1][rows[0].index("Subject")] == "Invoices are wrong"


def test_export_has_labels_api_values_and_every_page(signed_in: Callable[[str], Browser],
                                                     runtime: Runtime) -> None:
    acme = account(runtime, "Acme", plan="enterprise", renewal_date="2026-03-01",
                   contract_value="12000.5", website="https://acme.example.com")
    for n in range(230):
        account(runtime, f"Company {n:03}", code="C" + "".join(chr(65 + int(d))
                                                               for d in f"{n:03}"))
    rows = read_csv(signed_in("supervisor").get("/helpdesk/Account/export.csv"))
    head = rows[0]
    assert head[:4] == ["ID", "Name", "Code", "Plan"]
    assert "Contract value" in head and "Contract value currency" in head
    assert head[-2:] == ["Created", "Updated"] and "Tickets" not in head
    assert len(rows) == 1 + 231 and len({r[0] for r in rows[1:]}) == 231
    acme_row = dict(zip(head, next(r for r in rows if r[0] == str(acme)), strict=True))
    assert acme_row["Plan"] == "enterprise" and acme_row["Renewal date"] == "2026-03-01"
    assert acme_row["Contract value"] == "12000.50"
    assert acme_row["Contract value currency"] == "EUR"
    assert acme_row["Active"] == "true" and acme_row["Switchboard number"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", acme_row["Created"])


def test_export_guards_against_formulas_and_escapes_quotes(
        signed_in: Callable[[str], Browser], runtime: Runtime) -> None:
    for subject in ('=HYPERLINK("http://evil.example")', "+SUM(A1:A9) ok", "-2+3 cmd",
                    "@import stuff", 'Say "hi", then, go'):
        ticket(runtime, subject, role="customer")
    ticket(runtime, "Tab start", role="customer", description="\tcmd|' /C calc'!A0")
    rows = read_csv(signed_in("customer").get("/helpdesk/Ticket/export.csv"))
    column = rows[0].index("Subject")
    got = {r[column] for r in rows[1:]}
    assert got == {"'=HYPERLINK(\"http://evil.example\")", "'+SUM(A1:A9) ok", "'-2+3 cmd",
                   "'@import stuff", 'Say "hi", then, go', "Tab start"}
    description = rows[0].index("Description")
    assert "'\tcmd|' /C calc'!A0" in {r[description] for r in rows[1:]}


def test_a_customers_export_holds_only_their_tickets_and_no_hidden_fields(
        signed_in: Callable[[str], Browser], runtime: Runtime) -> None:
    ticket(runtime, "Customer's own", role="customer")
    ticket(runtime, "Agent's ticket", role="agent", internal_notes="secret note")
    rows = read_csv(signed_in("customer").get("/helpdesk/Ticket/export.csv"))
    assert [r[rows[0].index("Subject")] for r in rows[1:]] == ["Customer's own"]
    assert "Internal notes" not in rows[0] and "Time spent hours" not in rows[0]
    assert "Source metadata" not in rows[0]
    assert "secret note" not in signed_in("customer").get("/helpdesk/Ticket/export.csv").text
    agent = read_csv(signed_in("agent").get("/helpdesk/Ticket/export.csv"))
    assert "Internal notes" in agent[0] and len(agent) == 3


def test_export_needs_a_signed_in_user_who_may_read_the_entity(
        browser: Callable[[], Browser], signed_in: Callable[[str], Browser]) -> None:
    anonymous = browser().get("/helpdesk/Ticket/export.csv")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert signed_in("customer").get("/helpdesk/Account/export.csv").status_code == 404


def test_formula_guard_leaves_engine_numbers_alone() -> None:
    assert export.cell("-12.50", guarded=False) == "-12.50"
    assert export.cell("-12.50") == "'-12.50"
    assert export.cell("\rx") == "'\rx" and export.cell(None) == ""
    assert export.cell({"a": [1]}) == '{"a":[1]}' and export.cell(False) == "false"


def test_a_datetime_range_covers_the_whole_last_day(runtime: Runtime) -> None:
    due = Filter("sla_due_at", "SLA due", "datetime", FieldType.DATETIME)
    applied = apply([due], {"sla_due_at.from": "2026-01-01", "sla_due_at.to": "2026-01-31"})
    assert applied.conditions == ["sla_due_at >= datetime('2026-01-01T00:00:00Z')",
                                  "sla_due_at < datetime('2026-02-01T00:00:00Z')"]
    ticket(runtime, "Urgent one", priority="urgent", assignee=who(runtime, "agent").user_id)
    ticket(runtime, "Low one", priority="low")
    in_two_days = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()
    soon = apply([due], {"sla_due_at.to": in_two_days}).conditions[0]
    page = runtime.records("helpdesk").list(who(runtime, "agent"), "Ticket",
                                            ListQuery(filter=soon))
    assert [r["subject"] for r in page.items] == ["Urgent one"]


def test_the_list_confirms_a_deletion_it_was_sent_to(
        signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("supervisor")
    page = tab.get("/helpdesk/Ticket", params={"deleted": "12"}).text
    assert '<p class="list-notice" role="status">Ticket #12 was deleted.</p>' in page
    assert "was deleted" not in tab.get("/helpdesk/Ticket",
                                        params={"deleted": "<b>x</b>"}).text
