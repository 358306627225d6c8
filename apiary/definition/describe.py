"""A compact, stable summary of an app, printed by ``apiary describe --json``.

Other tools (the generator's scorer, CI checks) parse this shape, so it changes only with care:
``{"app", "entities": {Entity: {"fields": {field: type}, "workflow": {"field", "states"} | null}},
"roles"}``.
"""

from __future__ import annotations

from typing import Any

from apiary.definition.compiled import CompiledApp


def describe(app: CompiledApp) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    for name, entity in app.entities.items():
        wf = entity.workflow
        entities[name] = {
            "fields": {f.name: f.type.value for f in entity.fields.values() if not f.is_state},
            "workflow": {"field": wf.field, "states": list(wf.state_names)} if wf else None,
        }
    return {"app": app.name, "entities": entities, "roles": list(app.roles)}


def describe_text(app: CompiledApp) -> str:
    """The same facts for people: one line per field, transitions with who may take them."""
    lines = [f"{app.title} ({app.name})" + (f" — {app.description}" if app.description else "")]
    if app.roles:
        lines.append("roles: " + ", ".join(app.roles) + " (and admin)")
    for entity in app.entities.values():
        lines.append(f"\n{entity.name} -> table {entity.table}")
        for f in entity.fields.values():
            if f.is_state:
                continue
            flags = [flag for flag, on in (("required", f.required), ("unique", f.unique),
                                           ("pii", f.pii), ("computed", f.computed is not None))
                     if on]
            target = f" -> {f.ref}" if f.ref else ""
            values = f" [{', '.join(f.values)}]" if f.values else ""
            lines.append(f"  {f.name}: {f.type.value}{target}{values}"
                         + (f" ({', '.join(flags)})" if flags else ""))
        if entity.workflow:
            wf = entity.workflow
            lines.append(f"  workflow on `{wf.field}`: {' -> '.join(wf.state_names)}")
            for t in wf.transitions.values():
                who = ", ".join(sorted(t.roles)) or "admin only"
                lines.append(f"    {t.name}: {' | '.join(t.sources)} -> {t.target} ({who})")
        for role, rules in entity.permissions.items():
            granted = [f"{op.value}{'*' if r.condition else ''}" for op, r in rules.items()
                       if r.allow]
            lines.append(f"  {role} may: {', '.join(granted) or 'nothing'}")
    if app.views:
        lines.append("\nviews: " + ", ".join(f"{v.name} ({v.type})" for v in app.views.values()))
    return "\n".join(lines)
