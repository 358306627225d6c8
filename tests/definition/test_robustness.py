"""Whatever a document holds, checking it yields diagnostics, never an exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiary.definition import check_text
from apiary.definition.diagnostics import Diagnostic

# Keys of the format mixed with near misses, so that generated documents get deep enough into
# the checks to exercise them, not only the first structural error.
KEYS = st.sampled_from([
    "app", "name", "roles", "entities", "fields", "type", "values", "to", "via", "required",
    "unique", "default", "min", "max", "computed", "workflow", "states", "transitions", "from",
    "guard", "permissions", "read", "create", "views", "entity", "columns", "widgets", "Ticket",
    "title", "state", "access", "ref", "enum", "x", "Order", "select", "1", "",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False),
    st.sampled_from(["string", "ref", "enum", "User", "Ticket", "a == b", "title.size() >",
                     "'; DROP TABLE x; --", "today", "user.id", "*", "\u202e", "x" * 300]),
    st.text(max_size=20),
)
DOCS = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(KEYS, children, max_size=5)),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=DOCS)
def test_any_json_document_gets_diagnostics_not_exceptions(doc: object) -> None:
    diagnostics = check_text(json.dumps(doc), "fuzz.json")
    assert all(isinstance(d, Diagnostic) and d.message for d in diagnostics)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_gets_diagnostics_not_exceptions(text: str) -> None:
    diagnostics = check_text(text, "fuzz.yaml")
    assert all(isinstance(d, Diagnostic) for d in diagnostics)


@settings(max_examples=300, deadline=None)
@given(fields=st.dictionaries(KEYS, DOCS, max_size=4), rule=SCALARS)
def test_plausible_entities_get_diagnostics_not_exceptions(fields: dict[str, object],
                                                           rule: object) -> None:
    doc = {"app": "fuzz", "roles": ["agent"], "entities": {"Ticket": {
        "fields": fields, "permissions": {"agent": {"read": rule}},
        "workflow": {"states": ["a", "b"], "transitions": {"go": {"from": "a", "to": rule}}}}},
        "views": {"v": {"type": "list", "entity": "Ticket", "columns": list(fields)}}}
    diagnostics = check_text(json.dumps(doc), "fuzz.json")
    assert all(isinstance(d, Diagnostic) for d in diagnostics)


TYPES = st.sampled_from(["string", "text", "integer", "decimal", "boolean", "date", "datetime",
                         "enum", "email", "url", "phone", "money", "file", "json", "ref",
                         "has_many"])
EXPRESSIONS = st.sampled_from([
    "a > 1", "a", "b == 'x'", "a + b", "size(b) > 2", "today > d", "user.id == a",
    "b.matches('[')", "a / 0 == 1", "c ? a : b", "a in [1, 2]", "state == 'b'", "((", "x.y.z",
])
NAMES = st.sampled_from(["a", "b", "c", "d", "state", "id", "order", "Bad", "ticket"])
FIELD = st.fixed_dictionaries({"type": TYPES}, optional={
    "values": st.lists(st.sampled_from(["x", "y", "", "x"]), max_size=3),
    "to": st.sampled_from(["User", "Ticket", "Note", "Nope"]),
    "via": NAMES,
    "default": st.one_of(st.integers(-5, 5), st.sampled_from(["x", "today", "2026-01-01", "now"])),
    "min": st.one_of(st.integers(-5, 5), st.just("2026-01-01")),
    "max": st.integers(-5, 5),
    "required": st.booleans(),
    "unique": st.booleans(),
    "computed": EXPRESSIONS,
    "pii": st.booleans(),
    "access": st.fixed_dictionaries({"read": st.lists(st.sampled_from(["agent", "boss"]))}),
    "on_delete": st.sampled_from(["restrict", "cascade", "set_null"]),
    "renamed_from": NAMES,
})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=st.dictionaries(NAMES, FIELD, min_size=1, max_size=5),
       note_fields=st.dictionaries(NAMES, FIELD, max_size=3),
       rule=EXPRESSIONS, guard=EXPRESSIONS, sort=st.lists(NAMES, max_size=2))
def test_well_formed_documents_reach_every_check_without_exceptions(
        fields: dict[str, object], note_fields: dict[str, object], rule: str, guard: str,
        sort: list[str]) -> None:
    doc = {"app": "fuzz", "roles": ["agent"], "entities": {
        "Ticket": {"fields": fields, "permissions": {"agent": {"read": rule, "update": rule}},
                   "validations": [{"rule": rule, "message": "no"}],
                   "workflow": {"states": ["a", {"name": "b", "requires": sort}],
                                "transitions": {"go": {"from": "a", "to": "b", "guard": guard}}}},
        "Note": {"fields": note_fields or {"n": "string"}}},
        "views": {"v": {"type": "list", "entity": "Ticket", "sort": sort, "filter": guard,
                        "search": sort},
                  "d": {"type": "dashboard", "widgets": [
                      {"kind": "sum", "entity": "Ticket", "field": sort[0] if sort else "a",
                       "group_by": "created_at", "period": "month"}]}}}
    diagnostics = check_text(json.dumps(doc), "fuzz.json")
    assert all(isinstance(d, Diagnostic) and d.message for d in diagnostics)
