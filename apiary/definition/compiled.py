"""The compiled application: the immutable object every surface reads.

A definition document is loaded, validated and compiled once into a ``CompiledApp``; storage,
the engine, the API and the web UI read this object and never the raw document. Everything here
is plain frozen data so that publishing a new version is swapping one reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from apiary.expr import Expr, Type


class FieldType(StrEnum):
    """Field types of format version 1; the value is the name written in a definition."""

    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    EMAIL = "email"
    URL = "url"
    PHONE = "phone"
    MONEY = "money"
    FILE = "file"
    JSON = "json"
    REF = "ref"
    HAS_MANY = "has_many"


class Classification(StrEnum):
    """How sensitive a field's values are; ``pii`` values are masked in logs and audit."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    PII = "pii"


class Operation(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class OnDelete(StrEnum):
    """What happens to records referencing a deleted record."""

    RESTRICT = "restrict"
    CASCADE = "cascade"
    SET_NULL = "set_null"


USER_ENTITY = "User"
"""The built-in entity a ``ref`` may point to; backed by the system users table."""

ADMIN_ROLE = "admin"
"""Implicit in every app; admins may do everything the definition allows anyone to do."""

MIB = 1024 * 1024
DEFAULT_MAX_FILE_SIZE = 10 * MIB
"""Largest upload of a ``file`` field without ``max_size``."""
MAX_FILE_SIZE = 100 * MIB
"""No ``max_size`` may exceed this: uploads pass through the web server's memory and disk."""

_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
FILE_TYPES: Mapping[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt", ".log"),
    "text/csv": (".csv",),
    f"{_OOXML}wordprocessingml.document": (".docx",),
    f"{_OOXML}spreadsheetml.sheet": (".xlsx",),
    f"{_OOXML}presentationml.presentation": (".pptx",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.ms-powerpoint": (".ppt",),
    f"{_ODF}text": (".odt",),
    f"{_ODF}spreadsheet": (".ods",),
    f"{_ODF}presentation": (".odp",),
}
"""The file types Apiary can recognise by their contents (MIME type -> extensions); a ``file``
field accepts these by default and its ``accept`` may only narrow them. Types whose contents
cannot be checked (HTML, SVG, scripts, executables) are never stored."""

SYSTEM_FIELDS: Mapping[str, Type] = {
    "id": Type.INT,
    "created_at": Type.DATETIME,
    "updated_at": Type.DATETIME,
    "created_by": Type.INT,
    "updated_by": Type.INT,
    "row_version": Type.INT,
}
"""Columns every entity table has; their names are reserved for fields."""


@dataclass(frozen=True, slots=True)
class CompiledExpr:
    """An expression parsed and type-checked once, with its Python evaluator ready to call."""

    source: str
    ast: Expr
    type: Type
    names: frozenset[str]
    uses_time: bool
    evaluate: Callable[..., Any] = field(compare=False, repr=False)
    sql_ok: bool = True


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: FieldType
    label: str
    description: str | None = None
    help: str | None = None
    """Shown under the input in forms."""
    required: bool = False
    unique: bool = False
    default: Any = None
    min: Any = None
    max: Any = None
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    indexed: bool = False
    classification: Classification = Classification.INTERNAL
    computed: CompiledExpr | None = None
    renamed_from: str | None = None
    values: tuple[str, ...] = ()
    """Allowed values of an enum (and of a workflow state field)."""
    ref: str | None = None
    """Target entity name of a ``ref`` or ``has_many`` field (``User`` for the built-in users)."""
    via: str | None = None
    """For ``has_many``: the ``ref`` field on the target entity that points back here."""
    on_delete: OnDelete = OnDelete.RESTRICT
    currency: str | None = None
    """For ``money``: the fixed ISO 4217 currency, or None when each value carries its own."""
    scale: int = 2
    """Decimal places kept for ``decimal`` and ``money``."""
    max_size: int | None = None
    """For ``file``: the largest upload in bytes (the compiler fills in the default)."""
    accept: tuple[str, ...] = ()
    """For ``file``: the MIME types an upload may have (extensions resolved by the compiler)."""
    read_roles: frozenset[str] | None = None
    """Roles that may see the field; None means every role that may read the record."""
    write_roles: frozenset[str] | None = None
    """Roles that may set the field; None means every role that may create/update the record."""
    is_state: bool = False
    """True for the workflow's state field, which only transitions may change."""

    @property
    def pii(self) -> bool:
        return self.classification is Classification.PII

    @property
    def stored(self) -> bool:
        """Whether the field has a column (``has_many`` is the reverse side of a ``ref``)."""
        return self.type is not FieldType.HAS_MANY

    @property
    def readonly(self) -> bool:
        return self.computed is not None or self.is_state


@dataclass(frozen=True, slots=True)
class Validation:
    rule: CompiledExpr
    message: str
    fields: tuple[str, ...] = ()
    """Fields to blame when the rule fails (for forms and problem+json); defaults to the fields
    the rule reads."""


@dataclass(frozen=True, slots=True)
class State:
    name: str
    label: str
    requires: tuple[str, ...] = ()
    """Fields that must be set before a record may enter this state."""
    final: bool = False


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    guard: CompiledExpr | None = None


@dataclass(frozen=True, slots=True)
class Workflow:
    field: str
    states: tuple[State, ...]
    initial: str
    transitions: Mapping[str, Transition]

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    def state(self, name: str) -> State:
        return next(s for s in self.states if s.name == name)


@dataclass(frozen=True, slots=True)
class Rule:
    """One role's permission for one operation: a constant or a row-level expression."""

    allow: bool
    condition: CompiledExpr | None = None
    """When set, the operation is allowed on the rows where it holds (``allow`` is then True)."""


DENY = Rule(allow=False)


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    label: str
    plural: str
    table: str
    """Physical table name, unique across all apps sharing a database."""
    display: str | None
    """Field used as the record's title; None shows ``<label> #<id>``."""
    fields: Mapping[str, Field]
    """Declared fields in document order, plus the workflow's state field."""
    validations: tuple[Validation, ...] = ()
    workflow: Workflow | None = None
    permissions: Mapping[str, Mapping[Operation, Rule]] = field(default_factory=dict)
    """role -> operation -> rule. Missing entries deny. ``admin`` is not listed: it may do
    everything."""
    renamed_from: str | None = None
    indexes: tuple[tuple[str, ...], ...] = ()
    """Non-unique indexes the definition implies (field names, in order), beyond unique fields."""
    description: str | None = None

    def rule(self, role: str, operation: Operation) -> Rule:
        if role == ADMIN_ROLE:
            return Rule(allow=True)
        return self.permissions.get(role, {}).get(operation, DENY)

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields.values() if f.stored)

    @property
    def computed_order(self) -> tuple[Field, ...]:
        """Computed fields in dependency order (the compiler rejects cycles)."""
        return tuple(f for f in self.fields.values() if f.computed is not None)


@dataclass(frozen=True, slots=True)
class Column:
    """A column shown in a list or board view."""

    field: str
    label: str


@dataclass(frozen=True, slots=True)
class Widget:
    title: str
    kind: str
    """count, sum, avg, min or max."""
    entity: str
    field: str | None = None
    group_by: str | None = None
    period: str | None = None
    """When grouping by a date/datetime field: day, week, month or year."""
    chart: str = "number"
    filter: CompiledExpr | None = None


@dataclass(frozen=True, slots=True)
class View:
    name: str
    type: str
    """list, detail, form, board or dashboard."""
    title: str
    entity: str | None = None
    columns: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    filter: CompiledExpr | None = None
    sort: tuple[str, ...] = ()
    """Field names, ``-`` prefixed for descending."""
    search: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    group_by: str | None = None
    widgets: tuple[Widget, ...] = ()
    roles: frozenset[str] | None = None
    """Roles that see the view in navigation; None means everyone who may read its entity."""


@dataclass(frozen=True, slots=True)
class CompiledApp:
    name: str
    title: str
    description: str | None
    owner: str | None
    version: str | None
    roles: Mapping[str, str]
    """Declared roles and their descriptions; ``admin`` is implicit and not listed."""
    entities: Mapping[str, Entity]
    views: Mapping[str, View]
    content_hash: str
    """sha256 of the canonical JSON of the document; recorded with every migration."""
    document: Mapping[str, Any] = field(compare=False, repr=False, default_factory=dict)
    """The document as loaded (plain data), kept for describe, export and diffs."""

    def entity(self, name: str) -> Entity:
        return self.entities[name]
