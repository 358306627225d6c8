"""Offline refine: a fixed set of common edits, applied to the definition's plain data.

The document is never regenerated: each edit changes exactly the keys it is about, on a copy,
so everything the instruction does not mention stays as it was (same keys, same order, same
shorthands). Several edits may be given at once, separated by ``;`` or new lines. An instruction
that is none of the forms in :data:`UNDERSTOOD` is refused with that list: free text is for the
model providers.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from apiary.generation.offline.extract import RESERVED
from apiary.generation.offline.generate import OfflineGenerationError
from apiary.generation.offline.lexicon import (
    VERBS,
    field_spec,
    plural,
    singular,
    snake,
    transition_to,
)
from apiary.generation.offline.render import slug

UNDERSTOOD = (
    "make FIELD required / make FIELD optional (on ENTITY)",
    "add a FIELD to ENTITY (type from the name: due date → date, budget → money...)",
    "add FIELD with VALUE, VALUE and VALUE to ENTITY (an enum)",
    "remove field FIELD from ENTITY",
    "rename FIELD to NEW (on ENTITY) / rename ENTITY to NEW (data kept with renamed_from)",
    "add a state STATE after STATE (on ENTITY)",
    "let ROLE reopen closed ENTITY / let ROLE approve ENTITY (a transition; the role is created "
    "if needed)",
    "let ROLE read / see / edit / create ENTITY",
    "add a NAME entity linked to ENTITY",
)

Edit = Callable[[dict[str, Any], "re.Match[str]", list[str]], None]


def refine(document: Mapping[str, Any], instruction: str) -> tuple[
        dict[str, Any], list[str], list[str]]:
    """The changed document, what was done (as assumptions), and warnings."""
    doc = copy.deepcopy(dict(document))
    done: list[str] = []
    parts = [p.strip(" .") for p in re.split(r"[;\n]+", instruction) if p.strip(" .")]
    if not parts:
        raise _not_understood("The instruction is empty.")
    if not isinstance(doc.get("entities"), Mapping):
        raise OfflineGenerationError("The definition has no entities to change.")
    for part in parts:
        text = " ".join(part.lower().split())
        for pattern, edit in EDITS:
            match = pattern.fullmatch(text)
            if match:
                edit(doc, match, done)
                break
        else:
            raise _not_understood(f"The offline provider does not understand “{part}”.")
    return doc, done, []


def _not_understood(first: str) -> OfflineGenerationError:
    forms = "\n".join(f"  - {form}" for form in UNDERSTOOD)
    return OfflineGenerationError(
        f"{first} Offline, these edits are understood:\n{forms}\n"
        "Use a model provider (--provider) for anything else.")


# --- finding things in the document ---------------------------------------------------------

def _norm(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text).lower())
    return " ".join(singular(w) for w in words)


def _entity(doc: dict[str, Any], phrase: str) -> str:
    entities = doc["entities"]
    wanted = _norm(re.sub(r"^(?:the|a|an|all|every|each)\s+", "", phrase.strip()))
    for name, spec in entities.items():
        label = spec.get("label", "") if isinstance(spec, Mapping) else ""
        if wanted in (_norm(name), _norm(str(label))):
            return str(name)
    endings = [n for n in entities if _norm(n).split()[-1] == wanted.split()[-1]] if wanted \
        else []
    if len(endings) == 1:
        return str(endings[0])
    raise OfflineGenerationError(
        f"No entity called “{phrase}”. The entities are: {', '.join(entities)}.")


def _fields(doc: dict[str, Any], entity: str) -> dict[str, Any]:
    spec = doc["entities"][entity]
    if not isinstance(spec.get("fields"), dict):
        raise OfflineGenerationError(f"{entity} has no fields mapping to change.")
    fields: dict[str, Any] = spec["fields"]
    return fields


def _field_entity(doc: dict[str, Any], field: str, where: str | None) -> str:
    if where:
        entity = _entity(doc, where)
        if field not in _fields(doc, entity):
            raise OfflineGenerationError(
                f"{entity} has no field `{field}`. Its fields are: "
                f"{', '.join(_fields(doc, entity))}.")
        return entity
    owners = [n for n, e in doc["entities"].items()
              if isinstance(e, Mapping) and field in (e.get("fields") or {})]
    if len(owners) == 1:
        return str(owners[0])
    if not owners:
        raise OfflineGenerationError(f"No entity has a field `{field}`.")
    raise OfflineGenerationError(
        f"`{field}` is a field of {', '.join(owners)}; say which, e.g. "
        f"“make {field} required on {owners[0]}”.")


def _check_name(doc: dict[str, Any], entity: str, name: str) -> None:
    """Refuse a new field name the format reserves (`id`, `state`...) or the workflow owns."""
    workflow = doc["entities"][entity].get("workflow") or {}
    if name in RESERVED or name == workflow.get("field", "state" if workflow else None):
        raise OfflineGenerationError(f"`{name}` is reserved (a system field, a word of the "
                                     "expression language or the workflow's state); choose "
                                     "another name.")


def _long(spec: Any) -> dict[str, Any]:
    return {"type": spec} if isinstance(spec, str) else dict(spec)


def _role_names(doc: dict[str, Any]) -> list[str]:
    roles = doc.get("roles")
    if isinstance(roles, list):
        return [str(r) for r in roles]
    if isinstance(roles, Mapping):
        return [str(r) for r in roles]
    return []


def _ensure_role(doc: dict[str, Any], phrase: str, done: list[str]) -> str:
    name = snake(singular(phrase.strip().split()[-1])) if len(phrase.split()) == 1 else \
        snake(" ".join([*phrase.split()[:-1], singular(phrase.split()[-1])]))
    name = re.sub(r"^(the|a|an|all)_", "", name)
    if name == "admin":
        raise OfflineGenerationError("`admin` may already do everything; name another role.")
    if name in _role_names(doc):
        return name
    roles = doc.get("roles")
    if isinstance(roles, list):
        roles.append(name)
    elif isinstance(roles, dict):
        roles[name] = f"{name.replace('_', ' ').capitalize()}."
    else:
        doc["roles"] = [name]
    done.append(f"Added the role `{name}`.")
    return name


# --- the edits ------------------------------------------------------------------------------

FIELD = r"(?:the\s+)?(?:field\s+)?[`'\"]?([a-z][a-z0-9_ ]*?)[`'\"]?(?:\s+field)?"
ON = r"(?:\s+(?:on|of|in|for)\s+(?:the\s+)?([a-z][a-z0-9 ]*?))?"


def _required(doc: dict[str, Any], match: re.Match[str], done: list[str]) -> None:
    field, where, mode = snake(match.group(1)), match.group(2), match.group(3)
    entity = _field_entity(doc, field, where)
    fields = _fields(doc, entity)
    spec = _long(fields[field])
    if spec.get("type") == "has_many" or spec.get("computed"):
        raise OfflineGenerationError(f"{entity}.{field} is not stored; it cannot be required.")
    if mode in ("required", "mandatory"):
        spec["required"] = True
        if spec.get("on_delete") == "set_null":
            spec["on_delete"] = "restrict"
        done.append(f"{entity}.{field} is now required; existing records without a value "
                    "need one (a default) before the migration can apply.")
    else:
        spec.pop("required", None)
        done.append(f"{entity}.{field} is now optional.")
    fields[field] = spec


def _add_field(doc: dict[str, Any], match: re.Match[str], done: list[str]) -> None:
    phrase, values, where = match.group(1), match.group(2), match.group(3)
    entity = _entity(doc, where)
    fields = _fields(doc, entity)
    name = snake(re.sub(r"^(?:a|an|the|new)\s+", "", phrase))
    _check_name(doc, entity, name)
    if name in fields:
        raise OfflineGenerationError(f"{entity} already has a field `{name}`.")
    spec = field_spec(name)
    if values:
        items = [snake(v) for v in re.split(r",\s*|\s+and\s+|\s+or\s+|/", values) if v.strip()]
        if len(items) < 2 or len(set(items)) != len(items):
            raise OfflineGenerationError("Give at least two different values for the list.")
        spec = {"type": "enum", "values": items}
    target = [n for n in doc["entities"] if _norm(n) == _norm(phrase)]
    if target and target[0] != entity:
        spec = {"type": "ref", "to": target[0]}
    if spec.get("pii"):
        # no role manages every record: only admins see the personal data
        spec["access"] = {"read": _readers(doc, entity)}
    fields[name] = spec
    readers = ", ".join(spec["access"]["read"]) or "admins" if spec.get("access") else ""
    done.append(f"Added {entity}.{name} as {spec['type']}"
                + (f" ({', '.join(spec['values'])})" if spec["type"] == "enum" else "")
                + (f", personal data readable only by {readers}" if readers else "") + ".")


def _readers(doc: dict[str, Any], entity: str) -> list[str]:
    """Roles that may read every record of the entity: those trusted with its personal data."""
    grants = doc["entities"][entity].get("permissions") or {}
    found = []
    for role, grant in grants.items():
        whole = grant is True or (isinstance(grant, list) and "read" in grant
                                  and "update" in grant)
        if whole or (isinstance(grant, Mapping) and grant.get("read") is True
                     and grant.get("update")):
            found.append(role)
    return found


def _references(doc: dict[str, Any], entity: str, field: str) -> list[str]:
    """Where expressions of the entity mention the field (they must change with it)."""
    spec = doc["entities"][entity]
    word = re.compile(rf"\b{re.escape(field)}\b")
    found = []
    for index, rule in enumerate(spec.get("validations") or []):
        if isinstance(rule, Mapping) and word.search(str(rule.get("rule", ""))):
            found.append(f"validations[{index}]")
    for role, grant in (spec.get("permissions") or {}).items():
        if isinstance(grant, Mapping):
            for op, rule in grant.items():
                if isinstance(rule, str) and word.search(rule):
                    found.append(f"permissions.{role}.{op}")
    workflow = spec.get("workflow") or {}
    for name, move in (workflow.get("transitions") or {}).items():
        if isinstance(move, Mapping) and word.search(str(move.get("guard", ""))):
            found.append(f"workflow.transitions.{name}.guard")
    for name, other in (spec.get("fields") or {}).items():
        if isinstance(other, Mapping) and name != field and word.search(
                str(other.get("computed", ""))):
            found.append(f"fields.{name}.computed")
    return found


def _view_lists(doc: dict[str, Any], entity: str) -> list[list[Any]]:
    lists = []
    for view in (doc.get("views") or {}).values():
        if isinstance(view, Mapping) and view.get("entity") == entity:
            for key in ("columns", "fields", "search", "filters", "sort"):
                if isinstance(view.get(key), list):
                    lists.append(view[key])
    return lists


def _remove_field(doc: dict[str, Any], match: re.Match[str], done: list[str]) -> None:
    field, where = snake(match.group(1)), match.group(2)
    entity = _field_entity(doc, field, where)
    used = _references(doc, entity, field)
    spec = _long(_fields(doc, entity)[field])
    if spec.get("type") == "ref":
        for other, body in doc["entities"].items():
            for name, many in ((body or {}).get("fields") or {}).items():
                if isinstance(many, Mapping) and many.get("type") == "has_many" and \
                        many.get("to") == entity and many.get("via", field) == field:
                    used.append(f"{other}.{name} (a list that follows it)")
    if used:
        raise OfflineGenerationError(
            f"{entity}.{field} is used by {', '.join(used)}; change those first.")
    word = re.compile(rf"\b{re.escape(field)}\b")
    for name, view in (doc.get("views") or {}).items():
        if isinstance(view, Mapping) and view.get("entity") == entity and \
                word.search(str(view.get("filter", ""))):
            used.append(f"views.{name}.filter")
        for widget in (view.get("widgets") or []) if isinstance(view, Mapping) else []:
            if isinstance(widget, Mapping) and widget.get("entity") == entity and \
                    word.search(str(widget.get("filter", ""))):
                used.append(f"views.{name}.widgets")
    if used:
        raise OfflineGenerationError(
            f"{entity}.{field} is used by {', '.join(used)}; change those first.")
    del _fields(doc, entity)[field]
    if doc["entities"][entity].get("display") == field:
        del doc["entities"][entity]["display"]
    for items in _view_lists(doc, entity):
        items[:] = [i for i in items if str(i).lstrip("-") != field]
    for view in (doc.get("views") or {}).values():
        if not isinstance(view, dict):
            continue
        if view.get("entity") == entity and view.get("group_by") == field:
            del view["group_by"]
        for widget in list(view.get("widgets") or []):
            if widget.get("entity") == entity and field in (widget.get("field"),
                                                             widget.get("group_by")):
                view["widgets"] = [w for w in view["widgets"] if w is not widget]
    states = (doc["entities"][entity].get("workflow") or {}).get("states")
    for state in (states.values() if isinstance(states, Mapping) else states or []):
        if isinstance(state, dict) and isinstance(state.get("requires"), list):
            state["requires"] = [f for f in state["requires"] if f != field]
            if not state["requires"]:
                del state["requires"]
    done.append(f"Removed {entity}.{field}: the column and its data are dropped when the "
                "migration runs (it asks for --allow-destructive and archives the data first).")


def _rename(doc: dict[str, Any], match: re.Match[str], done: list[str]) -> None:
    old, new, where = match.group(1).strip(), match.group(2).strip(), match.group(3)
    entities = doc["entities"]
    as_entity = [n for n in entities if _norm(n) == _norm(old)]
    if as_entity and not where:
        _rename_entity(doc, as_entity[0], "".join(w.capitalize() for w in
                                                  re.findall(r"[a-z0-9]+", new)) or new, done)
        return
    field, target = snake(old), snake(new)
    entity = _field_entity(doc, field, where)
    _check_name(doc, entity, target)
    fields = _fields(doc, entity)
    if target in fields:
        raise OfflineGenerationError(f"{entity} already has a field `{target}`.")
    spec = _long(fields[field])
    if spec.get("type") != "has_many":
        spec["renamed_from"] = field
    doc["entities"][entity]["fields"] = {
        (target if name == field else name): (spec if name == field else value)
        for name, value in fields.items()}
    word = re.compile(rf"\b{re.escape(field)}\b")
    body = doc["entities"][entity]
    if body.get("display") == field:
        body["display"] = target
    for rule in body.get("validations") or []:
        if isinstance(rule, dict):
            rule["rule"] = word.sub(target, str(rule.get("rule", "")))
            if isinstance(rule.get("fields"), list):
                rule["fields"] = [target if f == field else f for f in rule["fields"]]
    for grant in (body.get("permissions") or {}).values():
        if isinstance(grant, dict):
            for op, rule in grant.items():
                if isinstance(rule, str):
                    grant[op] = word.sub(target, rule)
    workflow = body.get("workflow") or {}
    for move in (workflow.get("transitions") or {}).values():
        if isinstance(move, dict) and move.get("guard"):
            move["guard"] = word.sub(target, str(move["guard"]))
    states = workflow.get("states")
    for state in (states.values() if isinstance(states, Mapping) else states or []):
        if isinstance(state, dict) and isinstance(state.get("requires"), list):
            state["requires"] = [target if f == field else f for f in state["requires"]]
    for other in body["fields"].values():
        if isinstance(other, dict) and other.get("computed"):
            other["computed"] = word.sub(target, str(other["computed"]))
    for items in _view_lists(doc, entity):
        items[:] = [("-" if str(i).startswith("-") else "") + target
                    if str(i).lstrip("-") == field else i for i in items]
    for view in (doc.get("views") or {}).values():
        if not isinstance(view, dict):
            continue
        if view.get("entity") == entity:
            if view.get("group_by") == field:
                view["group_by"] = target
            if isinstance(view.get("filter"), str):
                view["filter"] = word.sub(target, view["filter"])
        for widget in view.get("widgets") or []:
            if isinstance(widget, dict) and widget.get("entity") == entity:
                for key in ("field", "group_by"):
                    if widget.get(key) == field:
                        widget[key] = target
                if isinstance(widget.get("filter"), str):
                    widget["filter"] = word.sub(target, widget["filter"])
    done.append(f"Renamed {entity}.{field} to {target}; renamed_from keeps its data.")


def _rename_entity(doc: dict[str, Any], old: str, new: str, done: list[str]) -> None:
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]{0,39}", new) or new in doc["entities"]:
        raise OfflineGenerationError(f"Cannot rename {old} to `{new}`: the name is taken or "
                                     "not an entity name (a capital letter, then letters).")
    body = dict(doc["entities"][old])
    body = {"renamed_from": old, **{k: v for k, v in body.items() if k != "renamed_from"}}
    for key in ("label", "plural"):
        body.pop(key, None)
    doc["entities"] = {(new if n == old else n): (body if n == old else e)
                       for n, e in doc["entities"].items()}
    for entity in doc["entities"].values():
        for spec in (entity.get("fields") or {}).values():
            if isinstance(spec, dict) and spec.get("to") == old:
                spec["to"] = new
    for view in (doc.get("views") or {}).values():
        if isinstance(view, dict):
            if view.get("entity") == old:
                view["entity"] = new
            for widget in view.get("widgets") or []:
                if isinstance(widget, dict) and widget.get("entity") == old:
                    widget["entity"] = new
    done.append(f"Renamed the entity {old} to {new}; renamed_from keeps its table and rows.")


def _states(workflow: dict[str, Any]) -> list[str]:
    states = workflow.get("states")
    if isinstance(states, Mapping):
        return [str(s) for s in states]
    return [str(s["name"]) if isinstance(s, Mapping) else str(s) for s in states or []]


def _workflow_entity(doc: dict[str, Any], where: str | None, state: str) -> str:
    if where:
        entity = _entity(doc, where)
        if not doc["entities"][entity].get("workflow"):
            raise OfflineGenerationError(f"{entity} has no workflow.")
        return entity
    found = [n for n, e in doc["entities"].items()
             if isinstance(e, Mapping) and e.get("workflow")
             and (not state or state in _states(e["workflow"]))]
    if len(found) == 1:
        return str(found[0])
    if not found:
        raise OfflineGenerationError(f"No workflow has a state `{state}`.")
    raise OfflineGenerationError(f"Several entities have a state `{state}` "
                                 f"({', '.join(found)}); say which, e.g. “… on {found[0]}”.")


def _add_state(doc: dict[str, Any], match: re.Match[str], done: list[str]) -> None:
    state, after, where = snake(match.group(1)), snake(match.group(2)), match.group(3)
    entity = _workflow_entity(doc, where, after)
    workflow = doc["entities"][entity]["workflow"]
    names = _states(workflow)
    if after not in names:
        raise OfflineGenerationError(f"{entity} has no state `{after}`; its states are "
                                     f"{', '.join(names)}.")
    if state in names:
        raise OfflineGenerationError(f"{entity} already has a state `{state}`.")
    states = workflow["states"]
    if isinstance(states, Mapping):
        items = list(states.items())
        position = names.index(after) + 1
        items.insert(position, (state, {}))
        workflow["states"] = dict(items)
    else:
        states.insert(names.index(after) + 1, state)
    transitions = workflow.setdefault("transitions", {})
    roles: list[str] = []
    for move in transitions.values():
        sources = move.get("from")
        sources = sources if isinstance(sources, list) else [sources]
        if after in sources and move.get("to") != after:
            move["from"] = [state if s == after else s for s in sources] \
                if len(sources) > 1 else state
            roles += [r for r in (move.get("roles") or []) if r not in roles]
    name = _free_name(transitions, transition_to(state))
    move_spec: dict[str, Any] = {"from": after, "to": state}
    if roles:
        move_spec["roles"] = roles
    transitions[name] = move_spec
    done.append(f"Added the state `{state}` to {entity} after `{after}`: `{name}` leads to it, "
                f"and the transitions that left `{after}` now leave `{state}`.")


def _free_name(transitions: Mapping[str, Any], name: str) -> str:
    candidate, number = name, 2
    while candidate in transitions:
        candidate = f"{name}_{number}"
        number += 1
    return candidate


def _let_transition(doc: dict[str, Any], match: re.Match[str], done: list[str]) -> None:
    role_phrase, verb, source, where = match.groups()
    verb = verb.strip()
    entity = _workflow_entity(doc, where, snake(source) if source else "")
    workflow = doc["entities"][entity]["workflow"]
    names = _states(workflow)
    role = _ensure_role(doc, role_phrase, done)
    transitions = workflow.setdefault("transitions", {})
    base = verb[:-1] if verb.endswith("s") and verb[:-1] in VERBS else verb
    if base == "reopen":
        target = next((s for s in ("open", "in_progress", "new") if s in names), names[0])
        name = "reopen"
    elif base in VERBS:
        name, target = VERBS[base]
    else:
        existing = [n for n in transitions if n == snake(base)]
        if not existing:
            raise _not_understood(f"“{verb}” is not a transition of {entity} "
                                  f"({', '.join(transitions) or 'none'}).")
        name, target = existing[0], transitions[existing[0]].get("to")
    if name in transitions and (not source or snake(source) in _sources(transitions[name])):
        move = transitions[name]
        roles = move.get("roles") or []
        roles = roles if isinstance(roles, list) else [roles]
        if role not in roles:
            move["roles"] = [*roles, role]
        done.append(f"`{role}` may now take `{name}` on {entity}.")
        return
    if target not in names:
        raise OfflineGenerationError(f"{entity} has no state `{target}` for “{verb}”; add it "
                                     f"first (“add a state {target} after …”).")
    start = snake(source) if source else ""
    if start and start not in names:
        raise OfflineGenerationError(f"{entity} has no state `{start}`; its states are "
                                     f"{', '.join(names)}.")
    if not start:
        raise OfflineGenerationError(f"Say from which state, e.g. “let {role_phrase} {verb} "
                                     f"closed {plural(entity.lower())}”.")
    name = _free_name(transitions, name)
    transitions[name] = {"from": start, "to": target, "roles": [role]}
    done.append(f"Added the transition `{name}` on {entity}: {start} → {target}, for `{role}`.")


def _sources(move: Mapping[str, Any]) -> list[str]:
    sources = move.get("from")
    return [str(s) for s in sources] if isinstance(sources, list) else [str(sources)]


OPS = {"read": ["read"], "see": ["read"], "view": ["read"], "edit": ["read", "update"],
       "update": ["read", "update"], "change": ["read", "update"],
       "create": ["read", "create"], "add": ["read", "create"]}


def _let_access(doc: dict[str, Any], match: re.Match[str], done: list[str]) -> None:
    role_phrase, verb, entity_phrase = match.groups()
    entity = _entity(doc, entity_phrase)
    role = _ensure_role(doc, role_phrase, done)
    body = doc["entities"][entity]
    grants = body.setdefault("permissions", {})
    grant = grants.get(role)
    ops = OPS[verb]
    if grant is True:
        done.append(f"`{role}` could already {verb} {entity}.")
        return
    if grant is None or grant is False:
        current: dict[str, Any] = {}
    elif isinstance(grant, str):
        current = {grant: True}
    elif isinstance(grant, list):
        current = dict.fromkeys(grant, True)
    else:
        current = dict(grant)
    if all(current.get(op) for op in ops):
        done.append(f"`{role}` could already {verb} {entity} records; nothing changed.")
        return
    # A row rule the role already has is kept, never widened: "let customers edit comments"
    # lets them edit the comments they may read, not every comment.
    scope = current.get("read") if isinstance(current.get("read"), str) else True
    for op in ops:
        if not current.get(op):
            current[op] = True if op == "read" else scope
    if all(v is True for v in current.values()):
        order = [op for op in ("read", "create", "update", "delete") if op in current]
        grants[role] = order[0] if len(order) == 1 else order
    else:
        grants[role] = current
    if scope is True:
        done.append(f"`{role}` may now {' and '.join(ops)} every {entity} record.")
    else:
        done.append(f"`{role}` may now {' and '.join(ops)} the {entity} records where {scope}.")


def _add_entity(doc: dict[str, Any], match: re.Match[str], done: list[str]) -> None:
    phrase, parent_phrase = match.group(1), match.group(2)
    parent = _entity(doc, parent_phrase)
    name = "".join(w.capitalize() for w in re.findall(r"[a-z0-9]+", singular(phrase)))[:40]
    words = re.findall(r"[a-z0-9]+", phrase)
    if words:
        words[-1] = singular(words[-1])
        name = "".join(w.capitalize() for w in words)[:40]
    if not name or not name[0].isalpha() or name in doc["entities"]:
        raise OfflineGenerationError(f"Cannot add the entity `{name}`: the name is taken or "
                                     "not an entity name.")

    fields: dict[str, Any] = {"name": {"type": "string", "required": True, "max_length": 200}}
    if words and words[-1] in ("supplier", "vendor", "customer", "contact", "partner",
                               "contractor", "client"):
        fields["email"] = {"type": "email", "pii": True}
        fields["phone"] = {"type": "phone", "pii": True}
    fields["notes"] = {"type": "text", "max_length": 5000}
    many = snake(plural(re.sub(r"(?<!^)(?=[A-Z])", " ", parent).lower().split()[-1]))
    fields[many] = {"type": "has_many", "to": parent}
    grants: dict[str, Any] = {}
    managers: list[str] = []
    for role, grant in (doc["entities"][parent].get("permissions") or {}).items():
        if grant is True or (isinstance(grant, list) and "update" in grant):
            grants[role] = ["read", "create", "update"]
            managers.append(role)
        elif grant:
            grants[role] = "read"
    for spec in fields.values():
        if spec.get("pii"):
            spec["access"] = {"read": managers}
    body: dict[str, Any] = {"display": "name", "fields": fields}
    if grants:
        body["permissions"] = grants
    doc["entities"][name] = body
    parent_fields = _fields(doc, parent)
    ref_name = snake(re.sub(r"(?<!^)(?=[A-Z])", " ", name))
    _check_name(doc, parent, ref_name)
    if ref_name in parent_fields:
        raise OfflineGenerationError(f"{parent} already has a field `{ref_name}`.")
    parent_fields[ref_name] = {"type": "ref", "to": name, "on_delete": "set_null"}
    del fields[many]
    fields[many] = {"type": "has_many", "to": parent, "via": ref_name}
    views = doc.setdefault("views", {})
    base = slug(name)
    for view_name, view in ((slug(plural(name)), {"type": "list", "entity": name,
                                                  "columns": ["name"], "sort": ["name"],
                                                  "search": ["name"]}),
                            (base, {"type": "detail", "entity": name}),
                            (f"new-{base}", {"type": "form", "entity": name,
                                             "fields": [f for f, s in fields.items()
                                                        if s["type"] != "has_many"]})):
        if view_name not in views:
            views[view_name] = view
    if managers:
        views[f"new-{base}"]["roles"] = managers
    contact = ", contact details" if "email" in fields else ""
    done.append(f"Added the entity {name} (name, notes{contact}) and {parent}.{ref_name} "
                f"linking to it; roles that manage {parent} manage it, the others read it.")



EDITS: tuple[tuple[re.Pattern[str], Edit], ...] = (
    (re.compile(rf"make\s+{FIELD}{ON}\s+(required|mandatory|optional|not required)"),
     _required),
    (re.compile(rf"make\s+{FIELD}\s+(?:on|of|in)\s+(?:the\s+)?([a-z][a-z0-9 ]*?)\s+"
                r"(required|mandatory|optional|not required)"), _required),
    (re.compile(r"add\s+(?:an?\s+|the\s+)?([a-z][a-z0-9 ]*?)\s+entity\s+(?:linked|related|"
                r"connected|attached)\s+to\s+(?:the\s+)?([a-z][a-z0-9 ]*?)"), _add_entity),
    (re.compile(r"add\s+(?:an?\s+|the\s+)?(?:new\s+)?state\s+[`'\"]?([a-z][a-z0-9_ ]*?)[`'\"]?"
                r"\s+after\s+[`'\"]?([a-z][a-z0-9_ ]*?)[`'\"]?" + ON), _add_state),
    (re.compile(r"add\s+(?:an?\s+|the\s+)?(?:field\s+)?([a-z][a-z0-9 ]*?)(?:\s+field)?"
                r"(?:\s+(?:with|of)\s+(?:values\s+)?([a-z0-9][a-z0-9 ,/]*?))?\s+(?:to|on|for)\s+"
                r"(?:the\s+|all\s+|each\s+|every\s+)?([a-z][a-z0-9 ]*?)"), _add_field),
    (re.compile(rf"(?:remove|delete|drop)\s+{FIELD}\s+from\s+(?:the\s+)?([a-z][a-z0-9 ]*?)"),
     _remove_field),
    (re.compile(r"rename\s+(?:the\s+)?(?:field\s+|entity\s+)?[`'\"]?([a-z][a-z0-9_ ]*?)[`'\"]?"
                r"\s+to\s+[`'\"]?([a-z][a-z0-9_ ]*?)[`'\"]?" + ON), _rename),
    (re.compile(r"(?:let|allow)\s+(?:the\s+)?([a-z][a-z_ ]*?)\s+(?:to\s+)?(read|see|view|edit|"
                r"update|change|create|add)\s+(?:all\s+|every\s+|the\s+)?([a-z][a-z0-9 ]*?)"),
     _let_access),
    (re.compile(r"(?:let|allow)\s+(?:the\s+)?([a-z][a-z_ ]*?)\s+(?:to\s+)?([a-z_]+)\s+"
                r"(?:(?:the\s+)?([a-z_]+)\s+)?(?:all\s+|every\s+|the\s+)?([a-z][a-z0-9 ]*?)"),
     _let_transition),
)
