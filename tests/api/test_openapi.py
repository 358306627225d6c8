"""The OpenAPI documents generated from the examples are valid OpenAPI 3.1 and say what we serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from apiary.api import openapi_document
from apiary.definition import compile_file, compile_text

EXAMPLES = sorted((Path(__file__).parent.parent.parent / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def helpdesk() -> dict[str, Any]:
    return openapi_document(compile_file(EXAMPLES[0].parent / "helpdesk.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_gives_a_valid_openapi_31_document(path: Path) -> None:
    document = openapi_document(compile_file(path))
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_server_url_is_relative_unless_given() -> None:
    app = compile_file(EXAMPLES[0].parent / "helpdesk.yaml")
    assert openapi_document(app)["servers"] == [{"url": "/api/helpdesk"}]
    assert openapi_document(app, "https://apiary.example.com/")["servers"] == [
        {"url": "https://apiary.example.com/api/helpdesk"}]


def test_every_route_and_transition_has_a_path(helpdesk: dict[str, Any]) -> None:
    paths = helpdesk["paths"]
    assert set(paths["/Ticket"]) == {"get", "post"}
    assert set(paths["/Ticket/{id}"]) == {"parameters", "get", "patch", "delete"}
    assert set(paths["/Ticket/{id}/history"]) == {"parameters", "get"}
    transitions = {p.rsplit("/", 1)[1] for p in paths if "/transitions/" in p}
    assert transitions == {"start", "ask_customer", "customer_replied", "resolve", "reopen",
                           "close", "withdraw"}
    assert not any(p.startswith("/Account/{id}/transitions") for p in paths)


def test_operations_list_their_error_responses(helpdesk: dict[str, Any]) -> None:
    paths = helpdesk["paths"]
    assert set(paths["/Ticket"]["post"]["responses"]) >= {
        "201", "400", "401", "403", "404", "409", "413", "415", "422"}
    assert set(paths["/Ticket/{id}"]["patch"]["responses"]) >= {"200", "412", "413", "415"}
    assert set(paths["/Ticket/{id}"]["delete"]["responses"]) >= {"204", "409", "412"}
    for path in paths.values():
        for method, operation in path.items():
            if method != "parameters":
                assert "401" in operation["responses"]
    assert helpdesk["components"]["responses"]["Unauthorized"]["headers"]


def test_record_schema_marks_read_only_and_hidden_fields(helpdesk: dict[str, Any]) -> None:
    ticket = helpdesk["components"]["schemas"]["Ticket"]
    props = ticket["properties"]
    for name in ("id", "state", "sla_due_at", "created_at", "row_version", "_transitions"):
        assert props[name]["readOnly"] is True, name
    assert props["state"]["enum"] == ["new", "in_progress", "waiting_on_customer", "resolved",
                                      "closed"]
    assert props["assignee"]["type"] == ["integer", "object", "null"]
    assert props["first_response_at"]["format"] == "date-time"
    assert props["time_spent_hours"]["type"] == ["string", "null"]
    assert "subject" in ticket["required"]
    assert "internal_notes" not in ticket["required"]  # access.read narrows who sees it
    assert props["_transitions"]["items"]["enum"][0] == "start"


def test_create_and_update_schemas_take_only_writable_fields(helpdesk: dict[str, Any]) -> None:
    schemas = helpdesk["components"]["schemas"]
    create, update = schemas["Ticket.create"], schemas["Ticket.update"]
    assert create["additionalProperties"] is False
    assert set(create["required"]) == {"subject", "description", "category"}
    assert "priority" not in create["required"]  # has a default
    for readonly in ("id", "state", "sla_due_at", "created_at", "row_version"):
        assert readonly not in create["properties"]
    assert "required" not in update
    assert update["properties"].keys() == create["properties"].keys()
    assert create["properties"]["subject"]["minLength"] == 5
    assert create["properties"]["product_version"]["pattern"].startswith("^(?:")


def test_create_schema_accepts_a_valid_ticket_and_rejects_strays(
        helpdesk: dict[str, Any]) -> None:
    schema = {**helpdesk["components"]["schemas"]["Ticket.create"],
              "$defs": helpdesk["components"]["schemas"]}
    good = {"subject": "Printer on fire", "description": "Smoke.", "category": "incident",
            "time_spent_hours": "1.50", "assignee": None}
    jsonschema.validate(good, schema)
    for bad in ({**good, "state": "closed"}, {**good, "bogus": 1}, {**good, "subject": "hi"},
                {**good, "category": "other"}, {"subject": "Printer on fire"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_list_has_query_parameters_and_field_shortcuts(helpdesk: dict[str, Any]) -> None:
    params = helpdesk["paths"]["/Ticket"]["get"]["parameters"]
    names = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in params}
    assert {"filter", "limit", "after", "count", "sort", "expand"} <= names
    assert {"priority", "state", "assignee", "created_by", "id"} <= names
    assert "source_metadata" not in names  # json has no equality shortcut
    limit = helpdesk["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 200, 50)


def test_fields_named_like_list_parameters_get_no_shortcut() -> None:
    app = compile_text("app: stock\nentities:\n  Item:\n    fields:\n      count: integer\n"
                       "      sort: string\n")
    document = openapi_document(app)
    validate(document)
    params = document["paths"]["/Item"]["get"]["parameters"]
    assert next(p for p in params if p.get("name") == "sort")["schema"]["pattern"]
    assert not [p for p in params if p.get("name") == "count"]


def test_problem_schema_and_bearer_security(helpdesk: dict[str, Any]) -> None:
    problem = helpdesk["components"]["schemas"]["apiary.Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance",
                                        "request_id", "errors"}
    assert helpdesk["security"] == [{"bearerAuth": []}]
    assert helpdesk["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_money_without_currency_is_an_object() -> None:
    app = compile_text("app: shop\nentities:\n  Sale:\n    fields:\n      price: money\n")
    document = openapi_document(app)
    validate(document)
    price = document["components"]["schemas"]["Sale"]["properties"]["price"]
    assert price["type"] == ["object", "null"]
    assert price["required"] == ["amount", "currency"]
