"""``verify_audit``: tampering with the audit trail is found and located."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from apiary.engine import AuditReport, verify_audit
from apiary.engine.audit import AuditEntry, entry_hash
from apiary.storage.system import AUDIT, AUDIT_HEAD
from tests.engine.worlds import World

COLUMNS = ("at", "app", "entity", "record_id", "action", "actor_id", "actor_email",
           "request_id", "changes", "from_state", "to_state", "comment", "prev_hash", "hash")


@pytest.fixture
def trail(helpdesk: World) -> tuple[World, list[int]]:
    agent = helpdesk["agent"]
    ticket = helpdesk.svc.create(agent, "Ticket", {
        "subject": "Tamper target", "description": "x", "category": "question"})
    for priority in ("low", "high", "normal"):
        helpdesk.svc.update(agent, "Ticket", ticket["id"], {"priority": priority})
    with helpdesk.db.connect() as conn:
        ids = list(conn.execute(sa.text(f"SELECT id FROM {AUDIT} ORDER BY id")).scalars())
    assert verify_audit(helpdesk.db).ok
    return helpdesk, ids


def execute(world: World, sql: str, **params: object) -> None:
    with world.db.begin() as conn:
        conn.execute(sa.text(sql), params)


def test_an_intact_trail(trail: tuple[World, list[int]]) -> None:
    world, _ = trail
    report = verify_audit(world.db)
    assert (report.ok, report.entries, report.problem) == (True, 4, None)


def test_an_empty_trail(helpdesk: World) -> None:
    assert verify_audit(helpdesk.db).ok


def test_a_database_that_was_never_migrated(db: sa.Engine) -> None:
    assert verify_audit(db) == AuditReport(ok=True, entries=0)


def test_an_edited_entry(trail: tuple[World, list[int]]) -> None:
    world, ids = trail
    execute(world, f"UPDATE {AUDIT} SET actor_email = 'someone@else.example' WHERE id = :id",
            id=ids[1])
    report = verify_audit(world.db)
    assert not report.ok and report.problem is not None
    assert (report.problem.kind, report.problem.entry_id, report.entries) == ("edited", ids[1], 1)


def test_a_deleted_entry(trail: tuple[World, list[int]]) -> None:
    world, ids = trail
    execute(world, f"DELETE FROM {AUDIT} WHERE id = :id", id=ids[1])
    report = verify_audit(world.db)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.entry_id) == ("missing", ids[2])


def test_reordered_entries(trail: tuple[World, list[int]]) -> None:
    world, ids = trail
    with world.db.begin() as conn:
        table = sa.Table(AUDIT, sa.MetaData(), autoload_with=conn)
        rows = {r["id"]: dict(r) for r in conn.execute(sa.select(table)).mappings()}
        for a, b in ((ids[1], ids[2]), (ids[2], ids[1])):
            values = {c: rows[b][c] for c in COLUMNS}
            values["hash"] = f"tmp-{a}" if a == ids[1] else rows[b]["hash"]
            conn.execute(sa.update(table).where(table.c.id == a).values(values))
        conn.execute(sa.update(table).where(table.c.id == ids[1])
                     .values(hash=rows[ids[2]]["hash"]))
    report = verify_audit(world.db)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.entry_id) == ("reordered", ids[1])
    assert f"follows entry {ids[2]}" in report.problem.message


def test_entries_removed_at_the_end(trail: tuple[World, list[int]]) -> None:
    world, ids = trail
    execute(world, f"DELETE FROM {AUDIT} WHERE id = :id", id=ids[-1])
    report = verify_audit(world.db)
    assert report.problem is not None
    assert (report.problem.kind, report.entries) == ("missing", 3)


def test_a_rewritten_entry_with_a_matching_hash_breaks_the_next_link(
        trail: tuple[World, list[int]]) -> None:
    world, ids = trail
    with world.db.begin() as conn:
        table = sa.Table(AUDIT, sa.MetaData(), autoload_with=conn)
        row = conn.execute(sa.select(table).where(table.c.id == ids[1])).mappings().one()
        rewritten = dataclasses.replace(AuditEntry.from_row(row),
                                        actor_email="forger@example.com")
        conn.execute(sa.update(table).where(table.c.id == ids[1]).values(
            actor_email="forger@example.com", hash=entry_hash(row["prev_hash"], rewritten)))
    report = verify_audit(world.db)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.entry_id) == ("missing", ids[2])


def test_a_missing_chain_head(trail: tuple[World, list[int]]) -> None:
    world, _ = trail
    execute(world, f"DELETE FROM {AUDIT_HEAD}")
    assert verify_audit(world.db).problem is not None
