"""Planning: what a plan contains, how it reads, and that planning changes nothing."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from apiary.storage import DestructiveMigration, MigrationError, StepKind, apply, plan
from tests.storage.apps import CRM, compile_app, crm, insert, migrate, read, seeded, snapshot


def test_planning_reads_but_never_writes(engine: sa.Engine) -> None:
    seeded(engine)
    before = snapshot(engine)
    planned = plan(compile_app(crm({"notes": None, "city": "string"}, {"size": "integer"})),
                   engine)
    assert len(planned.steps) == 3
    assert snapshot(engine) == before


def test_a_plan_reads_as_text(sqlite_url: str) -> None:
    from apiary.storage import connect

    engine = connect(sqlite_url)
    seeded(engine)
    insert(engine, CRM, "Contact", [{"name": "Ada again", "email": "ada@example.com"}])
    v2 = crm({"notes": None, "city": "string", "email": "{type: email, unique: true}",
              "name": "{type: string, required: true, max_length: 5}",
              "score": "{type: integer, required: true, default: 0}"})
    assert plan(compile_app(v2), engine).to_text() == """\
Migration plan for app `crm` on sqlite (5 steps, 2 destructive, 1 blocked):
  1. add column crm__contact.city (string(255), optional)
  2. drop column crm__contact.notes [DESTRUCTIVE]
       why: `notes` is no longer a field of `Contact`
       loses: the values of 2 rows (copied to an archive table first)
  3. narrow crm__contact.name from string(100) to string(5) [DESTRUCTIVE]
       why: values longer than 5 characters are cut (2 of 4 values)
       loses: 2 values as they are now (copied to an archive table first)
  4. make crm__contact.score required; the 2 rows without a value get 0
  5. create unique index uq_crm__contact__email on crm__contact (email) [BLOCKED]
       why: 2 rows share their value of `email` with another row
       what to do: make those values unique first, or drop `unique`
Blocked steps cannot be applied until the data or the definition changes as suggested."""
    assert plan(compile_app(CRM), engine).to_text() == (
        "App `crm`: the database is up to date; nothing to do.")
    engine.dispose()


def test_a_plan_is_json_data(engine: sa.Engine) -> None:
    seeded(engine)
    planned = plan(compile_app(crm({"notes": None})), engine)
    data = json.loads(json.dumps(planned.to_data()))
    assert data["app"] == "crm" and data["destructive"] is True and data["blocked"] is False
    assert data["content_hash"] == compile_app(crm({"notes": None})).content_hash
    assert data["steps"] == [{
        "kind": "drop_column", "table": "crm__contact", "column": "notes",
        "description": "drop column crm__contact.notes", "destructive": True, "blocked": False,
        "reason": "`notes` is no longer a field of `Contact`",
        "loses": "the values of 2 rows (copied to an archive table first)",
        "details": {"values": 2}}]


def test_destructive_refusal_lists_every_step(engine: sa.Engine) -> None:
    seeded(engine)
    planned = plan(compile_app(crm({"notes": None, "score": None})), engine)
    with pytest.raises(DestructiveMigration) as exc:
        apply(planned, engine)
    assert isinstance(exc.value, MigrationError)
    assert [s.column for s in exc.value.steps] == ["notes", "score"]
    assert str(exc.value).splitlines()[0] == (
        "Migration of app `crm` not applied: 2 step(s) would lose data.")


def test_a_workflow_added_later_starts_existing_rows_in_the_initial_state(
        engine: sa.Engine) -> None:
    seeded(engine)
    v2 = CRM.replace(
        "  Company:\n", "  Company:\n    workflow: {states: [prospect, client]}\n")
    result = migrate(engine, v2)
    [step] = result.plan.steps[:1]
    assert step.kind is StepKind.ADD_COLUMN and step.column == "state"
    assert read(engine, v2, "Company", "state") == [("prospect",), ("prospect",)]
    assert {s.kind for s in result.plan.steps} == {StepKind.ADD_COLUMN, StepKind.CREATE_INDEX}


def test_a_longer_enum_value_widens_the_column(engine: sa.Engine) -> None:
    migrate(engine, crm({"stage": "{type: enum, values: [lead, customer]}"}))
    v2 = crm({"stage": "{type: enum, values: [lead, customer, "
                       "customer_with_a_long_support_contract]}"})
    [step] = plan(compile_app(v2), engine).steps
    assert (step.kind, step.description) == (
        StepKind.WIDEN_TYPE, "widen crm__contact.stage from string(32) to string(37)")


def test_a_rename_and_a_type_change_together(engine: sa.Engine) -> None:
    seeded(engine)
    v2 = crm({"score": None, "points": "{type: decimal, renamed_from: score}"})
    result = migrate(engine, v2)
    assert [s.kind for s in result.plan.steps] == [StepKind.RENAME_COLUMN,
                                                   StepKind.CHANGE_TYPE]
    assert [str(v) for (v,) in read(engine, v2, "Contact", "points")] == ["3.00", "None", "7.00"]


def test_changing_a_reference_target_with_dangling_values_fails_cleanly(
        engine: sa.Engine) -> None:
    seeded(engine)
    *_, far = insert(engine, CRM, "Company", [{"title": "C"}, {"title": "D"}])
    with engine.begin() as conn:  # no contact has this id
        conn.execute(sa.text("UPDATE crm__contact SET company = :far WHERE id = 3"), {"far": far})
    v2 = crm({"company": "{type: ref, to: Contact, on_delete: set_null}"})
    planned = plan(compile_app(v2), engine)
    [step] = planned.steps
    assert step.kind is StepKind.CHANGE_REFERENCE and step.destructive
    assert step.reason == ("3 values refer to records of crm__company; they would be read as "
                           "ids of crm__contact")
    before = snapshot(engine)
    with pytest.raises(MigrationError, match="rolled back; nothing was changed"):
        apply(planned, engine, allow_destructive=True)
    assert snapshot(engine) == before
