"""Permission rules beyond the matrix: several roles, field access, and re-checking updates."""

from __future__ import annotations

from typing import Any

import pytest

from apiary.engine import Forbidden, Invalid, ListQuery, NotFound, Principal
from tests.engine.worlds import World


def bank_account(world: World, who: Principal, **extra: Any) -> dict[str, Any]:
    return world.svc.create(who, "BankAccount", {
        "employee": who.user_id, "account_holder": "Jo Bloggs",
        "iban": "DE89370400440532013000", **extra})


def test_write_only_fields_are_accepted_but_not_returned(expenses: World) -> None:
    employee = expenses["employee"]
    record = bank_account(expenses, employee, bank_name="Sparkasse")
    assert "iban" not in record and "account_holder" not in record
    assert record["bank_name"] == "Sparkasse"
    finance_view = expenses.svc.get(expenses["finance"], "BankAccount", record["id"])
    assert finance_view["iban"] == "DE89370400440532013000"


def test_create_rules_are_checked_on_the_new_record(expenses: World) -> None:
    employee, other = expenses["employee"], expenses["manager"]
    with pytest.raises(Forbidden) as caught:
        expenses.svc.create(employee, "BankAccount", {
            "employee": other.user_id, "account_holder": "Someone",
            "iban": "DE89370400440532013000"})
    assert "create rule" in caught.value.detail


def test_an_update_must_stay_within_the_update_rule(expenses: World) -> None:
    employee = expenses["employee"]
    record = bank_account(expenses, employee)
    with pytest.raises(Forbidden) as caught:
        expenses.svc.update(employee, "BankAccount", record["id"],
                            {"employee": expenses["manager"].user_id})
    assert "no longer be one your role may change" in caught.value.detail
    moved = expenses.svc.update(expenses["finance"], "BankAccount", record["id"],
                                {"employee": expenses["manager"].user_id})
    assert moved["employee"] == expenses["manager"].user_id


def test_field_write_roles(expenses: World) -> None:
    employee = expenses["employee"]
    record = bank_account(expenses, employee)
    with pytest.raises(Forbidden) as caught:
        expenses.svc.update(employee, "BankAccount", record["id"], {"verified": True})
    assert [(p.field, p.code) for p in caught.value.errors] == [("verified", "forbidden")]
    verified = expenses.svc.update(expenses["finance"], "BankAccount", record["id"],
                                   {"verified": True})
    assert verified["verified"] is True


def test_several_roles_give_the_union(helpdesk: World) -> None:
    both = helpdesk.person("both", "customer", "agent")
    customer = helpdesk["customer"]
    theirs = helpdesk.svc.create(customer, "Ticket", {
        "subject": "Customer's ticket", "description": "x", "category": "question"})
    record = helpdesk.svc.get(both, "Ticket", theirs["id"])
    assert "internal_notes" in record, "agent's field access applies"
    assert "start" not in record["_transitions"], "the guard still needs the assignee"
    own = helpdesk.svc.create(both, "Ticket", {
        "subject": "Own ticket", "description": "x", "category": "question",
        "priority": "high", "assignee": both.user_id})
    assert own["_transitions"] == ["start", "withdraw"]
    with pytest.raises(NotFound):
        helpdesk.svc.get(customer, "Ticket", own["id"])


def test_supervisors_may_hand_work_to_others_agents_may_not(helpdesk: World) -> None:
    agent, supervisor = helpdesk["agent"], helpdesk["supervisor"]
    ticket = helpdesk.svc.create(helpdesk["customer"], "Ticket", {
        "subject": "Unassigned ticket", "description": "x", "category": "question"})
    helpdesk.svc.update(agent, "Ticket", ticket["id"], {"assignee": agent.user_id})
    with pytest.raises(Forbidden):
        helpdesk.svc.update(agent, "Ticket", ticket["id"], {"assignee": supervisor.user_id})
    handed = helpdesk.svc.update(supervisor, "Ticket", ticket["id"],
                                 {"assignee": supervisor.user_id})
    assert handed["assignee"] == supervisor.user_id
    with pytest.raises(Forbidden):
        helpdesk.svc.update(agent, "Ticket", ticket["id"], {"internal_notes": "mine now"})


def test_refs_may_only_point_at_readable_records(helpdesk: World) -> None:
    customer, other = helpdesk["customer"], helpdesk.person("other", "customer")
    hidden = helpdesk.svc.create(other, "Ticket", {
        "subject": "Other's ticket", "description": "x", "category": "question"})
    with pytest.raises(Invalid) as caught:
        helpdesk.svc.create(customer, "Comment", {
            "ticket": hidden["id"], "requester": customer.user_id, "body": "Hi"})
    assert [(p.field, p.code) for p in caught.value.errors] == [("ticket", "not_found")]
    with pytest.raises(Invalid) as missing:
        helpdesk.svc.create(customer, "Comment", {
            "ticket": hidden["id"] + 1000, "requester": customer.user_id, "body": "Hi"})
    assert [(p.field, p.code, p.message.replace(str(hidden["id"] + 1000), "#"))
            for p in missing.value.errors] == [
        (p.field, p.code, p.message.replace(str(hidden["id"]), "#")) for p in caught.value.errors]


def test_no_rule_means_no_access(helpdesk: World) -> None:
    outsider = helpdesk["outsider"]
    for call in (lambda: helpdesk.svc.list(outsider, "Ticket", ListQuery()),
                 lambda: helpdesk.svc.create(outsider, "Ticket", {}),
                 lambda: helpdesk.svc.delete(helpdesk["agent"], "Ticket", 1)):
        with pytest.raises(Forbidden):
            call()
