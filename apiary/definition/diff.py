"""What changed between two versions of a definition, in the definition's own terms.

A text diff of two YAML files shows moved lines and reflowed lists; a reviewer wants to know
that a field became required or that a role may now read every record. :func:`diff` compares two
documents (plain data, as loaded) after expanding the format's shorthands, so ``title: string``
and ``title: {type: string}`` are the same field and ``manager: read`` is the same grant as
``manager: {read: true}``. Each change is one :class:`Change`; ``to_text()`` prints one line per
change:

    + field Ticket.due_date (date)
    ~ field Ticket.priority: required false → true
    + transition reopen: closed → open (manager)
    ~ permission manager on Ticket: read own → all

The documents need not be valid: the diff is of what they say, so it can be shown for a draft
the validator still rejects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Op = Literal["+", "-", "~"]
OPERATIONS = ("read", "create", "update", "delete")
_OWN_RULE = re.compile(r"^\s*\(?\s*(created_by|[a-z_][a-z0-9_]*)\s*==\s*user\.id\s*\)?\s*$")

__all__ = ["Change", "DefinitionDiff", "diff"]


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: what kind of thing, where, and its value before and after."""

    op: Op
    kind: str
    """app, role, entity, field, validation, state, transition, workflow, permission, view."""
    path: str
    """Dotted path of the thing in the document, e.g. ``entities.Ticket.fields.due_date``."""
    text: str
    """The human line, without the leading sign."""
    before: Any = None
    after: Any = None

    def line(self) -> str:
        return f"{self.op} {self.text}"

    def to_data(self) -> dict[str, Any]:
        return {"op": self.op, "kind": self.kind, "path": self.path, "text": self.text,
                "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class DefinitionDiff:
    changes: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return not self.changes

    def to_text(self) -> str:
        """One line per change; "no changes" when there are none, so the output is never blank."""
        if not self.changes:
            return "no changes"
        return "\n".join(change.line() for change in self.changes)

    def to_data(self) -> list[dict[str, Any]]:
        return [change.to_data() for change in self.changes]


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> DefinitionDiff:
    """Compare two definition documents given as plain data (``before`` → ``after``)."""
    out: list[Change] = []
    _diff_app(_app(before), _app(after), out)
    _diff_roles(_roles(before.get("roles")), _roles(after.get("roles")), out)
    workflow_entities = {
        name for doc in (before, after) for name, entity in _mapping(doc.get("entities")).items()
        if isinstance(entity, Mapping) and entity.get("workflow")
    }
    _diff_entities(_mapping(before.get("entities")), _mapping(after.get("entities")),
                   len(workflow_entities) > 1, out)
    _diff_views(_mapping(before.get("views")), _mapping(after.get("views")), out)
    return DefinitionDiff(tuple(out))


# --- normalisation: every shorthand to its long form ------------------------------------------

def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _names(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _app(doc: Mapping[str, Any]) -> dict[str, Any]:
    app = doc.get("app")
    if isinstance(app, str):
        return {"name": app}
    return _mapping(app)


def _roles(value: Any) -> dict[str, dict[str, Any]]:
    if isinstance(value, (list, tuple)):
        return {str(name): {} for name in value}
    roles: dict[str, dict[str, Any]] = {}
    for name, spec in _mapping(value).items():
        if isinstance(spec, str):
            roles[name] = {"description": spec}
        else:
            roles[name] = _mapping(spec)
    return roles


def _field(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"type": value}
    spec = _mapping(value)
    if "pii" in spec and spec["pii"] is False:
        spec.pop("pii")
    if "access" in spec:
        access = {key: _names(roles) for key, roles in _mapping(spec["access"]).items()}
        spec["access"] = access
    return spec


def _states(value: Any) -> dict[str, dict[str, Any]]:
    states: dict[str, dict[str, Any]] = {}
    if isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, Mapping):
                spec = dict(item)
                states[str(spec.pop("name", ""))] = spec
            else:
                states[str(item)] = {}
        return states
    for name, spec in _mapping(value).items():
        states[name] = _mapping(spec)
    return states


def _transition(value: Any) -> dict[str, Any]:
    spec = _mapping(value)
    spec["from"] = _names(spec.get("from"))
    spec["roles"] = _names(spec.get("roles"))
    return spec


def _grant(value: Any) -> dict[str, Any]:
    """A role's permission entry as {operation: True | expression}; denied operations omitted."""
    if value is True:
        return dict.fromkeys(OPERATIONS, True)
    if value is False or value is None:
        return {}
    if isinstance(value, str):
        return {value: True}
    if isinstance(value, (list, tuple)):
        return {str(op): True for op in value}
    return {op: rule for op, rule in _mapping(value).items() if rule is not False}


# --- rendering -----------------------------------------------------------------------------

def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _rule(value: Any) -> str:
    """How much of the entity a grant covers: all, none, own (a ``x == user.id`` rule) or
    the rule itself."""
    if value is True:
        return "all"
    if value is None or value is False:
        return "none"
    text = str(value)
    return "own" if _OWN_RULE.match(text) else f'"{text}"'


def _options(before: Mapping[str, Any], after: Mapping[str, Any], prefix: str = "") -> list[
        tuple[str, Any, Any]]:
    """(dotted key, before, after) for every option that differs, nested mappings flattened."""
    found: list[tuple[str, Any, Any]] = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            found.extend(_options(old, new, f"{prefix}{key}."))
        elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and \
                all(isinstance(i, Mapping) for i in old + new):
            for index, (was, now) in enumerate(zip(old, new, strict=True)):
                found.extend(_options(was, now, f"{prefix}{key}[{index}]."))
        else:
            found.append((f"{prefix}{key}", old, new))
    return found


def _changed(old: Any, new: Any) -> str:
    return f"{_show(old)} → {_show(new)}"


# --- sections -------------------------------------------------------------------------------

def _diff_app(before: dict[str, Any], after: dict[str, Any], out: list[Change]) -> None:
    for key, old, new in _options(before, after):
        out.append(Change("~", "app", f"app.{key}", f"app {key}: {_changed(old, new)}", old, new))


def _diff_roles(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]],
                out: list[Change]) -> None:
    for name in before:
        if name not in after:
            out.append(Change("-", "role", f"roles.{name}", f"role {name}", before[name], None))
    for name, spec in after.items():
        path = f"roles.{name}"
        if name not in before:
            out.append(Change("+", "role", path, f"role {name}", None, spec))
            continue
        for key, old, new in _options(before[name], spec):
            out.append(Change("~", "role", path, f"role {name}: {key} {_changed(old, new)}",
                              old, new))


def _renames(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, str]:
    """new name → old name, for things renamed with ``renamed_from``."""
    renames: dict[str, str] = {}
    for name, spec in after.items():
        old = spec.get("renamed_from") if isinstance(spec, Mapping) else None
        if isinstance(old, str) and old in before and old not in after:
            renames[name] = old
    return renames


def _diff_entities(before: dict[str, Any], after: dict[str, Any], qualify: bool,
                   out: list[Change]) -> None:
    renames = _renames(before, after)
    renamed_old = set(renames.values())
    for name in before:
        if name not in after and name not in renamed_old:
            out.append(Change("-", "entity", f"entities.{name}", f"entity {name}",
                              before[name], None))
    for name, spec in after.items():
        path = f"entities.{name}"
        new = _mapping(spec)
        if name in renames:
            old_name = renames[name]
            out.append(Change("~", "entity", path, f"entity {old_name} renamed to {name}",
                              old_name, name))
            old = _mapping(before[old_name])
        elif name not in before:
            count = len(_mapping(new.get("fields")))
            plural = "" if count == 1 else "s"
            out.append(Change("+", "entity", path, f"entity {name} ({count} field{plural})",
                              None, spec))
            old = {}
        else:
            old = _mapping(before[name])
        _diff_entity(name, old, new, qualify, out)


def _diff_entity(name: str, before: dict[str, Any], after: dict[str, Any], qualify: bool,
                 out: list[Change]) -> None:
    path = f"entities.{name}"
    skip = {"fields", "workflow", "permissions", "validations", "renamed_from"}
    if before:
        plain_before = {k: v for k, v in before.items() if k not in skip}
        plain_after = {k: v for k, v in after.items() if k not in skip}
        for key, old, new in _options(plain_before, plain_after):
            out.append(Change("~", "entity", f"{path}.{key}",
                              f"entity {name}: {key} {_changed(old, new)}", old, new))
    _diff_fields(name, _mapping(before.get("fields")), _mapping(after.get("fields")), out)
    _diff_validations(name, before.get("validations"), after.get("validations"), out)
    _diff_workflow(name, _mapping(before.get("workflow")), _mapping(after.get("workflow")),
                   qualify, out)
    _diff_permissions(name, _mapping(before.get("permissions")),
                      _mapping(after.get("permissions")), out)


def _field_type(spec: Mapping[str, Any]) -> str:
    kind = str(spec.get("type", "?"))
    if kind in ("ref", "has_many") and spec.get("to"):
        return f"{kind} → {spec['to']}"
    if kind == "enum" and spec.get("values"):
        return f"enum: {', '.join(str(v) for v in _names(spec['values']))}"
    return kind


def _diff_fields(entity: str, before: dict[str, Any], after: dict[str, Any],
                 out: list[Change]) -> None:
    renames = _renames({k: _field(v) for k, v in before.items()},
                       {k: _field(v) for k, v in after.items()})
    renamed_old = set(renames.values())
    for name in before:
        if name not in after and name not in renamed_old:
            out.append(Change("-", "field", f"entities.{entity}.fields.{name}",
                              f"field {entity}.{name}", before[name], None))
    for name, raw in after.items():
        path = f"entities.{entity}.fields.{name}"
        spec = _field(raw)
        if name in renames:
            old_name = renames[name]
            out.append(Change("~", "field", path,
                              f"field {entity}.{old_name} renamed to {name}", old_name, name))
            old = _field(before[old_name])
        elif name not in before:
            extras = [key for key in ("required", "pii", "unique") if spec.get(key) is True]
            detail = _field_type(spec) + "".join(f", {key}" for key in extras)
            out.append(Change("+", "field", path, f"field {entity}.{name} ({detail})", None, raw))
            continue
        else:
            old = _field(before[name])
        old = {k: v for k, v in old.items() if k != "renamed_from"}
        spec = {k: v for k, v in spec.items() if k != "renamed_from"}
        for key, was, now in _options(old, spec):
            if key in ("required", "unique", "pii", "indexed") and was is None:
                was = False
            if key in ("required", "unique", "pii", "indexed") and now is None:
                now = False
            if was == now:
                continue
            out.append(Change("~", "field", f"{path}.{key}",
                              f"field {entity}.{name}: {key} {_changed(was, now)}", was, now))


def _diff_validations(entity: str, before: Any, after: Any, out: list[Change]) -> None:
    def rules(value: Any) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for item in _names(value):
            if isinstance(item, Mapping):
                found[str(item.get("rule"))] = dict(item)
        return found

    old, new = rules(before), rules(after)
    path = f"entities.{entity}.validations"
    for rule in old:
        if rule not in new:
            out.append(Change("-", "validation", path, f'validation on {entity}: "{rule}"',
                              old[rule], None))
    for rule, spec in new.items():
        if rule not in old:
            out.append(Change("+", "validation", path, f'validation on {entity}: "{rule}"',
                              None, spec))
        elif spec != old[rule]:
            for key, was, now in _options(old[rule], spec):
                out.append(Change("~", "validation", path,
                                  f'validation on {entity} "{rule}": {key} {_changed(was, now)}',
                                  was, now))


def _transition_text(name: str, spec: Mapping[str, Any]) -> str:
    sources = ", ".join(str(s) for s in spec["from"]) or "?"
    roles = ", ".join(str(r) for r in spec["roles"]) or "admin"
    text = f"{name}: {sources} → {spec.get('to')} ({roles})"
    if spec.get("guard"):
        text += f' if "{spec["guard"]}"'
    return text


def _diff_workflow(entity: str, before: dict[str, Any], after: dict[str, Any], qualify: bool,
                   out: list[Change]) -> None:
    path = f"entities.{entity}.workflow"
    if not before and not after:
        return
    if not after:
        out.append(Change("-", "workflow", path, f"workflow on {entity}", before, None))
        return
    for key in ("field", "initial"):
        if before and before.get(key) != after.get(key):
            out.append(Change("~", "workflow", f"{path}.{key}", f"workflow on {entity}: {key} "
                              f"{_changed(before.get(key), after.get(key))}",
                              before.get(key), after.get(key)))
    old_states, new_states = _states(before.get("states")), _states(after.get("states"))
    for state in old_states:
        if state not in new_states:
            out.append(Change("-", "state", f"{path}.states.{state}", f"state {entity}.{state}",
                              old_states[state], None))
    for state, spec in new_states.items():
        spath = f"{path}.states.{state}"
        if state not in old_states:
            out.append(Change("+", "state", spath, f"state {entity}.{state}", None, spec))
            continue
        for key, was, now in _options(old_states[state], spec):
            out.append(Change("~", "state", f"{spath}.{key}",
                              f"state {entity}.{state}: {key} {_changed(was, now)}", was, now))
    if [s for s in old_states if s in new_states] != [s for s in new_states if s in old_states]:
        out.append(Change("~", "workflow", f"{path}.states",
                          f"workflow on {entity}: states reordered "
                          f"{_changed(list(old_states), list(new_states))}",
                          list(old_states), list(new_states)))
    old_moves = {k: _transition(v) for k, v in _mapping(before.get("transitions")).items()}
    new_moves = {k: _transition(v) for k, v in _mapping(after.get("transitions")).items()}

    def label(name: str) -> str:
        return f"{entity}.{name}" if qualify else name

    for name in old_moves:
        if name not in new_moves:
            out.append(Change("-", "transition", f"{path}.transitions.{name}",
                              f"transition {_transition_text(label(name), old_moves[name])}",
                              old_moves[name], None))
    for name, spec in new_moves.items():
        tpath = f"{path}.transitions.{name}"
        if name not in old_moves:
            out.append(Change("+", "transition", tpath,
                              f"transition {_transition_text(label(name), spec)}", None, spec))
            continue
        for key, was, now in _options(old_moves[name], spec):
            out.append(Change("~", "transition", f"{tpath}.{key}",
                              f"transition {label(name)}: {key} {_changed(was, now)}", was, now))


def _diff_permissions(entity: str, before: dict[str, Any], after: dict[str, Any],
                      out: list[Change]) -> None:
    for role in list(before) + [r for r in after if r not in before]:
        old, new = _grant(before.get(role)), _grant(after.get(role))
        path = f"entities.{entity}.permissions.{role}"
        if old == new:
            continue
        if not old or not new:
            grants = new or old
            summary = ", ".join(f"{op} {_rule(grants[op])}" for op in OPERATIONS if op in grants)
            op: Op = "+" if not old else "-"
            out.append(Change(op, "permission", path,
                              f"permission {role} on {entity}: {summary}", old or None,
                              new or None))
            continue
        for operation in OPERATIONS:
            if old.get(operation) != new.get(operation):
                was, now = old.get(operation), new.get(operation)
                out.append(Change("~", "permission", f"{path}.{operation}",
                                  f"permission {role} on {entity}: {operation} "
                                  f"{_rule(was)} → {_rule(now)}", was, now))


def _diff_views(before: dict[str, Any], after: dict[str, Any], out: list[Change]) -> None:
    for name in before:
        if name not in after:
            out.append(Change("-", "view", f"views.{name}", f"view {name}", before[name], None))
    for name, spec in after.items():
        path = f"views.{name}"
        new = _mapping(spec)
        if name not in before:
            where = f" of {new['entity']}" if new.get("entity") else ""
            out.append(Change("+", "view", path, f"view {name} ({new.get('type')}{where})",
                              None, spec))
            continue
        for key, was, now in _options(_mapping(before[name]), new):
            out.append(Change("~", "view", f"{path}.{key}",
                              f"view {name}: {key} {_changed(was, now)}", was, now))
