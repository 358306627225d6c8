"""Applying migrations on both databases: data kept, data archived, everything or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from apiary.storage import (
    SYSTEM_TABLES,
    AppTables,
    BlockedMigration,
    DestructiveMigration,
    MigrationConflict,
    MigrationError,
    StepKind,
    apply,
    last_migration,
    plan,
)
from tests.storage.apps import (
    CRM,
    compile_app,
    crm,
    insert,
    migrate,
    read,
    seeded,
    select,
    snapshot,
    tables,
)


def archives(engine: sa.Engine) -> list[str]:
    return sorted(t for t in tables(engine) if t.startswith("apiary_archive_"))


def test_first_migration_creates_everything_and_records_it(engine: sa.Engine) -> None:
    app = compile_app(CRM)
    result = apply(plan(app, engine), engine)
    assert result.applied and result.archives == ()
    assert {"apiary_users", "apiary_migrations", "crm__contact", "crm__company"} <= \
        tables(engine)
    record = last_migration(engine, "crm")
    assert record is not None and record.id == result.migration_id
    assert record.content_hash == app.content_hash
    assert record.document == app.document
    assert [s["kind"] for s in record.steps] == ["create_table"] * (2 + len(SYSTEM_TABLES))
    again = plan(app, engine)
    assert again.empty
    unchanged = apply(again, engine)
    assert unchanged.migration_id is None
    assert unchanged.summary == "nothing to do; the database is up to date."
    assert select(engine, "apiary_migrations", "id") == [(result.migration_id,)]


def test_adding_fields_keeps_rows_and_fills_defaults(engine: sa.Engine) -> None:
    seeded(engine)
    v2 = crm({
        "city": "string",
        "active": "{type: boolean, required: true, default: true}",
        "level": "{type: enum, values: [lead, customer], required: true, default: lead}",
        "since": "{type: date, required: true, default: today}",
    })
    result = migrate(engine, v2)
    assert {s.kind for s in result.plan.steps} == {StepKind.ADD_COLUMN}
    assert not result.plan.destructive
    rows = read(engine, v2, "Contact", "name", "notes", "city", "active", "level", "since")
    today = dt.datetime.now(dt.UTC).date()
    assert [r[:5] for r in rows] == [("Ada Lovelace", "first", None, True, "lead"),
                                     ("Grace", None, None, True, "lead"),
                                     ("Linus", "third", None, True, "lead")]
    assert all(r[5] in (today, today - dt.timedelta(days=1)) for r in rows)
    assert plan(compile_app(v2), engine).empty


def test_a_required_field_without_default_is_blocked_on_a_table_with_rows(
        engine: sa.Engine) -> None:
    seeded(engine)
    v2 = crm({"city": "{type: string, required: true}"})
    planned = plan(compile_app(v2), engine)
    [step] = planned.blocked
    assert step.hint == "give it a default or make it optional first"
    assert "the table has 3 rows" in (step.reason or "")
    before = snapshot(engine)
    for allow in (False, True):
        with pytest.raises(BlockedMigration, match="give it a default or make it optional"):
            apply(planned, engine, allow_destructive=allow)
    assert snapshot(engine) == before


def test_a_required_field_is_fine_on_an_empty_table(engine: sa.Engine) -> None:
    migrate(engine, CRM)
    migrate(engine, crm({"city": "{type: string, required: true}"}))
    with engine.connect() as conn:
        city = next(c for c in sa.inspect(conn).get_columns("crm__contact")
                    if c["name"] == "city")
    assert city["nullable"] is False


def test_renaming_fields_keeps_their_values(engine: sa.Engine) -> None:
    acme, _ = seeded(engine)
    v2 = crm({"name": None, "email": None,
              "full_name": "{type: string, required: true, max_length: 100, "
                           "renamed_from: name}",
              "mail": "{type: email, unique: true, renamed_from: email}"},
             {"budget": None, "funds": "{type: money, renamed_from: budget}"})
    result = migrate(engine, v2)
    kinds = [s.kind for s in result.plan.steps]
    assert kinds.count(StepKind.RENAME_COLUMN) == 4  # money keeps its currency column
    assert not result.plan.destructive
    assert read(engine, v2, "Contact", "full_name", "mail") == [
        ("Ada Lovelace", "ada@example.com"), ("Grace", "grace@example.com"),
        ("Linus", "linus@example.com")]
    assert read(engine, v2, "Company", "id", "funds", "funds_currency")[0] == (
        acme, Decimal("1000.50"), "EUR")
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, v2, "Contact", [{"full_name": "x", "mail": "ada@example.com"}])
    assert plan(compile_app(v2), engine).empty


def test_renaming_an_entity_keeps_rows_and_references(engine: sa.Engine) -> None:
    acme, zeta = seeded(engine)
    v2 = crm({"company": "{type: ref, to: Organisation, on_delete: set_null}"},
             company_entity="Organisation")
    result = migrate(engine, v2)
    assert [s.description for s in result.plan.steps if s.kind is StepKind.RENAME_TABLE] == [
        "rename table crm__company to crm__organisation (entity `Organisation` was `Company`)"]
    assert not result.plan.destructive
    assert "crm__company" not in tables(engine)
    assert read(engine, v2, "Organisation", "id", "title") == [(acme, "Acme"), (zeta, "Zeta")]
    assert plan(compile_app(v2), engine).empty
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, v2, "Contact", [{"name": "x", "company": 999}])
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM crm__organisation WHERE id = :id"), {"id": acme})
    assert read(engine, v2, "Contact", "company") == [(None,), (zeta,), (None,)]
    # the old name is free again, primary key and sequence names included
    v3 = v2 + "  Company:\n    fields: {title: string}\n"
    migrate(engine, v3)
    [new] = insert(engine, v3, "Company", [{"title": "new"}])
    assert new == 1


def test_dropping_a_field_needs_permission_and_archives_its_values(engine: sa.Engine) -> None:
    seeded(engine)
    v2 = crm({"notes": None})
    planned = plan(compile_app(v2), engine)
    [step] = planned.destructive
    assert step.kind is StepKind.DROP_COLUMN and step.column == "notes"
    assert step.reason == "`notes` is no longer a field of `Contact`"
    assert step.loses == "the values of 2 rows (copied to an archive table first)"
    before = snapshot(engine)
    with pytest.raises(DestructiveMigration) as exc:
        apply(planned, engine)
    assert "drop column crm__contact.notes" in str(exc.value)
    assert "no longer a field of `Contact`" in str(exc.value)
    assert snapshot(engine) == before

    result = apply(planned, engine, allow_destructive=True)
    archive = f"apiary_archive_{result.migration_id}_crm__contact"
    assert result.archives == (archive,)
    assert result.summary == (f"applied 1 step as migration {result.migration_id}. "
                              f"Removed data was kept in {archive}.")
    assert select(engine, archive, "id", "notes") == [(1, "first"), (2, None), (3, "third")]
    assert read(engine, v2, "Contact", "name", "email", "score") == [
        ("Ada Lovelace", "ada@example.com", 3), ("Grace", "grace@example.com", None),
        ("Linus", "linus@example.com", 7)]
    with engine.connect() as conn:
        assert "notes" not in {c["name"] for c in sa.inspect(conn).get_columns("crm__contact")}
    record = last_migration(engine, "crm")
    assert record is not None and record.steps[0]["archive"] == archive


def test_dropping_what_holds_no_data_is_not_destructive(engine: sa.Engine) -> None:
    migrate(engine, CRM)
    insert(engine, CRM, "Contact", [{"name": "a"}])
    v2 = crm({"notes": None, "company": None}, without_company=True)
    planned = plan(compile_app(v2), engine)
    assert sorted(s.kind for s in planned.steps) == [StepKind.DROP_COLUMN,
                                                     StepKind.DROP_COLUMN,
                                                     StepKind.DROP_INDEX,
                                                     StepKind.DROP_TABLE]
    assert not planned.destructive
    result = apply(planned, engine)
    assert result.archives == ()
    assert "crm__company" not in tables(engine)


def test_dropping_an_entity_archives_its_rows(engine: sa.Engine) -> None:
    acme, zeta = seeded(engine)
    v2 = crm({"company": None}, without_company=True)
    planned = plan(compile_app(v2), engine)
    assert {s.kind for s in planned.destructive} == {StepKind.DROP_TABLE, StepKind.DROP_COLUMN}
    result = apply(planned, engine, allow_destructive=True)
    company_archive = f"apiary_archive_{result.migration_id}_crm__company"
    assert company_archive in result.archives
    assert select(engine, company_archive, "id", "title", "size") == [
        (acme, "Acme", "10"), (zeta, "Zeta", " 25 ")]
    assert "crm__company" not in tables(engine)
    assert read(engine, v2, "Contact", "name") == [("Ada Lovelace",), ("Grace",), ("Linus",)]


def test_narrowing_cuts_only_when_allowed_and_archives_the_originals(engine: sa.Engine) -> None:
    seeded(engine)
    fits = crm({"name": "{type: string, required: true, max_length: 12}"})
    planned = plan(compile_app(fits), engine)
    [step] = planned.steps
    assert step.kind is StepKind.NARROW_TYPE and not step.destructive
    apply(planned, engine)
    narrow = crm({"name": "{type: string, required: true, max_length: 5}"})
    planned = plan(compile_app(narrow), engine)
    [step] = planned.steps
    assert step.destructive and step.details["affected"] == 1
    assert "values longer than 5 characters are cut (1 of 3 values)" in (step.reason or "")
    with pytest.raises(DestructiveMigration):
        apply(planned, engine)
    result = apply(planned, engine, allow_destructive=True)
    assert read(engine, narrow, "Contact", "name") == [("Ada L",), ("Grace",), ("Linus",)]
    assert select(engine, result.archives[0], "name")[0] == ("Ada Lovelace",)
    with engine.connect() as conn:
        name = next(c for c in sa.inspect(conn).get_columns("crm__contact")
                    if c["name"] == "name")
    assert isinstance(name["type"], sa.String) and name["type"].length == 5
    assert name["nullable"] is False


def test_widening_keeps_values(engine: sa.Engine) -> None:
    seeded(engine)
    v2 = crm({"name": "{type: text, required: true}",
              "email": "{type: string, max_length: 400}"})
    result = migrate(engine, v2)
    assert {s.kind for s in result.plan.steps} == {StepKind.WIDEN_TYPE}
    assert result.archives == ()
    assert read(engine, v2, "Contact", "name", "email")[0] == ("Ada Lovelace", "ada@example.com")
    assert plan(compile_app(v2), engine).empty


def test_changing_types_converts_values(engine: sa.Engine) -> None:
    seeded(engine)
    v2 = crm({"score": "{type: decimal, scale: 1}"}, {"size": "integer"})
    planned = plan(compile_app(v2), engine)
    by_column = {s.column: s for s in planned.steps}
    assert not by_column["score"].destructive  # every integer fits numeric(18,1)
    assert by_column["size"].destructive  # text might not be a number
    result = apply(planned, engine, allow_destructive=True)
    assert read(engine, v2, "Company", "size") == [(10,), (25,)]
    assert read(engine, v2, "Contact", "score") == [(Decimal("3.0"),), (None,), (Decimal("7.0"),)]
    assert select(engine, f"apiary_archive_{result.migration_id}_crm__company", "size") == [
        ("10",), (" 25 ",)]
    assert plan(compile_app(v2), engine).empty


def test_a_failure_half_way_leaves_everything_as_it_was(engine: sa.Engine) -> None:
    seeded(engine)
    insert(engine, CRM, "Company", [{"title": "Big", "size": "big"}])
    v2 = crm({"city": "string", "notes": None,
              "remarks": "{type: text, renamed_from: notes}"}, {"size": "integer"},
             more="  Tag:\n    fields: {label: string}\n")
    planned = plan(compile_app(v2), engine)
    assert len(planned.steps) == 4
    before = snapshot(engine)
    with pytest.raises(MigrationError) as exc:
        apply(planned, engine, allow_destructive=True)
    message = str(exc.value)
    assert "rolled back; nothing was changed" in message
    assert "change the type of crm__company.size from string(255) to integer" in message
    assert "the value 'big' of crm__company.size in the row with id 3 is not a valid integer" \
        in message
    assert (exc.value.table, exc.value.column) == ("crm__company", "size")
    assert snapshot(engine) == before
    assert archives(engine) == []


def test_values_of_personal_data_are_not_shown_in_errors(engine: sa.Engine) -> None:
    text = "app: hr\nentities:\n  Person:\n    fields: {code: {type: string, pii: true}}\n"
    migrate(engine, text)
    insert(engine, text, "Person", [{"code": "secret-123"}])
    with pytest.raises(MigrationError) as exc:
        migrate(engine, text.replace("type: string", "type: integer"), allow_destructive=True)
    assert "the value (hidden: personal data) of hr__person.code" in str(exc.value)
    assert "secret" not in str(exc.value)


def test_making_a_field_required_over_empty_values(engine: sa.Engine) -> None:
    seeded(engine)
    v2 = crm({"score": "{type: integer, required: true}"})
    planned = plan(compile_app(v2), engine)
    [step] = planned.blocked
    assert step.reason == "1 row has no value for `score`, which has no default"
    with pytest.raises(BlockedMigration, match="1 row has no value for `score`"):
        apply(planned, engine, allow_destructive=True)
    v3 = crm({"score": "{type: integer, required: true, default: 0}"})
    result = migrate(engine, v3)
    assert result.plan.steps[0].description == (
        "make crm__contact.score required; the 1 row without a value get 0")
    assert read(engine, v3, "Contact", "score") == [(3,), (0,), (7,)]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("UPDATE crm__contact SET score = NULL"))


def test_unique_over_duplicates_is_blocked_with_a_count(engine: sa.Engine) -> None:
    seeded(engine)
    insert(engine, CRM, "Contact", [{"name": "Ada again", "email": "ada@example.com"}])
    v2 = crm({"email": "{type: email, unique: true}"})
    planned = plan(compile_app(v2), engine)
    [step] = planned.blocked
    assert step.reason == "2 rows share their value of `email` with another row"
    assert step.details["duplicates"] == 2
    with pytest.raises(BlockedMigration, match="make those values unique first"):
        apply(planned, engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE crm__contact SET email = NULL WHERE name = 'Ada again'"))
    migrate(engine, v2)
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, v2, "Contact", [{"name": "x", "email": "grace@example.com"}])


def test_apps_sharing_a_database_do_not_touch_each_other(engine: sa.Engine) -> None:
    seeded(engine)
    other = CRM.replace("app: crm", "app: crm-archive")
    migrate(engine, other)
    insert(engine, other, "Company", [{"title": "Other"}])
    theirs = {k: v for k, v in snapshot(engine).items() if k.startswith("crm_archive__")}
    v2 = crm({"company": None}, without_company=True)
    planned = plan(compile_app(v2), engine)
    assert {s.table for s in planned.steps} == {"crm__company", "crm__contact"}
    apply(planned, engine, allow_destructive=True)
    assert {k: v for k, v in snapshot(engine).items() if k.startswith("crm_archive__")} == theirs
    assert plan(compile_app(other), engine).empty


def test_rebuilt_tables_keep_children_self_references_and_ids(engine: sa.Engine) -> None:
    text = """\
        app: tree
        entities:
          Node:
            fields:
              label: string
              parent: {type: ref, to: Node, on_delete: cascade}
          Leaf:
            fields:
              node: {type: ref, to: Node, required: true, on_delete: cascade}
        """
    migrate(engine, text)
    root, child, spare = insert(engine, text, "Node", [{"label": "7"}, {"label": "8"},
                                                        {"label": "9"}])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE tree__node SET parent = :r WHERE id = :c"),
                     {"r": root, "c": child})
        conn.execute(sa.text("DELETE FROM tree__node WHERE id = :s"), {"s": spare})
    insert(engine, text, "Leaf", [{"node": root}, {"node": child}])
    v2 = text.replace("label: string", "label: integer")
    migrate(engine, v2, allow_destructive=True)
    # dropping the old table during a rebuild must not cascade to the leaves
    assert read(engine, v2, "Leaf", "node") == [(root,), (child,)]
    assert read(engine, v2, "Node", "label", "parent") == [(7, None), (8, root)]
    [new] = insert(engine, v2, "Node", [{"label": 10}])
    assert new == spare + 1  # ids of deleted rows are not reused
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, v2, "Leaf", [{"node": 999}])
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM tree__node WHERE id = :r"), {"r": root})
    assert read(engine, v2, "Node", "id") == [(new,)]
    assert read(engine, v2, "Leaf", "node") == []
    assert plan(compile_app(v2), engine).empty


def test_changing_on_delete_of_a_reference(engine: sa.Engine) -> None:
    acme, _ = seeded(engine)
    v2 = crm({"company": "{type: ref, to: Company, on_delete: cascade}"})
    result = migrate(engine, v2)
    [step] = result.plan.steps
    assert step.kind is StepKind.CHANGE_REFERENCE and not step.destructive
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM crm__company WHERE id = :id"), {"id": acme})
    assert read(engine, v2, "Contact", "name") == [("Grace",), ("Linus",)]
    assert plan(compile_app(v2), engine).empty


def test_sql_keyword_names_survive_every_kind_of_change(engine: sa.Engine) -> None:
    text = """\
        app: order
        entities:
          Order:
            fields:
              order: {type: string, unique: true}
              select: integer
              group: text
        """
    migrate(engine, text)
    insert(engine, text, "Order", [{"order": "1", "select": 2, "group": "g"}])
    v2 = """\
        app: order
        entities:
          Order:
            fields:
              from: {type: string, unique: true, renamed_from: order}
              select: {type: string, max_length: 10}
              table: {type: integer, required: true, default: 5}
        """
    migrate(engine, v2, allow_destructive=True)
    assert read(engine, v2, "Order", "from", "select", "table") == [("1", "2", 5)]
    assert plan(compile_app(v2), engine).empty


def test_a_plan_made_before_the_database_changed_is_refused(engine: sa.Engine) -> None:
    seeded(engine)
    v2 = crm({"city": "string"})
    stale = plan(compile_app(v2), engine)
    migrate(engine, v2)
    with pytest.raises(MigrationConflict, match="make the plan again"):
        apply(stale, engine)


def test_each_destructive_migration_has_its_own_archive(engine: sa.Engine) -> None:
    seeded(engine)
    first = migrate(engine, crm({"notes": None}), allow_destructive=True)
    second = migrate(engine, crm({"notes": None, "score": None}), allow_destructive=True)
    assert first.archives != second.archives
    assert archives(engine) == sorted([*first.archives, *second.archives])
    assert select(engine, second.archives[0], "score") == [(3,), (None,), (7,)]


def test_system_tables_are_only_ever_added_to(engine: sa.Engine) -> None:
    migrate(engine, CRM)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE apiary_users ADD COLUMN added_later VARCHAR(10)")
        conn.exec_driver_sql("DROP INDEX ix_apiary_migrations__app")
    planned = plan(compile_app(CRM), engine)
    assert [s.description for s in planned.steps] == [
        "create index ix_apiary_migrations__app on apiary_migrations (app)"]
    apply(planned, engine)
    users = AppTables(compile_app(CRM)).users
    with engine.connect() as conn:
        assert "added_later" in {c["name"] for c in sa.inspect(conn).get_columns(users.name)}


def test_a_renamed_table_keeps_counting_ids(engine: sa.Engine) -> None:
    seeded(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM crm__contact WHERE id = 3"))
    v2 = crm({"name": None, "full_name": "{type: string, renamed_from: name}"},
             company_entity="Organisation").replace("to: Company", "to: Organisation")
    migrate(engine, v2)
    assert insert(engine, v2, "Contact", [{"full_name": "new"}]) == [4]
    assert insert(engine, v2, "Organisation", [{"title": "new"}]) == [3]
