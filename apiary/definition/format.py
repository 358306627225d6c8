"""The definition format, version 1: the shape of the document, as pydantic models.

These models check structure only (known keys, value types); names, references and expressions
are checked by the compiler, which can point at the document and suggest fixes. Shorthands that
keep small definitions small (``title: string``, ``agent: true``, ``states: [new, done]``) are
expanded here, before the structure is checked, so the rest of the code sees one canonical form.
The JSON Schema published by ``apiary schema`` is generated from these models (see schema.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

FORMAT_VERSION = 1

FieldTypeName = Literal[
    "string", "text", "integer", "decimal", "boolean", "date", "datetime", "enum", "email",
    "url", "phone", "money", "file", "json", "ref", "has_many",
]
OperationName = Literal["read", "create", "update", "delete"]
OPERATIONS: tuple[OperationName, ...] = ("read", "create", "update", "delete")
Scalar = str | int | float | bool
RuleValue = Annotated[bool | str, Field(
    description="true, false, or an expression that must hold for the record (row-level rule)")]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


def _expand_app(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


def _expand_field(value: Any) -> Any:
    return {"type": value} if isinstance(value, str) else value


def _expand_role(value: Any) -> Any:
    if value is None:
        return {}
    return {"description": value} if isinstance(value, str) else value


def _expand_permission(value: Any) -> Any:
    if isinstance(value, bool):
        return {op: value for op in OPERATIONS}
    if isinstance(value, str) and value in OPERATIONS:
        return {value: True}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {op: True for op in value}
    return value


def _expand_states(value: Any) -> Any:
    if isinstance(value, list):
        out: dict[str, Any] = {}
        for item in value:
            if isinstance(item, str):
                out[item] = {}
            elif isinstance(item, dict) and isinstance(item.get("name"), str):
                out[item["name"]] = {k: v for k, v in item.items() if k != "name"}
            else:
                return value
        return out
    if isinstance(value, dict):
        return {k: ({} if v is None else v) for k, v in value.items()}
    return value


def _expand_roles(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {v: {} for v in value}
    return value


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


StrList = Annotated[list[str], BeforeValidator(_as_list), WithJsonSchema({
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})]
"""A list of names; a single name may be written without brackets."""


class AppSpec(Spec):
    name: str = Field(description="Slug used in URLs and table names: lowercase letters, digits, "
                                   "hyphens; starts with a letter.", examples=["helpdesk"])
    title: str | None = Field(None, description="Human title; defaults to the name.")
    description: str | None = None
    owner: str | None = Field(None, description="Email of the person accountable for the app.")
    version: str | None = Field(None, description="Free-form version label, e.g. 1.4.")
    currency: str | None = Field(None, description="Default ISO 4217 currency for money fields.")


class RoleSpec(Spec):
    description: str | None = None
    label: str | None = None


class AccessSpec(Spec):
    read: StrList | None = Field(None, description="Roles that may see this field.")
    write: StrList | None = Field(None, description="Roles that may set this field.")


class FieldSpec(Spec):
    type: FieldTypeName
    label: str | None = None
    description: str | None = None
    help: str | None = Field(None, description="Help text shown under the input in forms.")
    required: bool = False
    unique: bool = False
    default: Scalar | None = Field(None, description="A literal value; `today`/`now` for dates.")
    min: int | float | str | None = Field(None, description="Lowest value (number or ISO date).")
    max: int | float | str | None = Field(None, description="Highest value (number or ISO date).")
    max_length: int | None = Field(None, gt=0)
    min_length: int | None = Field(None, ge=0)
    pattern: str | None = Field(None, description="Regular expression the whole value must match.")
    indexed: bool = False
    pii: bool = Field(False, description="Personal data: masked in audit and logs. Same as "
                                         "`classification: pii`.")
    classification: Literal["public", "internal", "confidential", "pii"] | None = None
    computed: str | None = Field(None, description="Expression computing the value; read-only.")
    renamed_from: str | None = Field(None, description="Previous name; migrations keep the data.")
    values: list[str] | None = Field(None, description="Allowed values of an enum.")
    to: str | None = Field(None, description="Target entity of a ref or has_many (or `User`).")
    via: str | None = Field(None, description="has_many: the ref field on the target entity.")
    on_delete: Literal["restrict", "cascade", "set_null"] | None = None
    currency: str | None = Field(None, description="money: fixed ISO 4217 currency code.")
    scale: int | None = Field(None, ge=0, le=8, description="Decimal places (default 2).")
    max_size: int | str | None = Field(
        None, description="file: largest upload, in bytes or with a unit (`10 MB`, `512 KiB`); "
                          "default 10 MiB, at most 100 MiB.", examples=["10 MB"])
    accept: StrList | None = Field(
        None, description="file: allowed types, as MIME types (`image/png`, `image/*`) or "
                          "extensions (`.pdf`); default: images, PDF, text, CSV and office "
                          "documents.")
    access: AccessSpec | None = None


FieldEntry = Annotated[FieldSpec, BeforeValidator(_expand_field)]


class ValidationSpec(Spec):
    rule: str = Field(description="Expression that must hold for a record to be saved.")
    message: str = Field(description="Shown to the user when the rule does not hold.")
    fields: StrList = Field(default_factory=list, description="Fields to mark as at fault.")


class StateSpec(Spec):
    label: str | None = None
    requires: StrList = Field(default_factory=list,
                              description="Fields that must be set to enter this state.")
    final: bool = False


class TransitionSpec(Spec):
    from_: StrList = Field(alias="from", description="State(s) the transition starts from; "
                                                     "`*` for any.")
    to: str
    roles: StrList = Field(default_factory=list, description="Roles that may take it "
                                                             "(admin always may).")
    guard: str | None = Field(None, description="Expression that must hold to take it.")
    label: str | None = None


class WorkflowSpec(Spec):
    field: str = Field("state", description="Name of the state field the workflow owns.")
    states: Annotated[dict[str, StateSpec], BeforeValidator(_expand_states)]
    initial: str | None = Field(None, description="State of new records; the first by default.")
    transitions: dict[str, TransitionSpec] = Field(default_factory=dict)


class PermissionSpec(Spec):
    read: RuleValue = False
    create: RuleValue = False
    update: RuleValue = False
    delete: RuleValue = False


PermissionEntry = Annotated[PermissionSpec, BeforeValidator(_expand_permission)]


class EntitySpec(Spec):
    label: str | None = None
    plural: str | None = None
    description: str | None = None
    display: str | None = Field(None, description="Field used as the record's title.")
    fields: dict[str, FieldEntry]
    validations: list[ValidationSpec] = Field(default_factory=list)
    workflow: WorkflowSpec | None = None
    permissions: dict[str, PermissionEntry] = Field(
        default_factory=dict, description="role -> operations. Anything not granted is denied.")
    indexes: list[StrList] = Field(default_factory=list,
                                   description="Extra (composite) indexes, as lists of fields.")
    renamed_from: str | None = None


class _ViewBase(Spec):
    title: str | None = None
    roles: StrList | None = Field(None, description="Roles that see this view in navigation.")


class ListView(_ViewBase):
    type: Literal["list"]
    entity: str
    columns: StrList = Field(default_factory=list)
    filter: str | None = None
    sort: StrList = Field(default_factory=list, description="Fields; prefix `-` for descending.")
    search: StrList = Field(default_factory=list, description="Fields searched as full text.")
    filters: StrList = Field(default_factory=list, description="Fields offered as filters.")
    group_by: str | None = None


class DetailView(_ViewBase):
    type: Literal["detail"]
    entity: str
    fields: StrList = Field(default_factory=list)


class FormView(_ViewBase):
    type: Literal["form"]
    entity: str
    fields: StrList = Field(default_factory=list)


class BoardView(_ViewBase):
    type: Literal["board"]
    entity: str
    group_by: str | None = Field(None, description="Defaults to the workflow state field.")
    columns: StrList = Field(default_factory=list, description="Fields shown on each card.")
    filter: str | None = None
    sort: StrList = Field(default_factory=list)


class WidgetSpec(Spec):
    title: str | None = None
    kind: Literal["count", "sum", "avg", "min", "max"] = "count"
    entity: str
    field: str | None = None
    group_by: str | None = None
    period: Literal["day", "week", "month", "year"] | None = None
    chart: Literal["number", "bar", "line", "pie"] = "number"
    filter: str | None = None


class DashboardView(_ViewBase):
    type: Literal["dashboard"]
    widgets: list[WidgetSpec]


ViewSpec = Annotated[ListView | DetailView | FormView | BoardView | DashboardView,
                     Field(discriminator="type")]


class DefinitionSpec(Spec):
    apiary: Literal[1] = Field(1, description="Format version of this document.")
    app: Annotated[AppSpec, BeforeValidator(_expand_app)]
    roles: Annotated[dict[str, Annotated[RoleSpec, BeforeValidator(_expand_role)]],
                     BeforeValidator(_expand_roles)] = Field(default_factory=dict)
    entities: dict[str, EntitySpec] = Field(min_length=1)
    views: dict[str, ViewSpec] = Field(default_factory=dict)
