"""docs/api.md stays true: its JSON examples fit the generated schemas and every error is listed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from apiary.api import openapi_document
from apiary.api.problems import SLUGS
from apiary.definition import compile_file
from tests.api.conftest import EXAMPLES

DOC = (Path(__file__).parent.parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```json\n(.*?)```", DOC, flags=re.DOTALL)


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    document = openapi_document(compile_file(EXAMPLES / "helpdesk.yaml"))
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def validate(instance: Any, name: str, schemas: dict[str, Any], *, partial: bool) -> None:
    schema = {k: v for k, v in schemas[name].items() if not (partial and k == "required")}
    resolver_root = {**schema, "components": {"schemas": schemas}}
    jsonschema.validate(instance, resolver_root)


def test_json_examples_parse_and_fit_the_schemas(schemas: dict[str, Any]) -> None:
    assert len(BLOCKS) >= 3
    examples = [json.loads(block) for block in BLOCKS]
    record = next(e for e in examples if "row_version" in e)
    validate(record, "Ticket", schemas, partial=True)
    problem = next(e for e in examples if "request_id" in e)
    validate(problem, "apiary.Problem", schemas, partial=False)
    assert problem["type"].endswith("/validation-failed") and problem["status"] == 422


def test_every_problem_type_is_documented() -> None:
    for status, (slug, _title) in SLUGS.items():
        assert f"| {status} | `{slug}` |" in DOC, slug
