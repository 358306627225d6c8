"""What a generated app contains, in the terms the scorer compares.

The core comes from ``apiary describe --json`` (entities, fields and their types, workflow
states, roles), the stable summary meant for tools. Three facts that summary leaves out --
where each ``ref`` points, which fields are protected, and who may delete -- are read from the
compiled definition (:func:`details_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from apiary.definition import CompiledApp
from apiary.definition.compiled import Classification, FieldType, Operation
from apiary.errors import ApiaryError

ADMIN = "admin"
USER = "User"

# Apiary field type -> the type family a case names.
FAMILIES: Mapping[str, str] = {
    "string": "text", "text": "text", "integer": "number", "decimal": "number",
    "money": "money", "date": "date", "datetime": "datetime", "boolean": "boolean",
    "enum": "enum", "ref": "ref", "email": "email", "phone": "phone", "file": "file",
    "url": "url", "json": "json", "has_many": "has_many",
}


class DescribeShapeError(ApiaryError):
    """``apiary describe --json`` printed something that is not the documented summary."""


@dataclass(frozen=True, slots=True)
class Details:
    """The facts ``describe --json`` does not carry."""

    refs: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(entity, field) -> target entity, for every ``ref`` and ``has_many`` field."""
    protected: frozenset[tuple[str, str]] = frozenset()
    """(entity, field) marked pii or confidential, or readable only by some roles."""
    deletes: frozenset[tuple[str, str]] = frozenset()
    """(role, entity) for every role other than admin that may delete some records."""


@dataclass(frozen=True, slots=True)
class Generated:
    entities: Mapping[str, Mapping[str, str]]
    """entity -> field -> Apiary type (``string``, ``money``, ``ref``...)."""
    workflows: Mapping[str, tuple[str, ...]]
    """entity -> its workflow's states, in order."""
    roles: tuple[str, ...]
    details: Details = Details()

    def relations(self) -> set[tuple[str, str]]:
        """(entity, target) for each ref between two of the app's entities, has_many reversed."""
        found: set[tuple[str, str]] = set()
        for (entity, name), target in self.details.refs.items():
            kind = self.entities.get(entity, {}).get(name)
            if target == USER or target not in self.entities:
                continue
            found.add((target, entity) if kind == "has_many" else (entity, target))
        return found


def from_describe(summary: Any, details: Details | None = None) -> Generated:
    """Read the summary printed by ``apiary describe --json``.

    A field may be given as its type (``"money"``) or as a mapping with ``type`` and ``to``,
    so that a richer summary later still reads, and adds the ref targets it carries.
    """
    if not isinstance(summary, Mapping) or not isinstance(summary.get("entities"), Mapping):
        raise DescribeShapeError("the summary has no `entities` mapping")
    entities: dict[str, dict[str, str]] = {}
    workflows: dict[str, tuple[str, ...]] = {}
    refs = dict(details.refs) if details else {}
    for name, entity in summary["entities"].items():
        if not isinstance(entity, Mapping) or not isinstance(entity.get("fields"), Mapping):
            raise DescribeShapeError(f"entity `{name}` has no `fields` mapping")
        fields: dict[str, str] = {}
        for fname, spec in entity["fields"].items():
            if isinstance(spec, Mapping):
                fields[fname] = str(spec.get("type"))
                if isinstance(spec.get("to"), str):
                    refs.setdefault((name, fname), spec["to"])
            else:
                fields[fname] = str(spec)
        entities[name] = fields
        workflow = entity.get("workflow")
        if isinstance(workflow, Mapping) and isinstance(workflow.get("states"), list):
            workflows[name] = tuple(str(s) for s in workflow["states"])
    roles = summary.get("roles", [])
    if not isinstance(roles, list):
        raise DescribeShapeError("`roles` is not a list")
    base = details or Details()
    return Generated(
        entities=entities,
        workflows=workflows,
        roles=tuple(str(r) for r in roles if r != ADMIN),
        details=Details(refs=refs, protected=base.protected, deletes=base.deletes),
    )


def details_of(app: CompiledApp) -> Details:
    refs: dict[tuple[str, str], str] = {}
    protected: set[tuple[str, str]] = set()
    deletes: set[tuple[str, str]] = set()
    for entity in app.entities.values():
        for f in entity.fields.values():
            if f.type in (FieldType.REF, FieldType.HAS_MANY) and f.ref:
                refs[(entity.name, f.name)] = f.ref
            if (f.classification in (Classification.PII, Classification.CONFIDENTIAL)
                    or f.read_roles is not None):
                protected.add((entity.name, f.name))
        for role in app.roles:
            if role != ADMIN and entity.rule(role, Operation.DELETE).allow:
                deletes.add((role, entity.name))
    return Details(refs=refs, protected=frozenset(protected), deletes=frozenset(deletes))
