"""Checking the audit trail's hash chain: ``apiary audit verify``.

Entries are read in id order and each one's hash is recomputed from its content and its
predecessor's hash. The first problem found is reported with the entry it concerns:

- *edited*: the entry's content no longer matches its hash;
- *missing*: the entry's ``prev_hash`` names no entry at all, so the one before it was removed
  (or, at the end, the head names an entry that is gone);
- *reordered*: the entry's ``prev_hash`` names an entry other than the one before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa

from apiary.engine.audit import GENESIS, HEAD_ID, AuditEntry, entry_hash
from apiary.storage.system import AUDIT, AUDIT_HEAD, system_metadata

BATCH: Final = 1000


@dataclass(frozen=True, slots=True)
class AuditProblem:
    kind: str
    """edited, missing or reordered."""
    entry_id: int | None
    message: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    ok: bool
    entries: int
    """How many entries were checked."""
    problem: AuditProblem | None = None


def verify_audit(db: sa.Engine) -> AuditReport:
    """Check the whole chain; stops at the first problem. A database without an audit table
    (never migrated) has nothing to check."""
    tables = system_metadata().tables
    audit, head = tables[AUDIT], tables[AUDIT_HEAD]
    checked, prev, last_id = 0, GENESIS, 0
    broken: sa.RowMapping | None = None
    with db.connect() as conn:
        if not sa.inspect(conn).has_table(AUDIT):
            return AuditReport(ok=True, entries=0)
        result = conn.execution_options(yield_per=BATCH).execute(
            sa.select(audit).order_by(audit.c.id))
        try:
            for row in result.mappings():
                if row["prev_hash"] != prev or _rehash(row) != row["hash"]:
                    broken = row
                    break
                checked, prev, last_id = checked + 1, row["hash"], row["id"]
        finally:
            result.close()
        if broken is not None:
            return AuditReport(ok=False, entries=checked,
                               problem=_explain(conn, audit, broken, prev))
        stored = conn.execute(sa.select(head).where(head.c.id == HEAD_ID)).mappings().first()
    if (stored is None and checked) or (stored is not None and (
            stored["hash"] != prev or stored["last_id"] != last_id)):
        after = f"after entry {last_id}" if checked else "from the start"
        return AuditReport(ok=False, entries=checked, problem=AuditProblem(
            "missing", last_id or None,
            f"Audit entries {after} are missing: the chain head does not match the last "
            "entry. Restore the audit table from a backup."))
    return AuditReport(ok=True, entries=checked)


def _rehash(row: sa.RowMapping) -> str:
    return entry_hash(row["prev_hash"], AuditEntry.from_row(row))


def _explain(conn: sa.Connection, audit: sa.Table, row: sa.RowMapping,
             prev: str) -> AuditProblem:
    entry_id = row["id"]
    if _rehash(row) != row["hash"]:
        return AuditProblem("edited", entry_id, f"Audit entry {entry_id} was edited: its content "
                            "no longer matches its hash.")
    if row["prev_hash"] == GENESIS:
        return AuditProblem("reordered", entry_id, f"Audit entry {entry_id} claims to be the "
                            "first entry but is not.")
    linked = conn.execute(sa.select(audit.c.id).where(audit.c.hash == row["prev_hash"])
                          ).scalar_one_or_none()
    if linked is None:
        return AuditProblem("missing", entry_id, f"The audit entry before entry {entry_id} is "
                            "missing: it was deleted (or rewritten along with its hash).")
    return AuditProblem("reordered", entry_id, f"Audit entry {entry_id} is out of order: it "
                        f"follows entry {linked}, not the entry before it.")
