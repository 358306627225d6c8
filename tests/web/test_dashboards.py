"""Dashboard pages: tiles and charts whose numbers are the user's own, labelled and escaped.

The helpdesk is served with its ``support-overview`` dashboard opened to agents too (who may not
read an account's contract value), two more widgets, and a dashboard for customers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from markupsafe import escape

from apiary.definition import CompiledApp, compile_file, compile_text
from apiary.engine import ListQuery, Principal, Runtime
from apiary.identity import list_users
from apiary.storage import apply, plan
from apiary.web import charts, dashboards
from tests.web.conftest import EXAMPLES, Browser

OVERVIEW = "/helpdesk/dashboards/support-overview"
MINE = "/helpdesk/dashboards/mine"
EXTRA_WIDGETS = """\
      - title: Tickets by account
        entity: Ticket
        group_by: account
        chart: bar
      - title: First responses per month
        entity: Ticket
        group_by: first_response_at
        period: month
        chart: line

  mine:
    type: dashboard
    title: My numbers
    roles: [customer]
    widgets:
      - title: My tickets
        entity: Ticket
      - title: My tickets by state
        entity: Ticket
        group_by: state
        chart: pie
      - title: Accounts
        entity: Account
"""


@pytest.fixture(scope="module")
def helpdesk_app() -> CompiledApp:
    text = (EXAMPLES / "helpdesk.yaml").read_text(encoding="utf-8")
    overview = "    title: Support overview\n    roles: [supervisor]\n"
    assert overview in text and text.endswith("chart: pie\n")
    text = text.replace(overview, "    title: Support overview\n    roles: [supervisor, agent]\n")
    return compile_text(text + EXTRA_WIDGETS)


def person(runtime: Runtime, role: str) -> Principal:
    user = next(u for u in list_users(runtime.db) if u.email == f"{role}@example.com")
    return Principal(user.id, user.email, frozenset({role}))


def ticket(runtime: Runtime, by: str = "supervisor", **data: Any) -> dict[str, Any]:
    fields = {"subject": "Printer on fire", "category": "incident", "description": "Details",
              **data}
    return runtime.records("helpdesk").create(person(runtime, by), "Ticket", fields)


def panels(page: str) -> dict[str, dict[str, Any]]:
    """Widget title -> its number, table rows (label, value), message and markup."""
    out: dict[str, dict[str, Any]] = {}
    for part in page.split('<section class="widget')[1:]:
        part = part.split("</section>")[0]
        title = re.search(r"<h2[^>]*>(.*?)</h2>", part)
        number = re.search(r'<p class="number">(.*?)</p>', part)
        message = re.search(r'<p class="note">(.*?)</p>', part)
        rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th><td[^>]*>(.*?)</td>', part)
        assert title is not None
        out[html.unescape(title.group(1))] = {
            "number": number and html.unescape(number.group(1)),
            "message": message and html.unescape(message.group(1)),
            "rows": [(html.unescape(a), html.unescape(b)) for a, b in rows], "html": part}
    return out


def opened(tab: Browser, url: str) -> dict[str, dict[str, Any]]:
    response = tab.get(url)
    assert response.status_code == 200, response.text
    return panels(response.text)


def test_tiles_and_charts_show_the_numbers_of_the_tickets(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    agent = person(runtime, "agent")
    for priority in ("low", "high", "high", "normal", "low", "high"):
        ticket(runtime, priority=priority, time_spent_hours="1.25")
    ticket(runtime, priority="urgent", assignee=agent.user_id, time_spent_hours="2.50")
    withdrawn = ticket(runtime, by="customer")
    runtime.records("helpdesk").transition(person(runtime, "customer"), "Ticket",
                                           withdrawn["id"], "withdraw")
    shown = opened(signed_in("supervisor"), OVERVIEW)
    svc, supervisor = runtime.records("helpdesk"), person(runtime, "supervisor")
    open_count = svc.list(supervisor, "Ticket", ListQuery(
        filter="!(state in ['resolved', 'closed'])", count=True)).total
    assert shown["Open tickets"]["number"] == str(open_count) == "7"
    assert shown["Open tickets by priority"]["rows"] == [
        ("low", "2"), ("normal", "1"), ("high", "3"), ("urgent", "1")]
    assert shown["Tickets by state"]["rows"] == [("New", "7"), ("Closed", "1")]
    assert shown["Hours spent per agent"]["rows"] == [("(none)", "7.50"),
                                                      ("agent@example.com", "2.50")]
    chart = shown["Open tickets by priority"]["html"]
    assert 'role="img"' in chart and 'aria-label="Bar chart, Open tickets by priority. ' \
        'low: 2; normal: 1; high: 3; urgent: 1."' in chart


def test_money_sums_carry_their_currency(runtime: Runtime,
                                         signed_in: Callable[[str], Browser]) -> None:
    svc, supervisor = runtime.records("helpdesk"), person(runtime, "supervisor")
    for code, tier, value in (("AAA", "business", "1200.50"), ("BBB", "business", "34.00"),
                              ("CCC", "basic", "0.10")):
        svc.create(supervisor, "Account", {"name": f"Account {code}", "code": code,
                                           "plan": tier, "contract_value": value})
    shown = opened(signed_in("supervisor"), OVERVIEW)
    assert shown["Contract value by plan"]["rows"] == [("basic", "0.10 EUR"),
                                                       ("business", "1,234.50 EUR")]
    assert sum(Decimal(v.split()[0].replace(",", "")) for _, v in
               shown["Contract value by plan"]["rows"]) == Decimal("1234.60")


def test_labels_with_markup_are_shown_as_text(runtime: Runtime,
                                              signed_in: Callable[[str], Browser]) -> None:
    svc, supervisor = runtime.records("helpdesk"), person(runtime, "supervisor")
    name = '<script>alert("x")</script> & <b>Co</b>'
    account = svc.create(supervisor, "Account", {"name": name, "code": "EVIL"})
    ticket(runtime, account=account["id"])
    ticket(runtime)
    page = signed_in("supervisor").get(OVERVIEW).text
    assert "<script>alert" not in page and "<b>Co</b>" not in page
    assert str(escape(name)) in page
    assert panels(page)["Tickets by account"]["rows"] == [(name, "1"), ("(none)", "1")]


def test_periods_are_in_time_order(runtime: Runtime,
                                   signed_in: Callable[[str], Browser]) -> None:
    for when in ("2026-02-03T10:00:00Z", "2025-12-31T23:30:00Z", "2026-01-01T00:10:00Z",
                 None, "2025-12-01T00:00:00Z"):
        ticket(runtime, first_response_at=when)
    shown = opened(signed_in("supervisor"), OVERVIEW)["First responses per month"]
    assert shown["rows"] == [("2025-12", "2"), ("2026-01", "1"), ("2026-02", "1"),
                             ("(none)", "1")]
    assert 'class="chart-line"' in shown["html"]
    assert shown["message"] == "(none) is in the table only."


def test_a_customer_counts_only_their_own_tickets(runtime: Runtime,
                                                  signed_in: Callable[[str], Browser]) -> None:
    for _ in range(3):
        ticket(runtime, by="agent")
    mine = [ticket(runtime, by="customer") for _ in range(2)]
    runtime.records("helpdesk").transition(person(runtime, "customer"), "Ticket",
                                           mine[0]["id"], "withdraw")
    shown = opened(signed_in("customer"), MINE)
    assert shown["My tickets"]["number"] == "2"
    assert shown["My tickets by state"]["rows"] == [("New", "1"), ("Closed", "1")]
    assert "Accounts" not in shown, "a widget over an entity the customer may not read"
    assert 'class="legend"' in shown["My tickets by state"]["html"]


def test_a_widget_over_a_hidden_field_says_so_and_the_rest_is_shown(
        runtime: Runtime, signed_in: Callable[[str], Browser]) -> None:
    ticket(runtime, time_spent_hours="3.00")
    shown = opened(signed_in("agent"), OVERVIEW)
    refused = shown["Contract value by plan"]
    assert refused["message"] == ("This cannot be shown to you. `contract_value` is not a "
                                  "field you can use here.")
    assert 'role="img"' not in refused["html"]
    assert shown["Open tickets"]["number"] == "1"
    assert shown["Hours spent per agent"]["rows"] == [("(none)", "3.00")]


def test_a_dashboard_the_user_does_not_have_is_not_found(
        signed_in: Callable[[str], Browser]) -> None:
    tabs = {role: signed_in(role) for role in ("customer", "agent", "supervisor")}
    for role, url in (("customer", OVERVIEW), ("agent", MINE),
                      ("supervisor", "/helpdesk/dashboards/nope"),
                      ("supervisor", "/helpdesk/dashboards/triage"),
                      ("supervisor", "/leave/dashboards/support-overview")):
        response = tabs[role].get(url)
        assert response.status_code == 404, (role, url)
        assert "widget" not in response.text.split("<main")[1], (role, url)


def test_the_dashboard_is_linked_and_needs_a_sign_in(
        signed_in: Callable[[str], Browser], browser: Callable[[], Browser]) -> None:
    assert f'href="{OVERVIEW}"' in signed_in("supervisor").get("/helpdesk/").text
    assert f'href="{OVERVIEW}"' not in signed_in("customer").get("/helpdesk/").text
    response = browser().get(OVERVIEW)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_empty_dashboard_shows_zeros_not_errors(signed_in: Callable[[str], Browser]) -> None:
    shown = opened(signed_in("supervisor"), OVERVIEW)
    assert shown["Open tickets"]["number"] == "0"
    assert shown["Open tickets by priority"]["rows"] == []
    assert 'aria-label="Bar chart, Open tickets by priority. no data."' in \
        shown["Open tickets by priority"]["html"]


def test_charts_escape_their_text_and_draw_odd_values() -> None:
    evil = charts.Point('"><script>x</script>', 3, "3 <b>")
    for kind in ("bar", "line", "pie"):
        drawn = str(charts.chart(kind, "T <i>", [evil, charts.Point("neg", -2, "-2")]))
        assert "<script>" not in drawn and "<b>" not in drawn and "<i>" not in drawn
        assert drawn.startswith(f'<svg class="chart-{kind}" role="img" aria-label=')
        assert "&lt;script&gt;x&lt;/script&gt;: 3 &lt;b&gt;; neg: -2" in drawn
    assert "<circle" in str(charts.chart("pie", "One", [charts.Point("a", 5, "5")]))
    assert "<path" not in str(charts.chart("pie", "None", []))


@pytest.mark.parametrize("name", ["helpdesk", "leave", "expenses"])
def test_every_example_dashboard_is_computed_for_its_roles(db: sa.Engine, name: str) -> None:
    app = compile_file(EXAMPLES / f"{name}.yaml")
    apply(plan(app, db), db)
    runtime = Runtime(db, [app])
    views = [v for v in app.views.values() if v.type == "dashboard"]
    assert views
    admin = Principal(None, None, frozenset({"admin"}))
    for view in views:
        for role in sorted(view.roles or ()):
            shown = dashboards._panels(app, Principal(1, "someone@example.com",
                                                      frozenset({role})),
                                       runtime.records(name), view)
            assert shown and not [p for p in shown if p.chart == "refused"], (view.name, role)
        assert len(dashboards._panels(app, admin, runtime.records(name), view)) == \
            len(view.widgets)
