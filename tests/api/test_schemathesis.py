"""Property-based tests of the whole API from its own OpenAPI document, with Schemathesis.

For every operation of the helpdesk, Schemathesis generates requests that fit the document
(positive) and requests that break it (negative), sends them in-process with an admin token, and
checks each response: no 5xx, status codes, content types, headers and bodies as documented,
invalid requests rejected, undocumented methods answered 405, requests without a token 401.

One check is left out: "schema-valid requests are accepted". A document cannot say that a ref
must name an existing record, that a value must be unique, or what an app's cross-field
validations require, so valid-looking data is rightly refused with 409 or 422.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from apiary.api import create_app
from apiary.definition import CompiledApp
from apiary.engine import Runtime
from apiary.identity import add_user, create_token
from apiary.storage import apply, connect, plan

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def served(sqlite_url: str, helpdesk_app: CompiledApp) -> Iterator[tuple[Runtime, str]]:
    db: sa.Engine = connect(sqlite_url)
    try:
        apply(plan(helpdesk_app, db), db)
        add_user(db, "admin@example.com", helpdesk_app, "admin")
        yield Runtime(db, [helpdesk_app]), create_token(db, "admin@example.com")
    finally:
        db.dispose()


def test_helpdesk_api_conforms_to_its_openapi_document(served: tuple[Runtime, str]) -> None:
    runtime, token = served
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(runtime)
    schema = schemathesis.openapi.from_asgi("/api/helpdesk/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 25

    existing = _seed(runtime, token)
    positive = [op.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE)
                for op in operations]
    negative = [op.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
                for op in operations]
    # Random ids rarely name a record; half the valid cases aim at records that exist.
    aimed = [st.tuples(s, st.sampled_from(existing)).map(_aim) for s in positive]
    strategy = st.one_of(positive + aimed + negative)
    modes = (positive, aimed, negative)
    sent: list[int] = []

    @settings(max_examples=EXAMPLES_PER_OPERATION * len(operations) * len(modes),
              deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers,
                                          excluded_checks=[positive_data_acceptance])
        sent.append(response.status_code)

    check()
    assert len(sent) >= len(operations)
    assert all(status < 500 for status in sent)
    assert any(200 <= status < 300 for status in sent)


def _seed(runtime: Runtime, token: str) -> list[int]:
    """A few records of every entity, so that generated ids can name real ones."""
    admin = runtime.identity.authenticate(token, "helpdesk")
    records = runtime.records("helpdesk")
    ids: list[int] = []
    for i in range(3):
        account = records.create(admin, "Account",
                                 {"name": f"Account {i}", "code": "ACC" + "XYZ"[i]})
        ticket = records.create(admin, "Ticket", {
            "subject": f"Seeded ticket {i}", "description": "Seeded.", "category": "question",
            "account": account["id"], "assignee": admin.user_id})
        records.create(admin, "Comment", {"ticket": ticket["id"], "requester": admin.user_id,
                                          "body": "Seeded."})
        ids.append(ticket["id"])
    return ids


def _aim(pair: tuple[schemathesis.Case, int]) -> schemathesis.Case:
    case, record_id = pair
    if case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = record_id
    return case
