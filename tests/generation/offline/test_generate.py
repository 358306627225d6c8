"""The offline generator: prompts in, definitions out that validate strictly and are secure."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from apiary.definition import check_text, compile_data
from apiary.errors import ApiaryError
from apiary.generation.offline import OfflineGenerationError, OfflineProvider
from apiary.generation.offline.blueprints import library
from apiary.generation.offline.generate import MAX_PROMPT, generate
from apiary.generation.offline.render import render
from apiary.generation.provider import DraftRequest

# prompt → what the document must contain: entity → {field: type}, states of an entity, roles
CASES: list[tuple[str, dict[str, Any]]] = [
    ("Employees submit travel expense claims with several receipts; a line manager approves; "
     "finance reimburses them.",
     {"fields": {"ExpenseClaim": {"approver": "ref", "total_amount": "money"},
                 "Receipt": {"expense_claim": "ref"}},
      "states": ("ExpenseClaim", ["draft", "submitted", "approved", "rejected", "paid"]),
      "roles": ["employee", "manager", "finance"]}),
    ("A support desk: customers open tickets with a due date, priority and a budget; agents "
     "resolve them.",
     {"fields": {"Ticket": {"due_date": "date", "priority": "enum", "budget": "money"}},
      "roles": ["customer", "agent"]}),
    ("Staff request annual leave; their team lead approves or rejects it; HR can see everything.",
     {"fields": {"LeaveRequest": {"start_date": "date", "end_date": "date"}},
      "states": ("LeaveRequest", ["draft", "submitted", "approved", "rejected"]),
      "roles": ["staff", "team_lead", "hr"]}),
    ("Purchase orders with several lines and a supplier; managers approve orders; the "
     "warehouse team receives the goods.",
     {"entities": ["PurchaseOrder", "PurchaseLine", "Supplier"],
      "fields": {"PurchaseLine": {"unit_price": "money", "quantity": "integer"}},
      "roles": ["manager", "warehouse"]}),
    ("IT asset register: laptops with serial number, purchase date, cost and warranty expiry, "
     "assigned to employees; the IT team retires them.",
     {"fields": {"Asset": {"serial_number": "string", "purchase_date": "date",
                           "warranty_expiry": "date"}},
      "roles": ["employee", "it"]}),
    ("Recruiting: candidates with name, email, phone and CV; recruiters screen, hiring "
     "managers interview and make offers.",
     {"fields": {"Candidate": {"email": "email", "phone": "phone", "cv": "file"}},
      "states": ("Candidate", ["applied", "screening", "interview", "offer", "hired"]),
      "roles": ["recruiter", "hiring_manager"]}),
    ("Customers place orders with several order lines; sales confirms them and the warehouse "
     "ships them.",
     {"entities": ["Order", "OrderLine"],
      "states": ("Order", ["placed", "confirmed", "shipped"]),
      "roles": ["customer", "sales", "warehouse"]}),
    ("Track maintenance work orders for our machines with a due date, an estimated cost and a "
     "priority (low, medium, high); technicians complete them and a supervisor closes them.",
     {"fields": {"WorkOrder": {"due_date": "date", "estimated_cost": "money",
                               "priority": "enum"}},
      "enum": ("WorkOrder", "priority", ["low", "medium", "high"]),
      "states": ("WorkOrder", ["completed", "closed"]),
      "roles": ["technician", "supervisor"]}),
    ("Employees book meeting rooms; facilities confirm bookings.",
     {"entities": ["Booking", "MeetingRoom"], "roles": ["employee", "facilities"]}),
    ("A small CRM: sales reps track opportunities with value, expected close date and stage; "
     "the sales manager sees everything.",
     {"fields": {"Opportunity": {"value": "money", "expected_close_date": "date"}},
      "roles": ["sales", "sales_manager"]}),
    ("Insurance claims: policyholders file claims with incident date and claimed amount; "
     "adjusters assess and approve or reject; claims managers settle.",
     {"fields": {"InsuranceClaim": {"incident_date": "date", "claimed_amount": "money"}},
      "states": ("InsuranceClaim", ["approved", "rejected", "settled"]),
      "roles": ["policyholder", "adjuster", "claims_manager"]}),
    ("Patient appointments for a small clinic; doctors see patients, receptionists book "
     "appointments.",
     {"entities": ["Patient", "Appointment"], "roles": ["doctor", "receptionist"]}),
    ("Change requests with risk and rollback plan; engineers submit, the change board "
     "approves, engineers implement.",
     {"states": ("ChangeRequest", ["draft", "submitted", "approved", "implemented"]),
      "roles": ["engineer", "change_board"]}),
    ("Invoices with several lines; accounts payable clerks enter invoices, budget holders "
     "approve, finance pays in USD.",
     {"entities": ["Invoice", "InvoiceLine"], "currency": "USD",
      "roles": ["accounts_payable_clerk", "budget_holder", "finance"]}),
    ("Permit applications: citizens apply for parking permits; officers review and issue them.",
     {"states": ("PermitApplication", ["submitted", "issued"]),
      "roles": ["citizen", "officer"]}),
    ("Safety incident reporting with severity, location and injured person; the safety "
     "officer investigates.",
     {"fields": {"Incident": {"severity": "enum", "injured_person": "string"}},
      "roles": ["safety_officer"]}),
    ("Dispatchers book deliveries for customers with pickup and delivery addresses, weight "
     "and a tracking number. Drivers update the status as it's collected, on the road and "
     "delivered or failed.",
     {"fields": {"Delivery": {"pickup_address": "text", "delivery_address": "text"}},
      "states": ("Delivery", ["collected", "on_road", "delivered", "failed"]),
      "roles": ["dispatcher", "driver", "customer"]}),
    ("A recipe app where cooks record recipes with ingredients, cooking time and servings.",
     {"fields": {"Recipe": {"cooking_time": "integer", "servings": "integer"}}}),
    ("Track our book club meetings with a date, location and host.",
     {"fields": {"BookClubMeeting": {"date": "date", "location": "string", "host": "ref"}}}),
    ("Volunteers sign up for shifts; coordinators confirm them and record the hours worked.",
     {"entities": ["Shift", "ShiftSignup"], "roles": ["volunteer", "coordinator"]}),
    ("Lab samples: technicians register samples with collection date; scientists review and "
     "release results.",
     {"fields": {"Sample": {"collection_date": "date"}},
      "roles": ["technician", "scientist"]}),
]


def _type(spec: Any) -> str:
    return spec if isinstance(spec, str) else str(spec["type"])


def _strict(doc: dict[str, Any]) -> list[str]:
    return [str(d) for d in check_text(json.dumps(doc))]


@pytest.mark.parametrize(("prompt", "expected"), CASES, ids=[p[:40] for p, _ in CASES])
def test_prompt_gives_a_strictly_valid_app_with_what_it_names(
        prompt: str, expected: dict[str, Any]) -> None:
    doc, assumptions, warnings = generate(prompt)
    assert _strict(doc) == []
    compile_data(doc)
    entities = doc["entities"]
    for name in expected.get("entities", []):
        assert name in entities, sorted(entities)
    for entity, fields in expected.get("fields", {}).items():
        assert entity in entities, sorted(entities)
        for field, kind in fields.items():
            assert field in entities[entity]["fields"], sorted(entities[entity]["fields"])
            assert _type(entities[entity]["fields"][field]) == kind, field
    if "states" in expected:
        entity, states = expected["states"]
        have = list(entities[entity]["workflow"]["states"])
        assert [s for s in have if s in states] == states, have
    for role in expected.get("roles", []):
        assert role in doc["roles"], sorted(doc["roles"])
    if "enum" in expected:
        entity, field, values = expected["enum"]
        assert entities[entity]["fields"][field]["values"] == values
    if "currency" in expected:
        assert doc["app"]["currency"] == expected["currency"]
    assert warnings == []
    assert any("delete" in a for a in assumptions)


def _grants(doc: dict[str, Any]) -> list[tuple[str, str, Any]]:
    found = []
    for name, entity in doc["entities"].items():
        for role, grant in (entity.get("permissions") or {}).items():
            found.append((name, role, grant))
    return found


@pytest.mark.parametrize("prompt", [p for p, _ in CASES], ids=[p[:40] for p, _ in CASES])
def test_secure_by_default(prompt: str) -> None:
    doc, _, _ = generate(prompt)
    for entity, role, grant in _grants(doc):
        assert grant is not True, (entity, role)
        if isinstance(grant, list):
            assert "delete" not in grant, (entity, role)
        if isinstance(grant, dict):
            assert "delete" not in grant, (entity, role)
    for entity in doc["entities"].values():
        for name, spec in entity["fields"].items():
            if isinstance(spec, dict) and spec.get("pii"):
                assert spec.get("access", {}).get("read"), name


def test_owners_see_only_their_own_records() -> None:
    doc, _, _ = generate("Employees submit expense claims with several lines; a manager "
                         "approves; finance pays.")
    claim = doc["entities"]["ExpenseClaim"]["permissions"]
    assert claim["employee"]["read"] == "created_by == user.id"
    assert claim["employee"]["update"] == "created_by == user.id && state == 'draft'"
    assert claim["manager"]["read"] == "approver == user.id"
    assert claim["finance"] == ["read", "create", "update"]
    submit = doc["entities"]["ExpenseClaim"]["workflow"]["transitions"]["submit"]
    assert submit["guard"] == "created_by == user.id"
    assert doc["views"]["my-expense-claims"]["filter"] == "created_by == user.id"


def test_personal_data_is_readable_only_by_owners_and_staff() -> None:
    doc, _, _ = generate("Recruiting: candidates with name, email, phone and CV; recruiters "
                         "screen, hiring managers interview and make offers.")
    email = doc["entities"]["Candidate"]["fields"]["email"]
    assert email["pii"] is True
    assert email["access"]["read"] == ["recruiter"]


def test_same_prompt_same_document() -> None:
    prompt = "Track maintenance work orders with a due date; technicians complete them."
    first = generate(prompt)
    assert generate(prompt) == first
    assert json.dumps(first[0]) == json.dumps(generate(prompt)[0])


def test_same_document_whatever_the_hash_seed() -> None:
    """Sets never decide an order: another process (another hash seed) writes the same app."""
    script = ("import json, sys; from apiary.generation.offline.generate import generate; "
              "print(json.dumps([generate(p) for p in sys.argv[1:]]))")
    prompts = [p for p, _ in CASES[:8]]
    outputs = {
        subprocess.run([sys.executable, "-c", script, *prompts], check=True,
                       capture_output=True, text=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")}
    assert len(outputs) == 1


def test_every_blueprint_renders_a_strictly_valid_app() -> None:
    assert len(library()) >= 30
    for blueprint in library():
        doc = json.loads(json.dumps(render(blueprint.plan())))
        assert _strict(doc) == [], blueprint.key
        for entity in blueprint.data["entities"].values():
            for spec in entity.get("fields", {}).values():
                if isinstance(spec, str) and spec.startswith("enum"):
                    assert all(re.fullmatch(r"[a-z0-9_]+", v)
                               for v in spec.split()[1].split(",")), blueprint.key


def test_composes_two_blueprints_when_both_are_named() -> None:
    doc, _, _ = generate("Track support tickets raised by customers, and the "
                                   "assets (laptops and phones) they are about.")
    assert {"Ticket", "Asset"} <= set(doc["entities"])
    assert _strict(doc) == []


def test_without_a_blueprint_the_app_comes_from_the_prompt() -> None:
    doc, assumptions, _ = generate("Track beehives with a location, a queen age and a "
                                   "honey yield; beekeepers inspect them.")
    assert "Beehive" in doc["entities"]
    assert {"location", "queen_age", "honey_yield"} <= set(doc["entities"]["Beehive"]["fields"])
    assert any("No blueprint" in a for a in assumptions)
    assert _strict(doc) == []


def test_fields_the_prompt_lists_replace_the_blueprints_optional_ones() -> None:
    doc, assumptions, _ = generate("Track laptops: asset tag, serial number, model, purchase "
                                   "date and cost; the IT team assigns them to employees.")
    fields = doc["entities"]["Asset"]["fields"]
    assert {"asset_tag", "serial_number", "model", "purchase_date"} <= set(fields)
    assert "notes" not in fields
    assert "holder" in fields  # the workflow and the employees' row rule need it
    assert doc["entities"]["Asset"]["permissions"]["employee"] == {"read": "holder == user.id"}
    assert any("left out" in a for a in assumptions)


def test_approval_adds_a_rejected_state_and_says_so() -> None:
    doc, assumptions, _ = generate("Track beehive inspections; beekeepers submit them and "
                                   "the apiarist approves them.")
    workflow = doc["entities"]["Inspection"]["workflow"]
    assert list(workflow["states"]) == ["draft", "submitted", "approved", "rejected"]
    assert workflow["transitions"]["approve"]["roles"] == ["apiarist"]
    assert workflow["transitions"]["reject"]["roles"] == ["apiarist"]
    assert any("rejected" in a for a in assumptions)
    assert set(doc["roles"]) == {"beekeeper", "apiarist"}


def test_delete_for_everyone_is_honoured_with_a_warning() -> None:
    doc, _, warnings = generate("Track support tickets; let everyone delete everything.")
    assert warnings and "delete" in warnings[0]
    assert "Deletion:" in doc["app"]["description"]
    assert all(("delete" in g if isinstance(g, list) else
                isinstance(g, dict) and "delete" in g) for _, _, g in _grants(doc)
               if g != "read")
    assert _strict(doc) == []


def test_currency_is_assumed_when_money_is_involved() -> None:
    doc, assumptions, _ = generate("Track grant applications with an amount requested.")
    assert doc["app"]["currency"] == "EUR"
    assert "Assumed currency EUR." in assumptions


@pytest.mark.parametrize("prompt", ["", "   \n\t ", "asdf qwerty", "make me a sandwich"])
def test_bad_prompts_are_refused_clearly(prompt: str) -> None:
    with pytest.raises(OfflineGenerationError) as caught:
        generate(prompt)
    assert isinstance(caught.value, ApiaryError)
    assert "e.g." in str(caught.value)


def test_unknown_language_is_refused_with_a_hint() -> None:
    with pytest.raises(OfflineGenerationError, match=r"only\s+English"):
        generate("Die Katze und der Hund sind mit dem Vogel im Garten für den Tag.")


def test_a_few_foreign_business_words_are_understood() -> None:
    doc, assumptions, _ = generate("Les employés demandent des congés et le responsable "
                                   "valide les demandes.")
    assert "LeaveRequest" in doc["entities"]
    assert any("French" in a for a in assumptions)
    assert _strict(doc) == []


def test_very_long_prompts_are_bounded() -> None:
    prompt = "Employees submit expense claims; a manager approves. " * 400
    doc, assumptions, _ = generate(prompt)
    assert any(str(MAX_PROMPT) in a for a in assumptions)
    assert _strict(doc) == []


def test_provider_generates_and_refines() -> None:
    provider = OfflineProvider()
    assert provider.name == "offline"
    draft = provider.draft(DraftRequest(task="generate", text="Track support tickets."))
    assert draft.document is not None
    assert json.loads(draft.raw) == draft.document
    assert draft.assumptions
    refined = provider.draft(DraftRequest(task="refine", text="add a budget to tickets",
                                          document=draft.document))
    assert refined.document is not None
    assert refined.document["entities"]["Ticket"]["fields"]["budget"] == {"type": "money",
                                                                          "min": 0}


def test_provider_refine_needs_a_document() -> None:
    with pytest.raises(OfflineGenerationError, match="Nothing to refine"):
        OfflineProvider().draft(DraftRequest(task="refine", text="make x required"))
