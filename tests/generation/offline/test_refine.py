"""Offline refine: each understood edit changes exactly what it says, and nothing else."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from apiary.definition import check_text, diff
from apiary.generation.offline import OfflineGenerationError
from apiary.generation.offline.refine import refine

APP: dict[str, Any] = {
    "apiary": 1,
    "app": {"name": "support", "title": "Support"},
    "roles": {"customer": "Raises tickets.", "agent": "Works tickets."},
    "entities": {
        "Ticket": {
            "display": "subject",
            "fields": {
                "subject": {"type": "string", "required": True},
                "channel": "string",
                "assignee": {"type": "ref", "to": "User"},
                "comments": {"type": "has_many", "to": "Comment"},
            },
            "workflow": {
                "states": {"open": {}, "resolved": {}, "closed": {"final": True}},
                "transitions": {
                    "resolve": {"from": "open", "to": "resolved", "roles": ["agent"]},
                    "close": {"from": "resolved", "to": "closed", "roles": ["agent"]},
                },
            },
            "permissions": {
                "customer": {"read": "created_by == user.id", "create": True},
                "agent": ["read", "create", "update"],
            },
        },
        "Comment": {
            "fields": {
                "ticket": {"type": "ref", "to": "Ticket", "required": True},
                "body": "text",
            },
            "permissions": {"customer": {"read": "created_by == user.id", "create": True},
                            "agent": "read"},
        },
    },
    "views": {
        "tickets": {"type": "list", "entity": "Ticket",
                    "columns": ["subject", "channel", "state"], "sort": ["-created_at"]},
    },
}


def _apply(instruction: str) -> tuple[dict[str, Any], list[str]]:
    before = copy.deepcopy(APP)
    after, done, warnings = refine(APP, instruction)
    assert before == APP, "the input document must not be changed"
    assert warnings == []
    assert check_text(json.dumps(after)) == [], instruction
    return after, done


EDITS = [
    ("make channel required", ["~ field Ticket.channel: required false → true"]),
    ("make the subject field optional", ["~ field Ticket.subject: required true → false"]),
    ("add a due date to tickets", ["+ field Ticket.due_date (date)"]),
    ("Add a budget to the tickets.", ["+ field Ticket.budget (money)"]),
    ("add priority with low, medium, high to tickets",
     ["+ field Ticket.priority (enum: low, medium, high)"]),
    ("add a contact email to tickets", ["+ field Ticket.contact_email (email, pii)"]),
    ("remove field channel from tickets",
     ["- field Ticket.channel",
      "~ view tickets: columns [subject, channel, state] → [subject, state]"]),
    ("rename channel to source",
     ["~ field Ticket.channel renamed to source",
      "~ view tickets: columns [subject, channel, state] → [subject, source, state]"]),
    ("add a state in_review after open on tickets",
     ["+ state Ticket.in_review",
      "~ transition resolve: from [open] → [in_review]",
      "+ transition to_in_review: open → in_review (agent)"]),
    ("let managers reopen closed tickets",
     ["+ role manager", "+ transition reopen: closed → open (manager)"]),
    ("let customers close tickets",
     ["~ transition close: roles [agent] → [agent, customer]"]),
    ("let auditors read tickets",
     ["+ role auditor", "+ permission auditor on Ticket: read all"]),
    ("let customers edit comments",
     ["~ permission customer on Comment: update none → own"]),
]


@pytest.mark.parametrize(("instruction", "lines"), EDITS, ids=[e for e, _ in EDITS])
def test_each_edit_changes_exactly_what_it_says(instruction: str, lines: list[str]) -> None:
    after, done = _apply(instruction)
    assert diff(APP, after).to_text().splitlines() == lines
    assert done


def test_rename_keeps_the_data_and_follows_references() -> None:
    after, _ = _apply("rename subject to title")
    ticket = after["entities"]["Ticket"]
    assert ticket["fields"]["title"]["renamed_from"] == "subject"
    assert list(ticket["fields"]) == ["title", "channel", "assignee", "comments"]
    assert ticket["display"] == "title"
    assert after["views"]["tickets"]["columns"][0] == "title"


def test_rename_an_entity() -> None:
    after, _ = _apply("rename Ticket to Case")
    assert list(after["entities"]) == ["Case", "Comment"]
    assert after["entities"]["Case"]["renamed_from"] == "Ticket"
    assert after["entities"]["Comment"]["fields"]["ticket"]["to"] == "Case"
    assert after["views"]["tickets"]["entity"] == "Case"


def test_add_a_linked_entity() -> None:
    after, _ = _apply("add a Supplier entity linked to tickets")
    supplier = after["entities"]["Supplier"]
    assert supplier["fields"]["email"]["access"] == {"read": ["agent"]}
    assert supplier["permissions"] == {"customer": "read",
                                       "agent": ["read", "create", "update"]}
    assert after["entities"]["Ticket"]["fields"]["supplier"] == {
        "type": "ref", "to": "Supplier", "on_delete": "set_null"}
    assert {"suppliers", "supplier", "new-supplier"} <= set(after["views"])


def test_removing_the_display_field_drops_the_display() -> None:
    app = copy.deepcopy(APP)
    app["entities"]["Ticket"]["fields"]["title"] = "string"
    after, _, _ = refine(app, "remove field subject from tickets")
    assert "display" not in after["entities"]["Ticket"]
    assert check_text(json.dumps(after)) == []


def test_several_edits_at_once() -> None:
    after, done = _apply("make channel required; add a due date to tickets")
    assert diff(APP, after).to_text().splitlines() == [
        "~ field Ticket.channel: required false → true", "+ field Ticket.due_date (date)"]
    assert len(done) == 2


def test_untouched_parts_stay_identical() -> None:
    after, _ = _apply("add a due date to tickets")
    assert after["entities"]["Comment"] == APP["entities"]["Comment"]
    assert after["views"] == APP["views"]
    assert after["entities"]["Ticket"]["fields"]["channel"] == "string"
    assert list(after["entities"]["Ticket"]) == list(APP["entities"]["Ticket"])


@pytest.mark.parametrize("instruction", ["make it nicer", "", "please add more colour"])
def test_unrecognised_instructions_list_what_is_understood(instruction: str) -> None:
    with pytest.raises(OfflineGenerationError) as caught:
        refine(APP, instruction)
    message = str(caught.value)
    assert "make FIELD required" in message
    assert "--provider" in message


@pytest.mark.parametrize(("instruction", "hint"), [
    ("make colour required", "No entity has a field `colour`"),
    ("add a due date to invoices", "No entity called “invoices”"),
    ("remove field subject from tickets", "change those first"),
    ("add a state review after pending", "No workflow has a state `pending`"),
    ("add a subject to tickets", "already has a field `subject`"),
    ("let admins read tickets", "`admin` may already do everything"),
    ("add an id to tickets", "`id` is reserved"),
    ("add a state to tickets", "`state` is reserved"),
    ("rename channel to created_by", "`created_by` is reserved"),
    ("remove field ticket from comments", "Ticket.comments"),
])
def test_impossible_edits_are_refused_clearly(instruction: str, hint: str) -> None:
    app = copy.deepcopy(APP)
    app["entities"]["Ticket"]["validations"] = [{"rule": "subject != ''", "message": "Say."}]
    with pytest.raises(OfflineGenerationError, match=hint):
        refine(app, instruction)
