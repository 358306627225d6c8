"""The semantic diff: what changed between two definitions, in the definition's terms."""

from __future__ import annotations

import copy
from typing import Any

from apiary.definition import DefinitionDiff, diff

BASE: dict[str, Any] = {
    "app": "helpdesk",
    "roles": ["customer", "agent"],
    "entities": {
        "Ticket": {
            "fields": {
                "subject": "string",
                "priority": {"type": "enum", "values": ["low", "high"]},
                "email": {"type": "email", "pii": True, "access": {"read": "agent"}},
            },
            "workflow": {
                "states": ["open", "closed"],
                "transitions": {"close": {"from": "open", "to": "closed", "roles": "agent"}},
            },
            "permissions": {"customer": {"read": "created_by == user.id", "create": True},
                            "agent": "read"},
        },
    },
    "views": {"tickets": {"type": "list", "entity": "Ticket", "columns": ["subject"]}},
}


def _changed(edit: Any) -> DefinitionDiff:
    after = copy.deepcopy(BASE)
    edit(after)
    return diff(BASE, after)


def test_identical_documents_have_no_changes() -> None:
    result = diff(BASE, copy.deepcopy(BASE))
    assert result.empty
    assert result.to_text() == "no changes"
    assert result.to_data() == []


def test_shorthands_are_the_same_as_their_long_forms() -> None:
    long = copy.deepcopy(BASE)
    ticket = long["entities"]["Ticket"]
    ticket["fields"]["subject"] = {"type": "string"}
    ticket["fields"]["email"]["access"] = {"read": ["agent"]}
    ticket["workflow"]["states"] = {"open": {}, "closed": {}}
    ticket["workflow"]["transitions"]["close"] = {"from": ["open"], "to": "closed",
                                                  "roles": ["agent"]}
    ticket["permissions"]["agent"] = {"read": True}
    long["roles"] = {"customer": {}, "agent": {}}
    long["app"] = {"name": "helpdesk"}
    assert diff(BASE, long).empty


def test_field_added_removed_and_changed() -> None:
    def edit(doc: dict[str, Any]) -> None:
        fields = doc["entities"]["Ticket"]["fields"]
        fields["due_date"] = "date"
        fields["priority"] = {"type": "enum", "values": ["low", "high"], "required": True}
        del fields["email"]

    assert _changed(edit).to_text().splitlines() == [
        "- field Ticket.email",
        "~ field Ticket.priority: required false → true",
        "+ field Ticket.due_date (date)",
    ]


def test_renamed_field_and_entity_are_renames_not_drops() -> None:
    def edit(doc: dict[str, Any]) -> None:
        ticket = doc["entities"].pop("Ticket")
        ticket["renamed_from"] = "Ticket"
        ticket["fields"] = {("title" if k == "subject" else k): v
                            for k, v in ticket["fields"].items()}
        ticket["fields"]["title"] = {"type": "string", "renamed_from": "subject"}
        doc["entities"]["Case"] = ticket

    lines = _changed(edit).to_text().splitlines()
    assert "~ entity Ticket renamed to Case" in lines
    assert "~ field Case.subject renamed to title" in lines
    assert not [line for line in lines if line.startswith("-")]


def test_workflow_changes() -> None:
    def edit(doc: dict[str, Any]) -> None:
        workflow = doc["entities"]["Ticket"]["workflow"]
        workflow["states"] = ["open", "closed", "archived"]
        workflow["transitions"]["reopen"] = {"from": "closed", "to": "open",
                                             "roles": ["agent"]}
        workflow["transitions"]["close"]["guard"] = "subject != ''"

    assert _changed(edit).to_text().splitlines() == [
        "+ state Ticket.archived",
        "~ transition close: guard none → subject != ''",
        "+ transition reopen: closed → open (agent)",
    ]


def test_permission_changes_say_how_far_a_grant_reaches() -> None:
    def edit(doc: dict[str, Any]) -> None:
        grants = doc["entities"]["Ticket"]["permissions"]
        grants["customer"]["read"] = True
        grants["agent"] = ["read", "update", "delete"]
        grants["auditor"] = "read"

    assert _changed(edit).to_text().splitlines() == [
        "~ permission customer on Ticket: read own → all",
        "~ permission agent on Ticket: update none → all",
        "~ permission agent on Ticket: delete none → all",
        "+ permission auditor on Ticket: read all",
    ]


def test_field_access_and_personal_data() -> None:
    def edit(doc: dict[str, Any]) -> None:
        email = doc["entities"]["Ticket"]["fields"]["email"]
        email["access"] = {"read": ["agent", "customer"]}
        email.pop("pii")

    assert _changed(edit).to_text().splitlines() == [
        "~ field Ticket.email: pii true → false",
        "~ field Ticket.email: access.read [agent] → [agent, customer]",
    ]


def test_app_roles_and_views() -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["app"] = {"name": "helpdesk", "title": "Help"}
        doc["roles"] = ["customer", "agent", "manager"]
        doc["views"]["tickets"]["columns"] = ["subject", "state"]
        doc["views"]["board"] = {"type": "board", "entity": "Ticket"}

    assert _changed(edit).to_text().splitlines() == [
        "~ app title: none → Help",
        "+ role manager",
        "~ view tickets: columns [subject] → [subject, state]",
        "+ view board (board of Ticket)",
    ]


def test_to_data_is_plain_and_complete() -> None:
    result = _changed(lambda doc: doc["entities"]["Ticket"]["fields"].update(due="date"))
    assert result.to_data() == [{
        "op": "+", "kind": "field", "path": "entities.Ticket.fields.due",
        "text": "field Ticket.due (date)", "before": None, "after": "date"}]


def test_broken_documents_still_diff() -> None:
    result = diff({"entities": "nonsense"}, {"entities": {"A": {"fields": {"x": "string"}}}})
    assert result.to_text().splitlines() == ["+ entity A (1 field)", "+ field A.x (string)"]
