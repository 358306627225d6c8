"""The audit trail: one entry per change, written in the same transaction as the change.

Entries form a hash chain: ``hash = sha256(prev_hash + canonical JSON of the entry)``, the first
entry chaining from :data:`GENESIS`. The single row of ``apiary_audit_head`` holds the last
entry's id and hash. Appending reads that row with ``FOR UPDATE`` (on SQLite the write
transaction already holds the database's write lock, taken at ``BEGIN IMMEDIATE``), so
concurrent writers append one after the other and the chain cannot fork. Every writer takes the
head lock last, after its row locks, and holds nothing else anyone waits for, so it cannot
deadlock.

Values of personal-data fields are never written: their change is recorded as
``{"changed": true}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from apiary.definition.compiled import Field
from apiary.engine.serialize import field_json

GENESIS: Final = "0" * 64
HEAD_ID: Final = 1
MASKED: Final = {"changed": True}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What one change did; ``changes`` is ``{field: {"before": x, "after": y}}``."""

    at: dt.datetime
    app: str
    entity: str
    record_id: int
    action: str
    actor_id: int | None
    actor_email: str | None
    request_id: str | None
    changes: Mapping[str, Any] = field(default_factory=dict)
    from_state: str | None = None
    to_state: str | None = None
    comment: str | None = None

    def content(self) -> dict[str, Any]:
        """Everything the hash covers (all columns but id and the hashes)."""
        return {
            "at": self.at.isoformat(timespec="microseconds"), "app": self.app,
            "entity": self.entity, "record_id": self.record_id, "action": self.action,
            "actor_id": self.actor_id, "actor_email": self.actor_email,
            "request_id": self.request_id, "changes": dict(self.changes),
            "from_state": self.from_state, "to_state": self.to_state, "comment": self.comment,
        }

    @classmethod
    def from_row(cls, row: sa.RowMapping) -> AuditEntry:
        return cls(at=row["at"], app=row["app"], entity=row["entity"],
                   record_id=row["record_id"], action=row["action"], actor_id=row["actor_id"],
                   actor_email=row["actor_email"], request_id=row["request_id"],
                   changes=row["changes"], from_state=row["from_state"],
                   to_state=row["to_state"], comment=row["comment"])


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    canonical = json.dumps(entry.content(), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def changes(fields: Iterable[Field], before: Mapping[str, Any] | None,
            after: Mapping[str, Any] | None) -> dict[str, Any]:
    """The fields whose JSON value differs between two versions of a record (None: absent)."""
    out: dict[str, Any] = {}
    for f in fields:
        old = field_json(f, before) if before is not None else None
        new = field_json(f, after) if after is not None else None
        if old != new:
            out[f.name] = dict(MASKED) if f.pii else {"before": old, "after": new}
    return out


class AuditLog:
    """Appends entries to the chain; statements are built once per app version."""

    def __init__(self, audit: sa.Table, head: sa.Table, dialect: str) -> None:
        self.table = audit
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self._insert = sa.insert(audit)
        self._start = (insert(head).values(id=HEAD_ID, last_id=0, hash=GENESIS)
                       .on_conflict_do_nothing(index_elements=["id"]))
        self._head = sa.select(head.c.hash).where(head.c.id == HEAD_ID).with_for_update()
        self._move = sa.update(head).where(head.c.id == HEAD_ID)

    def append(self, conn: sa.Connection, entries: Sequence[AuditEntry]) -> None:
        """Add ``entries`` to the chain, inside the caller's transaction."""
        if not entries:
            return
        prev = conn.execute(self._head).scalar()
        if prev is None:
            conn.execute(self._start)
            prev = conn.execute(self._head).scalar_one()
        last_id = 0
        for entry in entries:
            digest = entry_hash(prev, entry)
            params = entry.content()
            params.update(at=entry.at, prev_hash=prev, hash=digest)
            key = conn.execute(self._insert, params).inserted_primary_key
            assert key is not None
            last_id, prev = int(key[0]), digest
        conn.execute(self._move, {"last_id": last_id, "hash": prev})


def record_entries(conn: sa.Connection, audit: sa.Table, app: str, entity: str,
                   record_id: int) -> list[sa.RowMapping]:
    """The entries of one record, oldest first."""
    query = (sa.select(audit)
             .where(audit.c.app == app, audit.c.entity == entity, audit.c.record_id == record_id)
             .order_by(audit.c.id))
    return list(conn.execute(query).mappings())
