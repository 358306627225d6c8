"""Definition document -> CompiledApp, collecting every problem on the way.

The stages run in order: structure (pydantic models), names and references, expressions, views,
then the implied indexes. Structural errors stop compilation (later checks need the structure);
all other stages report everything they find before giving up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from apiary.definition.compiled import (
    SYSTEM_FIELDS,
    CompiledApp,
    CompiledExpr,
    Entity,
    Operation,
    View,
)
from apiary.definition.diagnostics import Diagnostic, Severity
from apiary.definition.entities import EntityCompiler
from apiary.definition.format import DefinitionSpec
from apiary.definition.names import (
    APP_NAME,
    CURRENCY,
    ENGINE_ENTITIES,
    ENTITY_NAME,
    MAX_APP_NAME,
    MAX_NAME,
    MAX_SQL_IDENTIFIER,
    ROLE_NAME,
    humanize,
)
from apiary.definition.report import Report
from apiary.definition.source import Document
from apiary.definition.structure import check_structure
from apiary.definition.views import ViewCompiler


def compile_document(doc: Document) -> tuple[CompiledApp | None, list[Diagnostic]]:
    """Compile a parsed document. Returns the app (None when there are errors) and all
    diagnostics, warnings included, sorted by position."""
    spec, problems = check_structure(doc)
    if spec is None:
        return None, _sorted(problems)
    report = Report(doc.positions)
    app = _compile(spec, doc, report)
    return (None if report.failed else app), _sorted(report.diagnostics)


def content_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _compile(spec: DefinitionSpec, doc: Document, report: Report) -> CompiledApp:
    app = spec.app
    if app.currency is not None and not CURRENCY.match(app.currency):
        report.error("APY-E122", f"`{app.currency}` is not an ISO 4217 currency code",
                     ("app", "currency"), "three capital letters, e.g. EUR, USD, GBP")
    if not APP_NAME.match(app.name) or len(app.name) > MAX_APP_NAME:
        report.error("APY-E130", f"`{app.name}` is not a valid app name", ("app", "name"),
                     f"use lowercase letters, digits and hyphens, starting with a letter, at "
                     f"most {MAX_APP_NAME} characters (e.g. `expense-claims`)")
    roles: dict[str, str] = {}
    for role, rspec in spec.roles.items():
        if not ROLE_NAME.match(role) or len(role) > MAX_NAME:
            report.error("APY-E130", f"`{role}` is not a valid role name", ("roles", role),
                         "use lowercase letters, digits and _, e.g. `finance_manager`")
        roles[role] = rspec.description or rspec.label or humanize(role)
    roles.pop("admin", None)
    entities: dict[str, Entity] = {}
    compiler = EntityCompiler(app.name, spec.entities, frozenset(roles), app.currency, report)
    for name, espec in spec.entities.items():
        path = ("entities", name)
        if not ENTITY_NAME.match(name) or len(name) > MAX_NAME:
            report.error("APY-E130", f"`{name}` is not a valid entity name", path,
                         "use a capitalised name of letters and digits, e.g. `ExpenseClaim`")
            continue
        if name in ENGINE_ENTITIES:
            report.error("APY-E131", f"`{name}` is a built-in entity name", path,
                         f"pick another name, e.g. `{name}Record`" if name != "User" else
                         "refer to users with `{type: ref, to: User}` instead of declaring one")
            continue
        entity = compiler.compile(name, espec)
        if len(entity.table) > MAX_SQL_IDENTIFIER:
            report.error("APY-E133", f"the table name `{entity.table}` would be longer than "
                         f"{MAX_SQL_IDENTIFIER} characters", path,
                         "use a shorter app or entity name")
        entities[name] = entity
    _check_lowercase_clashes(entities, report)
    views: dict[str, View] = {}
    view_compiler = ViewCompiler(entities, frozenset(roles), report)
    for vname, vspec in spec.views.items():
        view = view_compiler.compile(vname, vspec)
        if view is not None:
            views[vname] = view
    entities = {name: _with_implied_indexes(e, views) for name, e in entities.items()}
    for name, entity in entities.items():
        if not entity.permissions:
            report.warning("APY-W403", f"no role may use {name}; only admins can",
                           ("entities", name),
                           "grant roles access under `permissions:` (anything not granted is "
                           "denied)")
    return CompiledApp(
        name=app.name, title=app.title or humanize(app.name), description=app.description,
        owner=app.owner, version=app.version, roles=roles, entities=entities, views=views,
        content_hash=content_hash(doc.data), document=doc.data,
    )


def _check_lowercase_clashes(entities: Mapping[str, Entity], report: Report) -> None:
    """Entities whose table names collide: ``HRCase`` and ``HrCase`` are distinct names but
    both become ``hr_case``."""
    seen: dict[str, str] = {}
    for name, entity in entities.items():
        key = entity.table.lower()
        if key in seen:
            report.error("APY-E106", f"`{name}` and `{seen[key]}` would share the table "
                         f"`{entity.table}`", ("entities", name), "rename one of them")
        seen[key] = name


def _with_implied_indexes(entity: Entity, views: Mapping[str, View]) -> Entity:
    """Indexes that the definition's own queries need: the fields of read rules and view
    filters, each view's first sort key, and (read-rule fields + sort key) composites so that a
    permitted, sorted list is an index walk rather than a sort. Fields merely offered as UI
    filters get none: they are mostly low-cardinality enums an index would not help."""
    stored = {f.name for f in entity.stored_fields} | set(SYSTEM_FIELDS)
    wanted: list[tuple[str, ...]] = list(entity.indexes)
    rule_keys: list[tuple[str, ...]] = []
    for rules in entity.permissions.values():
        read = rules.get(Operation.READ)
        if read is not None and read.condition is not None:
            # the rule's fields in the order the rule names them; lists filter by them first
            names = tuple(dict.fromkeys(n for n in _names_in_order(read.condition)
                                        if n in stored))
            if names and names not in rule_keys:
                rule_keys.append(names)
    wanted.extend(rule_keys)
    for view in views.values():
        if view.entity != entity.name:
            continue
        if view.filter is not None:
            wanted.extend((n,) for n in sorted(view.filter.names) if n in stored)
        sort = tuple(k.removeprefix("-") for k in view.sort if k.removeprefix("-") in stored)
        if sort:
            wanted.append(sort[:1])
            wanted.extend((*key, sort[0]) for key in rule_keys if sort[0] not in key)
    out: list[tuple[str, ...]] = []
    for key in wanted:
        if key == ("id",) or key in out:
            continue
        if any(other[: len(key)] == key and other != key for other in wanted):
            continue  # a longer index starting with the same columns serves this one too
        out.append(key)
    return replace(entity, indexes=tuple(out))


def _names_in_order(expr: CompiledExpr) -> list[str]:
    """Field names in the order they appear in the expression's text."""
    return sorted(expr.names, key=lambda n: (expr.source.find(n), n))


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.file, d.line or 0, d.column or 0,
                                              d.severity is Severity.WARNING))

