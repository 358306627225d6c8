"""A :class:`Plan` written out as a definition document, least privilege by construction.

Permissions, field access, guards and views are derived from each role's kind:

- **owner** roles create records and see and edit only their own (``created_by == user.id``),
  and only while the record is still in its first (or a "returned") state;
- **reviewer** roles see the records addressed to them (``approver == user.id``) or, without
  such a field, those past their first state, and update them only in the states they act on;
- **staff** roles run the process: read, create and update every record, keep reference data;
- **viewer** roles only read, and never see personal data.

Nobody but the implicit admin deletes, unless the prompt asked for it (then a warning says so).
Personal-data fields are readable only by owners and staff.
"""

from __future__ import annotations

import re
from typing import Any

from apiary.generation.offline.lexicon import plural
from apiary.generation.offline.plan import EntityPlan, Plan

PERSONAL = re.compile(r"(^|_)(e_?mail|phone|mobile|address|salary|wage|birth|dob|ssn|passport|"
                      r"iban|bank_account|bank_details|national_id|home_)")
TEXTUAL = {"string", "text", "email", "url", "phone", "enum"}
GROUPABLE = {"enum", "ref", "boolean", "date", "datetime"}
STORED_NOT_INPUT = {"has_many"}


def render(plan: Plan) -> dict[str, Any]:
    doc: dict[str, Any] = {"apiary": 1}
    app: dict[str, Any] = {"name": plan.name, "title": plan.title}
    if plan.description:
        app["description"] = plan.description
    if plan.currency:
        app["currency"] = plan.currency
    doc["app"] = app
    doc["roles"] = {name: role.description or _humanise(name) for name, role in plan.roles.items()}
    doc["entities"] = {name: _entity(plan, name, entity)
                       for name, entity in plan.entities.items()}
    doc["views"] = _views(plan)
    return doc


def _humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _in(states: list[str]) -> str:
    if len(states) == 1:
        return f"state == '{states[0]}'"
    return "state in [" + ", ".join(f"'{s}'" for s in states) + "]"


def editable_states(entity: EntityPlan) -> list[str]:
    """States in which an owner may still change their record."""
    if not entity.states:
        return []
    found = [entity.states[0]]
    found += [s for s in ("returned", "draft") if s in entity.states and s not in found]
    return found


def _acting_states(entity: EntityPlan, role: str) -> list[str]:
    found: list[str] = []
    for move in entity.transitions.values():
        if role in move.roles:
            found += [s for s in move.sources if s not in found and s != "*"]
    return [s for s in entity.states if s in found]


def permissions(plan: Plan, name: str, entity: EntityPlan) -> dict[str, Any]:
    owners = plan.roles_of("owner")
    reviewers = plan.roles_of("reviewer")
    staff = plan.roles_of("staff")
    viewers = plan.roles_of("viewer")
    grants: dict[str, Any] = {}
    if entity.kind == "reference":
        managers = staff or reviewers
        for role in plan.roles:
            grants[role] = ["read", "create", "update"] if role in managers else "read"
    elif entity.kind == "child":
        for role in owners:
            grants[role] = {"read": "created_by == user.id", "create": True,
                            "update": "created_by == user.id"}
        for role in reviewers + viewers:
            grants[role] = "read"
        for role in staff:
            grants[role] = ["read", "create", "update"]
    else:
        first = entity.states[0] if entity.states else ""
        owner_moves = [m for m in entity.transitions.values()
                       if set(m.roles) & set(owners) and first in m.sources]
        mine = f"{entity.owned_by} == user.id"
        for role in owners:
            rule: dict[str, Any] = {"read": mine}
            if entity.owned_by != "created_by":
                grants[role] = rule
                continue
            rule["create"] = True
            editable = editable_states(entity)
            rule["update"] = mine if not editable else f"{mine} && {_in(editable)}"
            grants[role] = rule
        for role in reviewers:
            acting = _acting_states(entity, role)
            if entity.review_by:
                seen = f"{entity.review_by} == user.id"
            elif owners and owner_moves and first:
                seen = f"state != '{first}'"
            else:
                seen = ""
            rule = {"read": seen or True}
            if acting:
                rule["update"] = f"{seen} && {_in(acting)}" if seen else _in(acting)
            elif not entity.states:
                rule["update"] = seen or True
            grants[role] = rule
        for role in staff:
            grants[role] = ["read", "create", "update"]
        for role in viewers:
            grants[role] = "read"
    deleters = set(plan.roles) if plan.delete_for_all else plan.deleters
    for role in deleters:
        value = grants.get(role)
        if isinstance(value, str):
            grants[role] = [value, "delete"]
        elif isinstance(value, list):
            grants[role] = [*value, "delete"]
        elif isinstance(value, dict) and value.get("read"):
            value["delete"] = value["read"]
    return grants


def readers(grants: dict[str, Any]) -> list[str]:
    return [r for r, g in grants.items()
            if g == "read" or (isinstance(g, list) and "read" in g)
            or (isinstance(g, dict) and g.get("read"))]


def _entity(plan: Plan, name: str, entity: EntityPlan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if entity.label:
        out["label"] = entity.label
    if entity.description:
        out["description"] = entity.description
    if entity.display and entity.display in entity.fields:
        out["display"] = entity.display
    grants = permissions(plan, name, entity)
    can_read = readers(grants)
    private = [r for r in can_read if plan.roles[r].kind in ("owner", "staff")] or \
        [r for r in can_read if plan.roles[r].kind != "viewer"] or can_read
    fields: dict[str, Any] = {}
    for field_name, raw in entity.fields.items():
        spec = dict(raw)
        if PERSONAL.search(field_name) and spec["type"] not in ("ref", "has_many", "boolean") \
                and "classification" not in spec:
            spec["pii"] = True
        access = {k: [r for r in v if r in plan.roles]
                  for k, v in dict(spec.get("access", {})).items()}
        access = {k: v for k, v in access.items() if v}
        if spec.get("pii") and not access.get("read") and private:
            access["read"] = private
        if access:
            spec["access"] = access
        else:
            spec.pop("access", None)
        fields[field_name] = spec
    out["fields"] = fields
    if entity.validations:
        out["validations"] = [dict(v) for v in entity.validations]
    if entity.states:
        out["workflow"] = _workflow(plan, entity)
    if grants:
        out["permissions"] = grants
    return out


def _workflow(plan: Plan, entity: EntityPlan) -> dict[str, Any]:
    owners = set(plan.roles_of("owner"))
    reviewers = set(plan.roles_of("reviewer"))
    states: dict[str, Any] = {}
    for state in entity.states:
        spec: dict[str, Any] = {}
        needed = [f for f in entity.requires.get(state, []) if f in entity.fields]
        if needed:
            spec["requires"] = needed
        if state in entity.finals:
            spec["final"] = True
        states[state] = spec
    transitions: dict[str, Any] = {}
    for name, move in entity.transitions.items():
        sources = [s for s in move.sources if s in entity.states or s == "*"]
        if not sources or move.target not in entity.states:
            continue
        roles = [r for r in move.roles if r in plan.roles]
        spec = {"from": sources[0] if len(sources) == 1 else sources, "to": move.target}
        if roles:
            spec["roles"] = roles
            if set(roles) <= owners:
                spec["guard"] = "created_by == user.id"
            elif set(roles) <= reviewers and entity.review_by:
                spec["guard"] = f"{entity.review_by} == user.id && created_by != user.id"
            elif set(roles) <= reviewers and owners:
                spec["guard"] = "created_by != user.id"
            elif set(roles) & owners:
                others = [r for r in roles if r not in owners]
                spec["guard"] = "created_by == user.id || " + " || ".join(
                    f"'{r}' in user.roles" for r in others)
        transitions[name] = spec
    out: dict[str, Any] = {"states": states}
    if transitions:
        out["transitions"] = transitions
    return out


def _creators(plan: Plan, grants: dict[str, Any]) -> list[str]:
    found = []
    for role, grant in grants.items():
        if (isinstance(grant, list) and "create" in grant) or (
                isinstance(grant, dict) and grant.get("create")):
            found.append(role)
    return found


def _writable(entity: EntityPlan, role: str) -> list[str]:
    found = []
    for name, spec in entity.fields.items():
        if spec["type"] in STORED_NOT_INPUT or spec.get("computed"):
            continue
        write = spec.get("access", {}).get("write")
        if write and role not in write:
            continue
        found.append(name)
    return found


def _views(plan: Plan) -> dict[str, Any]:
    views: dict[str, Any] = {}
    widgets: list[dict[str, Any]] = []
    insiders = plan.roles_of("reviewer", "staff", "viewer")
    for name, entity in plan.entities.items():
        grants = permissions(plan, name, entity)
        if not grants:
            continue
        base = slug(name)
        many = slug(plural(name))
        stored = {f: s for f, s in entity.fields.items() if s["type"] not in STORED_NOT_INPUT}
        columns = [f for f in stored if stored[f]["type"] not in ("text", "json", "file")][:5]
        if entity.display and entity.display in stored and entity.display not in columns:
            columns = [entity.display, *columns[:4]]
        if entity.states:
            columns.append("state")
        search = [f for f, s in stored.items() if s["type"] in ("string", "text", "email")][:3]
        filters = [f for f, s in stored.items() if s["type"] in ("enum", "boolean")][:3]
        if entity.states:
            filters.insert(0, "state")
        listing: dict[str, Any] = {"type": "list", "entity": name,
                                   "columns": columns or ["created_at"],
                                   "sort": ["-created_at"]}
        if search:
            listing["search"] = search
        if filters:
            listing["filters"] = filters
        owners = [r for r in plan.roles_of("owner") if r in grants]
        others = [r for r in readers(grants) if r not in owners]
        if entity.kind == "main" and owners:
            mine = dict(listing, title=f"My {plural(_label(name)).lower()}", roles=owners,
                        filter="created_by == user.id")
            views[f"my-{many}"] = mine
            if others:
                views[many] = dict(listing, roles=others)
        else:
            views[many] = listing
        views[base] = {"type": "detail", "entity": name}
        creators = _creators(plan, grants)
        if creators:
            role = creators[0]
            form_fields = _writable(entity, role)
            if form_fields:
                views[f"new-{base}"] = {"type": "form", "entity": name, "roles": creators,
                                        "fields": form_fields}
        if entity.states:
            board: dict[str, Any] = {"type": "board", "entity": name,
                                     "columns": columns[:3] or ["created_at"]}
            board_roles = [r for r in insiders if r in grants]
            if board_roles:
                board["roles"] = board_roles
            views[f"{base}-board"] = board
        if entity.kind == "main":
            if entity.states:
                widgets.append({"title": f"{plural(_label(name))} by state", "entity": name,
                                "group_by": "state", "chart": "pie"})
            money = [f for f, s in stored.items() if s["type"] == "money"
                     and not s.get("pii") and not s.get("access")]
            dates = [f for f, s in stored.items() if s["type"] == "date"]
            if money:
                widget: dict[str, Any] = {"kind": "sum", "entity": name, "field": money[0]}
                if dates:
                    widget.update(group_by=dates[0], period="month", chart="line")
                widgets.append(widget)
            enums = [f for f, s in stored.items() if s["type"] == "enum"]
            if enums:
                widgets.append({"entity": name, "group_by": enums[0], "chart": "bar"})
    if widgets:
        dashboard: dict[str, Any] = {"type": "dashboard", "title": "Overview",
                                     "widgets": widgets[:6]}
        if insiders:
            dashboard["roles"] = insiders
        views["overview"] = dashboard
    return views


def _label(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).capitalize()
