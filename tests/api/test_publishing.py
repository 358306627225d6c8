"""Publishing a new app version: the running API serves it from the next request on."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from apiary.definition import compile_text
from apiary.engine import Runtime
from apiary.storage import apply, plan
from tests.api.client import Client
from tests.api.conftest import EXAMPLES

TICKETS = "/api/helpdesk/Ticket"
GOOD = {"subject": "Printer on fire", "description": "Smoke.", "category": "incident"}


def test_publishing_a_new_version_takes_effect_on_the_next_request(
        client: Client, runtime: Runtime, db: sa.Engine,
        as_role: Callable[[str], Client]) -> None:
    admin = as_role("admin")
    assert admin.post(TICKETS, json={**GOOD, "reference": "R-1"}).status_code == 422
    source = (EXAMPLES / "helpdesk.yaml").read_text()
    marker = "      subject: {type: string, required: true, min_length: 5, max_length: 200}\n"
    assert marker in source
    newer = compile_text(source.replace(marker, marker + "      reference: string\n"))
    apply(plan(newer, db), db)
    runtime.publish(newer)

    created = admin.post(TICKETS, json={**GOOD, "reference": "R-1"})
    assert created.status_code == 201, created.text
    assert admin.get(f"{TICKETS}/{created.json()['id']}").json()["reference"] == "R-1"
    assert admin.get(TICKETS, params={"reference": "R-1"}).json()["items"][0]["reference"] == "R-1"
    document = admin.get("/api/helpdesk/openapi.json").json()
    assert "reference" in document["components"]["schemas"]["Ticket"]["properties"]
