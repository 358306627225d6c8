"""The evaluation cases: a prompt and the structure an analyst would expect from it.

Each case is one YAML file under ``cases/tuning/`` or ``cases/heldout/`` (see README.md for the
format). Loading checks every file strictly, because a typo in an expectation would silently
make the generator look better or worse than it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from apiary.errors import ApiaryError

CASES_DIR = Path(__file__).parent / "cases"
SETS = ("tuning", "heldout")

TYPE_FAMILIES = frozenset({"text", "number", "money", "date", "datetime", "boolean", "enum",
                           "ref", "email", "phone", "file", "url"})


class CaseError(ApiaryError):
    """A case file is malformed; the message names the file and the key to fix."""


@dataclass(frozen=True, slots=True)
class Expected:
    """One thing the generated app should have: an entity, a field, a state or a role.

    ``optional`` things are fair for a generator to add (they count as correct when present)
    but not required (their absence costs nothing).
    """

    name: str
    synonyms: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True, slots=True)
class ExpectedField(Expected):
    types: tuple[str, ...] = ("text",)
    """Acceptable type families, the first being the one an analyst would pick."""


@dataclass(frozen=True, slots=True)
class ExpectedEntity(Expected):
    fields: tuple[ExpectedField, ...] = ()


@dataclass(frozen=True, slots=True)
class ExpectedRelation:
    """A ``ref`` between two entities, in either direction."""

    source: str
    target: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    set: str
    prompt: str
    industry: str
    difficulty: str
    entities: tuple[ExpectedEntity, ...]
    relations: tuple[ExpectedRelation, ...]
    workflow_entity: str
    states: tuple[Expected, ...]
    roles: tuple[Expected, ...]
    delete_allowed: tuple[str, ...] = ()
    """Roles the prompt explicitly lets delete records."""


def load_sets(which: str) -> list[Case]:
    """The cases of ``tuning``, ``heldout`` or ``all``, sorted by name within each set."""
    if which not in (*SETS, "all"):
        raise CaseError(f"unknown case set `{which}`: use tuning, heldout or all")
    names = SETS if which == "all" else (which,)
    cases = [load_case(path, name)
             for name in names for path in sorted((CASES_DIR / name).glob("*.yaml"))]
    seen: set[str] = set()
    for case in cases:
        if case.name in seen:
            raise CaseError(f"two cases are named `{case.name}`; rename one")
        seen.add(case.name)
    return cases


def load_case(path: Path, set_name: str) -> Case:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"{path}: cannot read the case: {exc}") from exc
    return parse_case(data, set_name, str(path))


def parse_case(data: Any, set_name: str, where: str = "<case>") -> Case:
    doc = _mapping(data, where)
    _only(doc, {"name", "industry", "difficulty", "prompt", "entities", "relations", "workflow",
                "roles", "delete_allowed"}, where)
    entities = tuple(_entity(name, spec, f"{where}: entities.{name}")
                     for name, spec in _mapping(doc.get("entities"), f"{where}: entities").items())
    if not any(not e.optional for e in entities):
        raise CaseError(f"{where}: entities: list at least one entity that is not optional")
    known = {e.name for e in entities}
    relations = tuple(_relation(r, known, f"{where}: relations[{i}]")
                      for i, r in enumerate(_list(doc.get("relations", []), f"{where}: relations")))
    workflow = _mapping(doc.get("workflow"), f"{where}: workflow")
    _only(workflow, {"entity", "states"}, f"{where}: workflow")
    workflow_entity = _text(workflow.get("entity"), f"{where}: workflow.entity")
    if workflow_entity not in known:
        raise CaseError(f"{where}: workflow.entity `{workflow_entity}` is not one of the entities")
    states = _items(workflow.get("states"), f"{where}: workflow.states")
    roles = _items(doc.get("roles"), f"{where}: roles")
    delete_allowed = _names(doc.get("delete_allowed", []), f"{where}: delete_allowed")
    for role in delete_allowed:
        if role not in {r.name for r in roles}:
            raise CaseError(f"{where}: delete_allowed: `{role}` is not one of the roles")
    return Case(
        name=_text(doc.get("name"), f"{where}: name"),
        set=set_name,
        prompt=_text(doc.get("prompt"), f"{where}: prompt").strip(),
        industry=_text(doc.get("industry"), f"{where}: industry"),
        difficulty=_text(doc.get("difficulty"), f"{where}: difficulty"),
        entities=entities,
        relations=relations,
        workflow_entity=workflow_entity,
        states=states,
        roles=roles,
        delete_allowed=tuple(delete_allowed),
    )


def _entity(name: str, spec: Any, where: str) -> ExpectedEntity:
    spec = _mapping(spec if spec is not None else {}, where)
    _only(spec, {"synonyms", "optional", "fields"}, where)
    fields = tuple(_field(fname, fspec, f"{where}.fields.{fname}")
                   for fname, fspec in _mapping(spec.get("fields", {}), where).items())
    if not spec.get("optional") and not any(not f.optional for f in fields):
        raise CaseError(f"{where}: mark at least one field `key: true`")
    return ExpectedEntity(name=name, synonyms=tuple(_names(spec.get("synonyms", []), where)),
                          optional=_flag(spec.get("optional", False), where), fields=fields)


def _field(name: str, spec: Any, where: str) -> ExpectedField:
    if isinstance(spec, str):
        spec = {"type": spec}
    spec = _mapping(spec, where)
    _only(spec, {"type", "key", "synonyms"}, where)
    raw = spec.get("type")
    types = tuple(_names(raw if isinstance(raw, list) else [raw], f"{where}.type"))
    unknown = [t for t in types if t not in TYPE_FAMILIES]
    if not types or unknown:
        raise CaseError(f"{where}.type: use one or more of {', '.join(sorted(TYPE_FAMILIES))}")
    return ExpectedField(name=name, synonyms=tuple(_names(spec.get("synonyms", []), where)),
                         optional=not _flag(spec.get("key", False), where), types=types)


def _relation(spec: Any, known: set[str], where: str) -> ExpectedRelation:
    if isinstance(spec, list):
        if len(spec) != 2:
            raise CaseError(f"{where}: write a relation as [FromEntity, ToEntity]")
        spec = {"from": spec[0], "to": spec[1]}
    spec = _mapping(spec, where)
    _only(spec, {"from", "to", "optional"}, where)
    source, target = _text(spec.get("from"), where), _text(spec.get("to"), where)
    for end in (source, target):
        if end not in known:
            raise CaseError(f"{where}: `{end}` is not one of the case's entities")
    return ExpectedRelation(source, target, _flag(spec.get("optional", False), where))


def _items(spec: Any, where: str) -> tuple[Expected, ...]:
    """``name: [synonyms]``, ``name: {synonyms, optional}`` or a plain list of names."""
    if isinstance(spec, list):
        spec = {name: [] for name in _names(spec, where)}
    items = []
    for name, value in _mapping(spec, where).items():
        if value is None or isinstance(value, list):
            items.append(Expected(name, tuple(_names(value or [], f"{where}.{name}"))))
            continue
        value = _mapping(value, f"{where}.{name}")
        _only(value, {"synonyms", "optional"}, f"{where}.{name}")
        items.append(Expected(name, tuple(_names(value.get("synonyms", []), f"{where}.{name}")),
                              _flag(value.get("optional", False), f"{where}.{name}")))
    return tuple(items)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise CaseError(f"{where}: expected a mapping with names as keys")
    return value


def _list(value: Any, where: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise CaseError(f"{where}: expected a list")
    return value


def _names(value: Any, where: str) -> list[str]:
    items = _list(value, where)
    if not all(isinstance(v, str) and v for v in items):
        raise CaseError(f"{where}: expected a list of names")
    return list(items)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CaseError(f"{where}: expected a non-empty text")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise CaseError(f"{where}: expected true or false")
    return value


def _only(spec: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise CaseError(f"{where}: unknown key `{unknown[0]}`; allowed: "
                        + ", ".join(sorted(allowed)))
