"""The offline generator reads what ties a prompt's records together and what kind of thing each
one is: refs between the entities it names, the records its verbs leave behind, fields that fit
an entity's kind, and a blueprint used only when it has the prompt's records."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from apiary.definition import check_text, compile_data
from apiary.generation.offline.generate import OfflineGenerationError, generate
from apiary.generation.offline.lexicon import entity_shape


def _strict(doc: dict[str, Any]) -> list[str]:
    return [d.message for d in check_text(yaml.safe_dump(doc, sort_keys=False))]


def _refs(doc: dict[str, Any], entity: str) -> dict[str, str]:
    """field → target of every ref (and has_many) an entity has."""
    return {name: spec["to"] for name, spec in doc["entities"][entity]["fields"].items()
            if isinstance(spec, dict) and spec.get("type") in ("ref", "has_many")}


def _linked(doc: dict[str, Any], one: str, other: str) -> bool:
    return other in _refs(doc, one).values() or one in _refs(doc, other).values()


def _valid(prompt: str) -> dict[str, Any]:
    doc, _, warnings = generate(prompt)
    assert _strict(doc) == []
    compile_data(doc)
    assert warnings == []
    return doc


def test_a_verb_between_a_party_and_a_thing_leaves_a_record_of_both() -> None:
    doc = _valid("Members rent kayaks from the boat club; the boathouse staff manage the kayaks "
                 "and the members.")
    assert {"Rental", "Kayak", "Member"} <= set(doc["entities"])
    rental = _refs(doc, "Rental")
    assert rental["kayak"] == "Kayak" and rental["member"] == "Member"
    assert _refs(doc, "Kayak").get("rentals") == "Rental"  # and the list back
    assert doc["entities"]["Member"]["fields"]["email"]["pii"] is True


def test_a_party_doing_the_verb_to_a_record_is_linked_from_it() -> None:
    doc = _valid("We're a small physio clinic. Patients book appointments with one of our "
                 "practitioners: date and time, the type of treatment and a note. Reception "
                 "confirms bookings.")
    appointment = next(n for n in doc["entities"] if n.endswith(("Appointment", "Booking")))
    assert "Patient" in doc["entities"]
    assert _linked(doc, appointment, "Patient")


def test_records_the_prompt_says_belong_to_another_get_the_ref() -> None:
    doc = _valid("Customers raise support tickets and follow them. Agents resolve them. "
                 "Tickets belong to customer accounts.")
    assert _refs(doc, "Ticket").get("account") == "Account"
    assert _refs(doc, "Account").get("tickets") == "Ticket"


def test_two_entities_named_together_are_linked_the_record_pointing_at_the_thing() -> None:
    doc = _valid("We run 60 vans. Keep each vehicle with its registration and mileage. Drivers "
                 "report defects from their daily check; the fleet manager books a service "
                 "with a garage.")
    for record in ("Defect", "Service"):
        found = next(n for n in doc["entities"] if record in n)
        assert "Vehicle" in _refs(doc, found).values(), (found, _refs(doc, found))


def test_an_entity_the_prompt_adds_never_stands_alone() -> None:
    doc = _valid("Track laptops, phones and monitors with a serial number and cost. Assets "
                 "get assigned to employees and returned. Keep a log of each assignment.")
    assert "Assignment" in doc["entities"]
    assert "Asset" in _refs(doc, "Assignment").values()


def test_new_entities_get_the_fields_of_their_kind_and_personal_data_is_protected() -> None:
    doc = _valid("Our foundation runs grant rounds. Organisations apply with a project title "
                 "and an amount requested; the committee decides.")
    organisation = doc["entities"]["Organisation"]["fields"]
    assert organisation["name"]["type"] == "string"
    for personal in ("email", "phone"):
        assert organisation[personal].get("pii") is True
        assert organisation[personal].get("access", {}).get("read")
    applications = [n for n in doc["entities"] if n.endswith("Application")]
    assert applications and any(_linked(doc, a, "Organisation") for a in applications)


@pytest.mark.parametrize(("phrase", "shape"), [
    ("patient", "person"), ("customer accounts", "organisation"), ("building site", "location"),
    ("vehicle", "asset"), ("contract", "document"), ("site visit", "event"),
    ("instalments", "money"), ("widget", "record"), ("secondment", "event"),
    ("physiotherapist", "person")])
def test_entity_shapes(phrase: str, shape: str) -> None:
    assert entity_shape(phrase) == shape


def test_a_bulleted_prompt_names_its_record_in_the_title_and_its_lines_as_children() -> None:
    doc = _valid("stock takes for the depot\n- one count sheet per location, count date, "
                 "counted by\n- lines: item, system qty, counted qty, variance\n- a supervisor "
                 "approves the sheet")
    assert "StockTake" in doc["entities"]
    line = next(n for n in doc["entities"] if n.endswith("Line"))
    assert _refs(doc, line).get("stock_take") == "StockTake"
    assert "system_quantity" in doc["entities"][line]["fields"]
    assert _refs(doc, "StockTake").get("location") == "Location"
    assert "workflow" in doc["entities"]["StockTake"]


def test_a_title_record_becomes_the_main_one_and_agent_nouns_are_roles() -> None:
    doc = _valid("Weekly site diaries. Each consultant logs the weather against a building "
                 "site; the contracts manager approves or rejects it.")
    assert "SiteDiary" in doc["entities"]
    states = doc["entities"]["SiteDiary"]["workflow"]["states"]
    assert "approved" in states and "rejected" in states
    assert _refs(doc, "SiteDiary").get("building_site") == "BuildingSite"
    assert {"consultant", "contracts_manager"} <= set(doc["roles"])


def test_a_weakly_matching_blueprint_without_the_prompts_records_is_not_used() -> None:
    doc, assumptions, _ = generate("Our choir keeps songs and rehearsals: each rehearsal has a "
                                   "date and a venue, and members vote on the songs. The "
                                   "conductor returns scores to the archive.")
    # the returns blueprint shares only the word "return"; none of its records come in
    assert {"Song", "Rehearsal"} <= set(doc["entities"])
    assert "Return" not in doc["entities"] and "Refund" not in doc["entities"]
    assert any("matched only weakly" in a for a in assumptions)
    assert _strict(doc) == []


def test_a_blueprint_for_the_prompts_records_is_used() -> None:
    doc, assumptions, _ = generate("library loans: members borrow books, due back in 3 weeks, "
                                   "can renew. librarians manage the catalogue and the members.")
    assert any("`loans` blueprint" in a for a in assumptions)
    assert _refs(doc, "Loan")["member"] == "Member"
    assert "renewed" in doc["entities"]["Loan"]["workflow"]["states"]
    assert _strict(doc) == []


def test_a_title_with_nothing_after_it_is_not_trusted() -> None:
    with pytest.raises(OfflineGenerationError):
        generate("asdf qwerty")


@pytest.mark.parametrize(("prompt", "state"), [
    ("Reception logs appointments; reception can reschedule them and the practitioner "
     "completes them.", "rescheduled"),
    ("Complaints come in from customers; the case handler acknowledges them and resolves them.",
     "acknowledged"),
    ("Staff record donations; finance reconciles them.", "reconciled"),
])
def test_more_verbs_become_states(prompt: str, state: str) -> None:
    doc = _valid(prompt)
    states = [s for e in doc["entities"].values()
              for s in (e.get("workflow") or {}).get("states", {})]
    assert state in states, states


@pytest.mark.parametrize("prompt", [
    "Members rent kayaks from the boat club; the boathouse staff manage the kayaks.",
    "Weekly site diaries. Each consultant logs the weather against a building site; the "
    "contracts manager approves.",
    "Tickets belong to customer accounts; agents resolve tickets.",
])
def test_links_keep_least_privilege_and_are_deterministic(prompt: str) -> None:
    doc = _valid(prompt)
    assert generate(prompt)[0] == doc
    for entity in doc["entities"].values():
        for role, grant in (entity.get("permissions") or {}).items():
            assert grant is not True, role
            ops = grant if isinstance(grant, list) else list(grant) if isinstance(
                grant, dict) else []
            assert "delete" not in ops, role


def test_a_decision_with_spelled_out_results_ends_in_those_states() -> None:
    doc = _valid("Students appeal a module grade with a statement. The module leader responds "
                 "first; then the appeals panel reviews it and decides: upheld, partially "
                 "upheld or dismissed.")
    workflow = doc["entities"]["Appeal"]["workflow"]
    for state in ("upheld", "partially_upheld", "dismissed"):
        assert workflow["states"][state].get("final") is True, state
    deciding = [t for t in workflow["transitions"].values()
                if t["to"] in ("upheld", "partially_upheld", "dismissed")]
    assert len(deciding) == 3
    assert all(t["roles"] == ["appeals_panel"] for t in deciding)
    assert "Student" in _refs(doc, "Appeal").values()


def test_timesheets_have_entries_against_projects_and_can_be_sent_back() -> None:
    doc = _valid("Weekly timesheets. Each consultant logs hours against a project; the project "
                 "manager approves or sends it back.")
    assert _refs(doc, "TimeEntry")["timesheet"] == "Timesheet"
    assert _refs(doc, "TimeEntry")["project"] == "Project"
    assert {"draft", "submitted", "returned", "approved"} <= set(
        doc["entities"]["Timesheet"]["workflow"]["states"])
    assert {"consultant", "project_manager"} <= set(doc["roles"])
