"""The record service: the one write path and read path every surface calls.

``runtime.records(app)`` returns a :class:`RecordService` bound to the app version published at
that moment. Each change runs authorise -> check and build the record -> save -> audit in one
database transaction; reads carry the principal's row-level rule in their WHERE clause and
select only the fields they may read.

Order of refusals, the same for every operation: an operation the principal's roles never
allow is 403 before anything is read; a record they may not read is 404 (existence is not
revealed); ``if_match`` is checked next (412); then the row-level rule of the operation (403),
then the data (422). An update must also leave the record within the updater's update rule,
as PostgreSQL's ``WITH CHECK`` does, so nobody can hand a record to somebody else's scope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from apiary.definition.compiled import FieldType, Operation
from apiary.engine import audit, candidate, references, workflows
from apiary.engine.aggregates import Aggregate, AggregatePlan, AggregateQuery
from apiary.engine.audit import AuditEntry
from apiary.engine.errors import (
    BadRequest,
    Conflict,
    EngineError,
    FieldProblem,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
)
from apiary.engine.expansion import expand, targets
from apiary.engine.integrity import translate
from apiary.engine.listing import (
    ListQuery,
    Page,
    after,
    check_limit,
    compile_filter,
    decode_cursor,
    encode_cursor,
    equals_conditions,
    ordering,
    sort_keys,
)
from apiary.engine.plans import AppPlan, EntityPlan
from apiary.engine.principal import Principal
from apiary.engine.reading import Reader, where
from apiary.engine.serialize import datetime_json
from apiary.engine.transactions import read_transaction, write_transaction
from apiary.expr import EvalContext

Clock = Callable[[], datetime]
Records = list[dict[str, Any]]
_USES_TIME = re.compile(r"\b(now|today)\b")
"""Filters naming these are compiled per request: their value changes while a statement waits."""
_WRITE_VERBS = {Operation.CREATE: "create", Operation.UPDATE: "change",
                Operation.DELETE: "delete", Operation.READ: "read"}


class RecordService:
    """Records of one app version, for any principal. Cheap to create; holds no connection."""

    def __init__(self, db: sa.Engine, plan: AppPlan, clock: Clock) -> None:
        self._db = db
        self._app = plan
        self._clock = clock

    @property
    def app(self) -> AppPlan:
        return self._app

    # -- reading ----------------------------------------------------------------------------
    def list(self, p: Principal, entity: str, query: ListQuery | None = None) -> Page:
        """One page of the records ``p`` may read, filtered and sorted as asked."""
        query = query or ListQuery()
        plan, ctx = self._entity(entity), self._context(p)
        self._require(plan, p, Operation.READ)
        check_limit(query.limit)
        reader = Reader.of(plan, p.roles, ctx)
        filter_text = query.filter.strip() if query.filter else ""

        def conditions() -> list[sa.ColumnElement[bool]]:
            """The caller's filter and equality shortcuts (the read rule is in the reader)."""
            out = []
            if filter_text:
                out.append(compile_filter(filter_text, reader.shape, plan.columns, ctx,
                                          plan.dialect))
            out.extend(equals_conditions(plan.entity, reader.shape, plan.columns, query.equals))
            return out

        keys = sort_keys(plan.entity, reader.shape, plan.columns, query.sort)
        expansions = targets(plan, reader.shape, query.expand)
        cursor_values = None if query.after is None else decode_cursor(keys, query.after)

        def page() -> sa.Select[Any]:
            statement = where(reader.select(), *conditions())
            if cursor_values is not None:
                statement = statement.where(after(keys, cursor_values)[0])
            return statement.order_by(*ordering(keys)).limit(query.limit + 1)

        params = {} if cursor_values is None else after(keys, cursor_values)[1]
        if _USES_TIME.search(filter_text):
            statement = page()  # `now` moves: compiled afresh for every request
        else:
            # A statement reused for the same filter keeps its compiled form and SQLAlchemy
            # cache key; the reader belongs to one principal, so user values are fixed in it.
            shape = (tuple(query.sort), query.limit, cursor_values is None or tuple(
                v is None for v in cursor_values), filter_text, tuple(sorted(query.equals.items())))
            statement = reader.page(shape, page)
        positions = [reader.shape.index[k.name] for k in keys]
        with read_transaction(self._db) as conn:
            rows = conn.execute(statement, params).all()
            total = None
            if query.count:
                counting = where(sa.select(sa.func.count()).select_from(plan.table),
                                 reader.predicate, *conditions())
                total = int(conn.execute(counting).scalar_one())
            items = [reader.record(row) for row in rows[:query.limit]]
            expand(conn, self._app, p.roles, ctx, items, expansions)
        cursor = None
        if len(rows) > query.limit:
            last = rows[query.limit - 1]
            cursor = encode_cursor(keys, [last[i] for i in positions])
        return Page(items=items, next=cursor, total=total)

    def get(self, p: Principal, entity: str, id: int,
            expand: Sequence[str] = ()) -> dict[str, Any]:
        plan, ctx = self._entity(entity), self._context(p)
        self._require(plan, p, Operation.READ)
        reader = Reader.of(plan, p.roles, ctx)
        expansions = targets(plan, reader.shape, expand)
        with read_transaction(self._db) as conn:
            record = reader.one(conn, id) if _valid_id(id) else None
            if record is None:
                raise _not_found(plan, id)
            _expand(conn, self._app, p.roles, ctx, [record], expansions)
        return record

    def aggregate(self, p: Principal, entity: str, query: AggregateQuery) -> Aggregate:
        """A count, sum, average, minimum or maximum over the records ``p`` may read.

        One statement, with the read rule and ``query.filter`` in its WHERE clause (see
        :mod:`apiary.engine.aggregates`); grouped by a ref, the referenced records are then
        read as ``expand`` reads them, so a label never shows what ``p`` may not read.
        """
        plan, ctx = self._entity(entity), self._context(p)
        self._require(plan, p, Operation.READ)
        reader = Reader.of(plan, p.roles, ctx)
        prepared = AggregatePlan(plan, reader.shape, reader.predicate, query, ctx)
        with read_transaction(self._db) as conn:
            result = prepared.read(conn.execute(prepared.statement).all())
            if prepared.target is not None:
                items = [{"key": b.key} for b in result.buckets if b.key is not None]
                expand(conn, self._app, p.roles, ctx, items, [("key", prepared.target)])
                result = replace(result, refs={item["key"]["id"]: item["key"] for item in items},
                                 target=prepared.target)
        return result

    def history(self, p: Principal, entity: str, id: int) -> Records:
        """The audit entries of a record, oldest first, for those who may read the record."""
        plan, ctx = self._entity(entity), self._context(p)
        self._require(plan, p, Operation.READ)
        reader = Reader.of(plan, p.roles, ctx)
        with read_transaction(self._db) as conn:
            if not _valid_id(id) or reader.one(conn, id) is None:
                raise _not_found(plan, id)
            rows = audit.record_entries(conn, self._app.audit.table, self._app.app.name,
                                        plan.name, id)
        readable = reader.shape.names
        return [_history_item(row, readable) for row in rows]

    # -- writing ----------------------------------------------------------------------------
    def create(self, p: Principal, entity: str, data: Mapping[str, Any]) -> dict[str, Any]:
        plan, ctx = self._entity(entity), self._context(p)
        self._require(plan, p, Operation.CREATE)
        with write_transaction(self._db) as conn:
            return self._insert(conn, plan, p, ctx, data)

    def create_many(self, p: Principal, entity: str, rows: Sequence[Mapping[str, Any]]
                    ) -> Sequence[dict[str, Any] | EngineError]:
        """Create a record per row in one transaction: for each row, the record or why it was
        refused. Each row runs in a savepoint, so a refused row leaves no trace and does not
        hold the others back; importers load thousands of rows this way, with every rule and
        audit entry of :meth:`create`, without paying for a commit per row."""
        plan, ctx = self._entity(entity), self._context(p)
        self._require(plan, p, Operation.CREATE)
        results: list[dict[str, Any] | EngineError] = []
        with write_transaction(self._db) as conn:
            for data in rows:
                savepoint = conn.begin_nested()
                try:
                    results.append(self._insert(conn, plan, p, ctx, data))
                except EngineError as exc:
                    savepoint.rollback()
                    results.append(exc)
                else:
                    savepoint.commit()
        return results

    def _insert(self, conn: sa.Connection, plan: EntityPlan, p: Principal, ctx: EvalContext,
                data: Mapping[str, Any]) -> dict[str, Any]:
        values, problems = candidate.take_input(plan.entity, p.roles, _mapping(data))
        now = ctx.now_utc
        record = candidate.defaults(plan.entity, ctx)
        record.update(values)
        record.update(id=None, created_at=now, updated_at=now, created_by=p.user_id,
                      updated_by=p.user_id, row_version=1)
        candidate.finish(plan.entity, record, ctx, problems)
        problems.extend(references.missing_targets(conn, self._app, plan.entity, p.roles,
                                                   ctx, values))
        if problems:
            raise Invalid(problems)
        if not plan.permissions.holds(p.roles, Operation.CREATE, record, ctx):
            raise Forbidden(f"You may not create this {plan.entity.label}: your role's "
                            "create rule does not allow these values.")
        stored = {k: v for k, v in record.items() if k != "id"}
        try:
            key = conn.execute(sa.insert(plan.table).values(stored)).inserted_primary_key
        except sa.exc.IntegrityError as exc:
            raise _integrity(exc, plan) from None
        assert key is not None
        record["id"] = record_id = int(key[0])
        changes = audit.changes(plan.entity.stored_fields, None, record)
        self._audit(conn, p, ctx, plan, record_id, "create", changes)
        return self._result(conn, plan, p, ctx, record_id)

    def update(self, p: Principal, entity: str, id: int, data: Mapping[str, Any],
               if_match: int | None = None) -> dict[str, Any]:
        """Change the fields in ``data`` (a partial update)."""
        plan, ctx = self._entity(entity), self._context(p)
        self._require(plan, p, Operation.UPDATE)
        values, problems = candidate.take_input(plan.entity, p.roles, _mapping(data))
        with write_transaction(self._db) as conn:
            before, allowed = self._lock(conn, plan, p, ctx, id, Operation.UPDATE, if_match)
            if not allowed:
                raise _row_forbidden(plan, Operation.UPDATE)
            after_ = {**before, **values}
            changed_refs = {k: v for k, v in values.items() if before.get(k) != v}
            problems.extend(references.missing_targets(conn, self._app, plan.entity, p.roles,
                                                       ctx, changed_refs))
            candidate.finish(plan.entity, after_, ctx, problems)
            if problems:
                raise Invalid(problems)
            if not plan.permissions.holds(p.roles, Operation.UPDATE, after_, ctx):
                raise Forbidden(f"You may not make this change: the {plan.entity.label} would "
                                "no longer be one your role may change.")
            self._save(conn, plan, p, ctx, before, after_, "update", Operation.UPDATE)
            return self._result(conn, plan, p, ctx, before["id"])

    def transition(self, p: Principal, entity: str, id: int, name: str,
                   comment: str | None = None, if_match: int | None = None) -> dict[str, Any]:
        """Move a record along its workflow; says exactly why when it may not."""
        plan, ctx = self._entity(entity), self._context(p)
        workflow = plan.entity.workflow
        transition = workflows.find(workflow, plan.entity.label, name)
        assert workflow is not None
        workflows.check_role(transition, p.roles)
        self._require(plan, p, Operation.UPDATE)
        if comment is not None and not isinstance(comment, str):
            raise BadRequest("comment", "`comment` must be text.")
        with write_transaction(self._db) as conn:
            before, allowed = self._lock(conn, plan, p, ctx, id, Operation.UPDATE, if_match)
            workflows.check_source(transition, before[workflow.field])
            if not allowed:
                raise Forbidden(f"You may not change this {plan.entity.label}, so you may not "
                                f"take `{name}`.")
            workflows.check_guard(transition, before, ctx)
            after_ = {**before, workflow.field: transition.target}
            problems = workflows.required_problems(workflow, transition.target, after_)
            candidate.finish(plan.entity, after_, ctx, problems)
            if problems:
                raise Invalid(problems, f"`{name}` needs some fields changed first: "
                                        f"{', '.join(sorted({q.field for q in problems}))}.")
            self._save(conn, plan, p, ctx, before, after_, "transition", Operation.UPDATE,
                       transition=(before[workflow.field], transition.target, comment))
            return self._result(conn, plan, p, ctx, before["id"])

    def delete(self, p: Principal, entity: str, id: int,
               if_match: int | None = None) -> tuple[str, ...]:
        """Delete a record, applying ``on_delete`` to the records that refer to it.

        Returns the ids of the files held by every record deleted (this one and those deleted
        with it, in fields the caller may not see too), for the caller to remove from its file
        store once the delete is committed: no record refers to them any more.
        """
        plan, ctx = self._entity(entity), self._context(p)
        self._require(plan, p, Operation.DELETE)
        with write_transaction(self._db) as conn:
            before, allowed = self._lock(conn, plan, p, ctx, id, Operation.DELETE, if_match)
            if not allowed:
                raise _row_forbidden(plan, Operation.DELETE)
            fallout = references.fallout(conn, self._app, plan, [before["id"]])
            for child, name, row in fallout.nulled:
                self._save(conn, child, p, ctx, row, {**row, name: None}, "update", None)
            for child, row in reversed(fallout.deleted):
                self._remove(conn, child, p, ctx, row, None)
            self._remove(conn, plan, p, ctx, before, Operation.DELETE)
        removed = [(plan, before), *fallout.deleted]
        return tuple(file_id for item, row in removed for file_id in _file_ids(item, row))

    # -- steps ------------------------------------------------------------------------------
    def _lock(self, conn: sa.Connection, plan: EntityPlan, p: Principal, ctx: EvalContext,
              record_id: Any, op: Operation,
              if_match: int | None) -> tuple[dict[str, Any], bool]:
        """The whole stored row (locked until commit) and whether ``op`` is allowed on it."""
        if not _valid_id(record_id):
            raise _not_found(plan, record_id)
        query = plan.prepared(("lock", op), p.roles, ctx, lambda: _lock_statement(plan, p, ctx, op))
        row = conn.execute(query, {"_id": record_id}).mappings().first()
        if row is None:
            raise _not_found(plan, record_id)
        record = {c.name: row[c.name] for c in plan.table.columns}
        if if_match is not None and if_match != record["row_version"]:
            raise PreconditionFailed(
                f"The record has changed since you read it (it is at version "
                f"{record['row_version']}, you sent {if_match}). Read it again and redo your "
                "change.")
        return record, bool(row["_may"])

    def _save(self, conn: sa.Connection, plan: EntityPlan, p: Principal, ctx: EvalContext,
              before: Mapping[str, Any], after_: Mapping[str, Any], action: str,
              op: Operation | None, transition: tuple[str, str, str | None] | None = None
              ) -> None:
        """Write the changed columns of ``after_`` (if any) and audit them.

        The UPDATE carries the principal's rule for ``op`` (None: the engine's own change).
        """
        changed = {k: v for k, v in after_.items() if k in plan.table.c and before.get(k) != v}
        if not changed:
            return
        changed.update(updated_at=ctx.now_utc, updated_by=p.user_id,
                       row_version=before["row_version"] + 1,
                       _id=before["id"], _version=before["row_version"])
        statement = plan.prepared(("update", op), p.roles, ctx,
                                  lambda: _update_statement(plan, p, ctx, op))
        try:
            result = conn.execute(statement, changed)
        except sa.exc.IntegrityError as exc:
            raise _integrity(exc, plan) from None
        if result.rowcount != 1:
            raise PreconditionFailed("The record was changed by someone else meanwhile; read "
                                     "it again and redo your change.")
        source, target, comment = transition or (None, None, None)
        diff = audit.changes(plan.entity.stored_fields, before, after_)
        self._audit(conn, p, ctx, plan, before["id"], action, diff, source, target, comment)

    def _remove(self, conn: sa.Connection, plan: EntityPlan, p: Principal, ctx: EvalContext,
                before: Mapping[str, Any], op: Operation | None) -> None:
        statement = plan.prepared(("delete", op), p.roles, ctx,
                                  lambda: _delete_statement(plan, p, ctx, op))
        try:
            result = conn.execute(statement, {"_id": before["id"]})
        except sa.exc.IntegrityError:
            raise Conflict(f"This {plan.entity.label} cannot be deleted: other records still "
                           "refer to it.") from None
        if result.rowcount != 1:
            raise PreconditionFailed("The record was changed by someone else meanwhile.")
        diff = audit.changes(plan.entity.stored_fields, before, None)
        self._audit(conn, p, ctx, plan, before["id"], "delete", diff)

    def _audit(self, conn: sa.Connection, p: Principal, ctx: EvalContext, plan: EntityPlan,
               record_id: int, action: str, changes: Mapping[str, Any],
               source: str | None = None, target: str | None = None,
               comment: str | None = None) -> None:
        entry = AuditEntry(at=ctx.now_utc, app=self._app.app.name, entity=plan.name,
                           record_id=record_id, action=action, actor_id=p.user_id,
                           actor_email=p.email, request_id=p.request_id, changes=changes,
                           from_state=source, to_state=target, comment=comment)
        self._app.audit.append(conn, [entry])

    def _result(self, conn: sa.Connection, plan: EntityPlan, p: Principal, ctx: EvalContext,
                record_id: int) -> dict[str, Any]:
        """The record as the writer may now read it (just its id if they may not)."""
        found = Reader.of(plan, p.roles, ctx).one(conn, record_id)
        return found if found is not None else {"id": record_id}

    def _entity(self, name: str) -> EntityPlan:
        plan = self._app.entities.get(name) if isinstance(name, str) else None
        if plan is None:
            raise NotFound(f"App `{self._app.app.name}` has no entity `{name}`.")
        return plan

    def _context(self, p: Principal) -> EvalContext:
        return p.context(self._clock())

    @staticmethod
    def _require(plan: EntityPlan, p: Principal, op: Operation) -> None:
        if not plan.permissions.allows(p.roles, op):
            raise Forbidden(f"Your role may not {_WRITE_VERBS[op]} {plan.entity.plural}.")


def _allowed(plan: EntityPlan, p: Principal, ctx: EvalContext,
             op: Operation | None) -> sa.ColumnElement[bool]:
    return sa.true() if op is None else plan.permissions.predicate(p.roles, op, ctx)


def _lock_statement(plan: EntityPlan, p: Principal, ctx: EvalContext,
                    op: Operation) -> sa.Select[Any]:
    """The whole row with id ``:_id`` if readable, locked, and whether ``op`` is allowed on it."""
    table = plan.table
    may = sa.type_coerce(_allowed(plan, p, ctx, op), sa.Boolean).label("_may")
    query = sa.select(*table.columns, may).where(table.c.id == sa.bindparam("_id"))
    return where(query, _allowed(plan, p, ctx, Operation.READ)).with_for_update(of=table)


def _update_statement(plan: EntityPlan, p: Principal, ctx: EvalContext,
                      op: Operation | None) -> sa.Update:
    """UPDATE ... WHERE id = :_id AND row_version = :_version AND <rule>; SET from params."""
    table = plan.table
    query = sa.update(table).where(table.c.id == sa.bindparam("_id"),
                                   table.c.row_version == sa.bindparam("_version"))
    return where(query, _allowed(plan, p, ctx, op))


def _delete_statement(plan: EntityPlan, p: Principal, ctx: EvalContext,
                      op: Operation | None) -> sa.Delete:
    table = plan.table
    query = sa.delete(table).where(table.c.id == sa.bindparam("_id"))
    return where(query, _allowed(plan, p, ctx, op))


def _file_ids(plan: EntityPlan, row: Mapping[str, Any]) -> list[str]:
    """The ids of the files a stored row holds."""
    found = []
    for f in plan.entity.stored_fields:
        value = row.get(f.name) if f.type is FieldType.FILE else None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if isinstance(value, Mapping) and isinstance(value.get("id"), str):
            found.append(value["id"])
    return found


def _valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise BadRequest("body", "The data must be an object mapping field names to values.")
    return data


def _not_found(plan: EntityPlan, record_id: Any) -> NotFound:
    return NotFound(f"There is no {plan.entity.label} #{record_id}, or you may not see it.")


def _row_forbidden(plan: EntityPlan, op: Operation) -> Forbidden:
    return Forbidden(f"You may not {_WRITE_VERBS[op]} this {plan.entity.label}: your role's "
                     f"{op.value} rule does not cover it.")


def _integrity(exc: sa.exc.IntegrityError, plan: EntityPlan) -> Exception:
    translated = translate(exc, plan.unique_fields, plan.table.name)
    if translated is not None:
        return translated
    return Invalid([FieldProblem("_record", "integrity", "conflicts with other records")],
                   "The record conflicts with other records; check its references.")


def _expand(conn: sa.Connection, app: AppPlan, roles: frozenset[str], ctx: EvalContext,
            items: list[dict[str, Any]], fields: list[tuple[str, str]]) -> None:
    if fields:
        expand(conn, app, roles, ctx, items, fields)


def _history_item(row: sa.RowMapping, readable: frozenset[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": row["id"], "at": datetime_json(row["at"]), "actor": row["actor_email"],
        "actor_id": row["actor_id"], "action": row["action"], "request_id": row["request_id"],
        "changes": {k: v for k, v in row["changes"].items() if k in readable},
    }
    if row["action"] == "transition":
        item.update({"from": row["from_state"], "to": row["to_state"],
                     "comment": row["comment"]})
    return item
