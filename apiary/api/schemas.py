"""JSON Schemas of an entity's records as the API reads and writes them (JSON Schema 2020-12).

:mod:`apiary.api.openapi` places three schemas per entity in the OpenAPI document:

- the *record* (what GET returns): every field with its type, format, enum and nullability;
  system, computed and state fields are ``readOnly``. Fields whose ``access.read`` narrows who
  sees them are optional, since a schema cannot vary with the caller. Value constraints (length,
  pattern, range) are left out: rows saved under an earlier definition may not meet today's.
- the *create* body: only writable fields, required ones required, constraints included,
  nothing else accepted;
- the *update* body: the same fields, all optional.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from apiary.definition.compiled import USER_ENTITY, Entity, Field, FieldType
from apiary.storage.types import STRING_LENGTHS

JsonSchema = dict[str, Any]

TEXT_TYPES: Final = frozenset({FieldType.STRING, FieldType.TEXT, FieldType.EMAIL, FieldType.URL,
                               FieldType.PHONE})
FORMATS: Final = {FieldType.EMAIL: "email", FieldType.URL: "uri", FieldType.DATE: "date",
                  FieldType.DATETIME: "date-time"}
DECIMAL_PATTERN: Final = r"^-?[0-9]+(\.[0-9]+)?$"
CURRENCY_PATTERN: Final = r"^[A-Z]{3}$"
UNFILTERABLE: Final = frozenset({FieldType.JSON, FieldType.FILE, FieldType.HAS_MANY})
"""Types that have no equality shortcut in list queries (structured values)."""

EXPANDABLE: Final[JsonSchema] = {
    "type": ["integer", "object"],
    "properties": {"id": {"type": "integer"}},
    "required": ["id"],
}
"""A reference: the id, or with ``expand`` the record (or user) it points to."""

SYSTEM_SCHEMAS: Final[dict[str, JsonSchema]] = {
    "id": {"type": "integer", "format": "int64", "description": "The record's number."},
    "created_at": {"type": "string", "format": "date-time",
                   "description": "When the record was created (UTC)."},
    "updated_at": {"type": "string", "format": "date-time",
                   "description": "When the record last changed (UTC)."},
    "created_by": {"type": ["integer", "null"], "format": "int64",
                   "description": "Id of the user who created the record."},
    "updated_by": {"type": ["integer", "null"], "format": "int64",
                   "description": "Id of the user who last changed the record."},
    "row_version": {"type": "integer",
                    "description": "Incremented on every change; send it back in `If-Match`."},
}


def record_schema(entity: Entity) -> JsonSchema:
    properties: dict[str, JsonSchema] = {"id": {**SYSTEM_SCHEMAS["id"], "readOnly": True}}
    required = ["id"]
    for field in entity.stored_fields:
        read = EXPANDABLE if field.type is FieldType.REF else _read_value(field)
        value = _described(field, _nullable(read, field))
        if field.readonly:
            value["readOnly"] = True
        properties[field.name] = value
        if field.read_roles is None:
            required.append(field.name)
    for name, system in SYSTEM_SCHEMAS.items():
        if name in ("created_by", "updated_by"):
            system = {**_nullable(EXPANDABLE, None), "description": system["description"]}
        if name != "id":
            properties[name] = {**system, "readOnly": True}
            required.append(name)
    if entity.workflow is not None:
        properties["_transitions"] = {
            "type": "array",
            "items": {"type": "string", "enum": list(entity.workflow.transitions)},
            "readOnly": True,
            "description": "Transitions the caller may take on this record now.",
        }
        required.append("_transitions")
    schema: JsonSchema = {"type": "object", "title": entity.label, "properties": properties,
                          "required": required}
    if entity.description:
        schema["description"] = entity.description
    return schema


def create_schema(entity: Entity) -> JsonSchema:
    properties = {f.name: _write_schema(f) for f in writable_fields(entity)}
    required = [f.name for f in writable_fields(entity) if f.required and f.default is None]
    schema: JsonSchema = {"type": "object", "title": f"New {entity.label.lower()}",
                          "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def update_schema(entity: Entity) -> JsonSchema:
    """Changes to a record: any writable fields; a field left out keeps its value."""
    properties = {f.name: _write_schema(f) for f in writable_fields(entity)}
    return {"type": "object", "title": f"Changes to a {entity.label.lower()}",
            "properties": properties, "additionalProperties": False}


def writable_fields(entity: Entity) -> tuple[Field, ...]:
    return tuple(f for f in entity.stored_fields if not f.readonly)


def query_value_schema(field: Field) -> JsonSchema | None:
    """Schema of ``?<field>=<value>`` in a list query, or None when the field has no shortcut."""
    if field.type in UNFILTERABLE or (field.type is FieldType.MONEY and field.currency is None):
        return None
    if field.type in TEXT_TYPES:
        return _described(field, {"type": "string"})  # any text may be compared
    return _described(field, _read_value(field))


def _read_value(field: Field) -> JsonSchema:
    """The type of a field's value without constraints (see the module docstring)."""
    t = field.type
    if t is FieldType.ENUM:
        return {"type": "string", "enum": list(field.values)}
    if t in TEXT_TYPES:
        schema: JsonSchema = {"type": "string"}
        if t in FORMATS:
            schema["format"] = FORMATS[t]
        return schema
    if t is FieldType.INTEGER:
        return {"type": "integer", "format": "int64"}
    if t is FieldType.DECIMAL:
        return {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}
    if t is FieldType.MONEY:
        amount: JsonSchema = {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}
        if field.currency is not None:
            return amount
        return {"type": "object", "properties": {
            "amount": amount,
            "currency": {"type": "string", "pattern": CURRENCY_PATTERN},
        }, "required": ["amount", "currency"], "additionalProperties": False}
    if t is FieldType.BOOLEAN:
        return {"type": "boolean"}
    if t is FieldType.FILE:
        return {"type": "object", "description": "A reference to a stored file."}
    if t in (FieldType.DATE, FieldType.DATETIME):
        return {"type": "string", "format": FORMATS[t]}
    if t is FieldType.REF:
        return {"type": "integer", "format": "int64"}
    return {}


def _write_schema(field: Field) -> JsonSchema:
    schema = _read_value(field)
    t = field.type
    if t in TEXT_TYPES:
        max_length = field.max_length or STRING_LENGTHS.get(t)
        if max_length is not None:
            schema["maxLength"] = max_length
        if field.min_length is not None:
            schema["minLength"] = field.min_length
        if field.pattern is not None:
            schema["pattern"] = f"^(?:{field.pattern})$"
    elif t is FieldType.INTEGER:
        if field.min is not None:
            schema["minimum"] = field.min
        if field.max is not None:
            schema["maximum"] = field.max
    elif t is FieldType.REF:
        schema["minimum"] = 1
    elif t is FieldType.DECIMAL or (t is FieldType.MONEY and field.currency is not None):
        schema = _exact_number(field)
    schema = _nullable(schema, field) if not field.required else schema
    if field.default is not None and _json_literal(field.default) is not None:
        schema["default"] = _json_literal(field.default)
    return _described(field, schema, writing=True)


def _exact_number(field: Field) -> JsonSchema:
    """Decimals are written as a numeric string (exact) or a JSON number, and read as strings."""
    schema: JsonSchema = {"type": ["string", "number"], "pattern": DECIMAL_PATTERN}
    if field.min is not None:
        schema["minimum"] = float(field.min) if field.min % 1 else int(field.min)
    if field.max is not None:
        schema["maximum"] = float(field.max) if field.max % 1 else int(field.max)
    return schema


def _nullable(schema: JsonSchema, field: Field | None) -> JsonSchema:
    """Allow null: every field may be empty except required and state fields."""
    if field is not None and (field.is_state or (field.required and field.computed is None)):
        return schema
    if not schema:
        return schema
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    nullable = {**schema, "type": [*types, "null"]}
    if "enum" in schema:
        nullable["enum"] = [*schema["enum"], None]
    return nullable


def _described(field: Field, schema: JsonSchema, *, writing: bool = False) -> JsonSchema:
    notes = [text for text in (field.description, field.help) if text]
    if field.type is FieldType.REF:
        target = "a user" if field.ref == USER_ENTITY else f"a record of {field.ref}"
        notes.append(f"The id of {target}.")
    if field.type is FieldType.MONEY and field.currency is not None:
        notes.append(f"An amount in {field.currency}.")
    limits = _limits_text(field)
    if limits:
        notes.append(limits)
    if field.computed is not None:
        notes.append(f"Computed: `{field.computed.source}`.")
    if field.is_state:
        notes.append("The workflow state; changed only by transitions.")
    if field.read_roles is not None:
        notes.append(f"Visible only to the roles {_roles(field.read_roles)} (and admin).")
    if writing and field.write_roles is not None:
        notes.append(f"Only the roles {_roles(field.write_roles)} (and admin) may set it.")
    if writing and field.default in ("today", "now"):
        notes.append(f"Defaults to {field.default}.")
    out: JsonSchema = {**schema, "title": field.label}
    if notes:
        out["description"] = " ".join(notes)
    return out


def _limits_text(field: Field) -> str | None:
    if field.type not in (FieldType.DECIMAL, FieldType.MONEY, FieldType.DATE, FieldType.DATETIME):
        return None  # integer ranges are JSON Schema's minimum/maximum
    low, high = _json_literal(field.min), _json_literal(field.max)
    if low is not None and high is not None:
        return f"From {low} to {high}."
    if low is not None:
        return f"At least {low}."
    if high is not None:
        return f"At most {high}."
    return None


def _json_literal(value: Any) -> Any:
    """A definition literal as JSON: decimals as strings, dates in ISO form."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if value in ("today", "now"):
        return None
    return value


def _roles(roles: frozenset[str]) -> str:
    return ", ".join(sorted(roles)) or "(none)"
