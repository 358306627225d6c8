"""The JSON Schema of the definition format, for editors, generators and other tools.

Generated from the pydantic models, then widened where the format accepts shorthands
(``title: string``, ``agent: true``, ``states: [a, b]``) so that documents written the short way
validate in editors too.
"""

from __future__ import annotations

from typing import Any

from apiary.definition.format import OPERATIONS, DefinitionSpec

SCHEMA_ID = "https://apiary.dev/schema/definition-v1.json"


def definition_schema() -> dict[str, Any]:
    schema = DefinitionSpec.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "Apiary application definition"
    defs = schema["$defs"]
    field_types = defs["FieldSpec"]["properties"]["type"]
    _widen(defs["EntitySpec"]["properties"]["fields"], {"$ref": "#/$defs/FieldSpec"},
           {"type": "string", "enum": field_types["enum"]})
    _widen(defs["EntitySpec"]["properties"]["permissions"], {"$ref": "#/$defs/PermissionSpec"},
           {"type": "boolean"}, {"type": "string", "enum": list(OPERATIONS)},
           {"type": "array", "items": {"type": "string", "enum": list(OPERATIONS)}})
    _widen(schema["properties"]["roles"], {"$ref": "#/$defs/RoleSpec"}, {"type": "string"},
           {"type": "null"})
    schema["properties"]["roles"] = {"anyOf": [schema["properties"]["roles"], {
        "type": "array", "items": {"type": "string"}}], "description": "Roles and descriptions."}
    states = defs["WorkflowSpec"]["properties"]["states"]
    defs["WorkflowSpec"]["properties"]["states"] = {"anyOf": [
        states, {"type": "array", "items": {"type": "string"}}]}
    schema["properties"]["app"] = {"anyOf": [{"$ref": "#/$defs/AppSpec"}, {"type": "string"}]}
    return schema


def _widen(mapping_schema: dict[str, Any], original: dict[str, Any], *extra: Any) -> None:
    """Let the values of a ``dict[str, X]`` property also take shorthand forms."""
    mapping_schema["additionalProperties"] = {"anyOf": [original, *extra]}
