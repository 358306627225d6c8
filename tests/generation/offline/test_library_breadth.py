"""The blueprints for processes beyond the original library: each one is picked by the way
people describe its process, and what it generates validates strictly and stays least-privilege."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apiary.definition import check_text
from apiary.generation.offline.blueprints import library
from apiary.generation.offline.generate import generate

# blueprint → the main record it must give → a prompt as someone running the process writes it
CASES: list[tuple[str, str, str]] = [
    ("room_housekeeping", "CleaningTask",
     "In our hotel, housekeeping supervisors assign guest rooms to housekeepers for "
     "cleaning each day, housekeepers clean them and report anything broken, and a "
     "supervisor inspects each cleaned room."),
    ("information_requests", "InformationRequest",
     "Handle freedom of information requests from the public: officers gather the "
     "records, redact exempt parts and respond before the statutory deadline after "
     "sign-off."),
    ("service_requests", "ServiceRequest",
     "Residents report problems such as potholes to the council with a location and a "
     "photo; dispatchers triage each service request and send a crew to fix it."),
    ("meter_readings", "MeterReading",
     "Meter readers record electricity and gas meter readings with a photo; billing "
     "analysts verify each reading or query implausible consumption."),
    ("dock_appointments", "DockAppointment",
     "Carriers book dock appointments at our warehouse for inbound trucks; the yard "
     "clerk confirms a dock door and the warehouse team unloads the pallets when the "
     "truck arrives."),
    ("production", "ProductionOrder",
     "Manufacturing: planners release production orders to the shop floor, operators "
     "record the materials used and the quantity produced, and quality releases the "
     "batch."),
    ("service_visits", "ServiceJob",
     "Field service: dispatchers schedule service engineers for call-outs at customer "
     "sites; engineers record hours, parts and the customer's signature."),
    ("coursework", "Submission",
     "Students submit coursework for each assignment; teachers mark each submission "
     "against a rubric with a grade and feedback, and moderators check the marking."),
    ("student_admissions", "AdmissionApplication",
     "University admissions: applicants apply to a degree programme with transcripts "
     "and a personal statement; tutors interview them and make conditional offers."),
    ("research_ethics", "EthicsApplication",
     "Researchers submit studies involving human participants for ethics approval with "
     "a protocol and consent form; the committee reviews each study and the chair "
     "approves it, sends it back for changes or rejects it."),
    ("fiscal_budgets", "BudgetRequest",
     "Department heads submit annual budget requests with budget lines per cost "
     "centre; finance reviews them and the finance director approves or cuts them."),
    ("performance", "PerformanceReview",
     "Annual performance reviews: employees set goals and write a self-assessment, "
     "their manager gives a rating and HR calibrates the ratings."),
    ("user_access", "AccessRequest",
     "Employees submit access requests for systems with a business reason; the system "
     "owner approves and an IT admin grants the access, which is later revoked."),
    ("matters", "Matter",
     "Track legal matters such as disputes and litigation: counsel record the hearings "
     "and filing deadlines of each matter, and the general counsel closes it with an "
     "outcome."),
    ("campaigns", "Campaign",
     "Plan marketing campaigns with a budget, channel and content pieces; the brand "
     "manager approves each campaign before it goes live."),
    ("risks", "Risk",
     "Risk owners record each risk in the risk register with its likelihood, impact "
     "and mitigations; the risk manager reviews and closes risks."),
    ("policies", "ControlledDocument",
     "Authors draft our policies and standard operating procedures as controlled "
     "documents; an approver signs off each version and compliance publishes it and "
     "tracks acknowledgements."),
    ("travel", "TravelRequest",
     "Employees request approval for business trips with flights and hotels; their "
     "manager approves and the travel desk books the itinerary."),
    ("leases", "Lease",
     "Property management: we let apartments to tenants under leases with a monthly "
     "rent and a deposit; property managers renew or end each lease."),
    ("memberships", "Member",
     "Our association's members join on a membership plan and pay annual dues; the "
     "membership secretary approves applications and chases lapsed renewals."),
    ("staff_credentialing", "CredentialingApplication",
     "Credentialing: practitioners apply for clinical privileges and upload their "
     "credentials; coordinators verify the credentials and the committee chair "
     "approves."),
]


def _generated(prompt: str) -> tuple[dict[str, Any], list[str]]:
    doc, assumptions, _ = generate(prompt)
    return json.loads(json.dumps(doc)), assumptions


@pytest.mark.parametrize(("key", "main", "prompt"), CASES, ids=[c[0] for c in CASES])
def test_prompt_picks_the_blueprint_and_its_main_record(key: str, main: str,
                                                        prompt: str) -> None:
    doc, assumptions = _generated(prompt)
    assert [str(d) for d in check_text(json.dumps(doc))] == []
    assert any(a.startswith(f"Started from the `{key}` blueprint") for a in assumptions), \
        assumptions
    assert main in doc["entities"]
    workflow = doc["entities"][main]["workflow"]
    assert any(state.get("final") for state in workflow["states"].values())
    assert all(transition["roles"] for transition in workflow["transitions"].values())


@pytest.mark.parametrize(("key", "main", "prompt"), CASES, ids=[c[0] for c in CASES])
def test_generated_app_lets_nobody_but_admin_delete_or_viewers_read_personal_data(
        key: str, main: str, prompt: str) -> None:
    doc, _ = _generated(prompt)
    roles = next(b for b in library() if b.key == key).data["roles"]
    viewers = {r for r, text in roles.items() if str(text).startswith("viewer")}
    for name, entity in doc["entities"].items():
        for role, grant in entity.get("permissions", {}).items():
            assert "delete" not in (grant if isinstance(grant, (list, dict)) else [grant]), \
                (key, name, role)
        for field, spec in entity["fields"].items():
            if spec.get("pii"):
                readers = set(spec.get("access", {}).get("read", []))
                assert readers, (key, name, field)
                assert not viewers & readers, (key, name, field)


def test_every_new_blueprint_flags_contact_details_as_personal_data() -> None:
    keys = {b.key: b for b in library()}
    assert len({key for key, _, _ in CASES}) == len(CASES)
    for key, main, _ in CASES:
        blueprint = keys[key]
        assert blueprint.data["entities"][main].get("kind", "main") == "main", key
        for entity in blueprint.data["entities"].values():
            for field, value in entity.get("fields", {}).items():
                kind = str(value).split()[0].rstrip("!")
                if kind in ("email", "phone") or field == "date_of_birth":
                    assert " pii" in str(value), (key, field)
