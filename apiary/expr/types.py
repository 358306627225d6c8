"""Static types of expressions, and the scope that says which names an expression may use.

The definition compiler builds a :class:`Scope` from an entity's fields (including the system
fields it passes in) and hands it to ``check``/``compile_*``. Types are small frozen values so they
can be compared, hashed and shared freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import ClassVar


class Kind(Enum):
    """The families of values; a :class:`Type` adds list elements and enum values."""

    BOOL = "bool"
    INT = "int"
    DECIMAL = "decimal"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    NULL = "null"
    JSON = "json"
    LIST = "list"
    USER = "user"


@dataclass(frozen=True, slots=True)
class Type:
    """The static type of an expression or field.

    Use the constants (``Type.INT``...), ``Type.list_of(element)`` and ``Type.enum(values)``.
    A STRING type may carry ``enum_values``: comparing it with a string literal outside that set
    is reported as APY-E305.
    """

    kind: Kind
    element: Type | None = None
    enum_values: tuple[str, ...] | None = None

    BOOL: ClassVar[Type]
    INT: ClassVar[Type]
    DECIMAL: ClassVar[Type]
    STRING: ClassVar[Type]
    DATE: ClassVar[Type]
    DATETIME: ClassVar[Type]
    NULL: ClassVar[Type]
    JSON: ClassVar[Type]
    USER: ClassVar[Type]

    @staticmethod
    def list_of(element: Type) -> Type:
        """A list whose elements have type ``element``."""
        return Type(Kind.LIST, element=element)

    @staticmethod
    def enum(values: tuple[str, ...] | list[str]) -> Type:
        """A STRING limited to ``values`` (the choices of a select field)."""
        return Type(Kind.STRING, enum_values=tuple(values))

    @property
    def is_numeric(self) -> bool:
        return self.kind in (Kind.INT, Kind.DECIMAL)

    def __str__(self) -> str:
        if self.kind is Kind.LIST:
            return f"list of {self.element}"
        return str(self.kind.value)


Type.BOOL = Type(Kind.BOOL)
Type.INT = Type(Kind.INT)
Type.DECIMAL = Type(Kind.DECIMAL)
Type.STRING = Type(Kind.STRING)
Type.DATE = Type(Kind.DATE)
Type.DATETIME = Type(Kind.DATETIME)
Type.NULL = Type(Kind.NULL)
Type.JSON = Type(Kind.JSON)
Type.USER = Type(Kind.USER)

USER_MEMBERS: Mapping[str, Type] = MappingProxyType({
    "id": Type.INT,
    "email": Type.STRING,
    "roles": Type.list_of(Type.STRING),
})
"""What ``user.<name>`` may name, and the type of each."""

TIME_NAMES: Mapping[str, Type] = MappingProxyType({"now": Type.DATETIME, "today": Type.DATE})


def unify(a: Type, b: Type) -> Type | None:
    """The common type of two values that may meet (``==``, ``?:`` branches, list items).

    INT and DECIMAL meet as DECIMAL (a documented deviation from strict CEL), null meets anything,
    enum strings meet as plain strings unless they are the same enum. None means they cannot meet.
    """
    if a == b:
        return a
    if a.kind is Kind.NULL:
        return b
    if b.kind is Kind.NULL:
        return a
    if a.is_numeric and b.is_numeric:
        return Type.DECIMAL
    if a.kind is b.kind is Kind.STRING:
        return Type.STRING
    if a.kind is b.kind is Kind.LIST:
        assert a.element is not None and b.element is not None
        element = unify(a.element, b.element)
        return None if element is None else Type.list_of(element)
    return None


@dataclass(frozen=True)
class Scope:
    """The names an expression may use.

    ``fields`` maps each record field name (including the system fields ``id``, ``created_at``,
    ``updated_at``, ``created_by``, ``updated_by`` that the caller passes in) to its type.
    ``allow_user`` permits ``user.id``/``user.email``/``user.roles``; ``allow_time`` permits
    ``now``/``today`` (turn it off where a value must not change by itself, e.g. stored
    computed fields). The names ``user``, ``now`` and ``today`` always mean the built-ins.
    """

    fields: Mapping[str, Type] = field(default_factory=dict)
    allow_user: bool = True
    allow_time: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
