"""The permission matrix: every role x operation x entity of every example app.

Records are seeded directly into the tables, owned by (and referring to) different users, in
every workflow state, some with and some without the fields later states require. Then every
principal (one per role, ``admin`` and a user with no role) lists, reads, updates, takes each
transition, creates and deletes, and the engine's answer is compared with a reference written
here: plain Python over the compiled definition (its rules' Python evaluators), sharing no code
with the engine's permission, listing or workflow modules. The engine answers reads with SQL
predicates, so the comparison also checks that SQL and Python agree on every rule.

The order of checks the reference follows is the documented one: an operation no role grants
is 403, a record the principal may not read is 404, a row-level rule that does not hold is 403,
bad data is 422, a taken unique value is 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from apiary.definition.compiled import (
    ADMIN_ROLE,
    SYSTEM_FIELDS,
    USER_ENTITY,
    CompiledApp,
    Entity,
    FieldType,
    OnDelete,
    Operation,
)
from apiary.engine import EngineError, ListQuery, Principal
from apiary.expr import EvalContext
from tests.engine.worlds import NOW, World

Row = dict[str, Any]
Factory = Callable[[int, Sequence[int | None], dict[str, list[int]]], Row]
SEEDED_AT = dt.datetime(2026, 3, 1, 8, 0)
DAY = dt.date(2026, 3, 2)


def _letters(k: int) -> str:
    """``k`` written with three capital letters, for codes that must be letters and unique."""
    return "".join(chr(65 + k // 26 ** i % 26) for i in (2, 1, 0))


# -- seed data, per app: entity -> (how many, factory). Factories get a number, the users to
# -- put in User refs (in field order) and the ids of the rows seeded so far.
def _helpdesk() -> dict[str, tuple[int, Factory]]:
    return {
        "Account": (4, lambda k, u, ids: {
            "name": f"Account {k}", "code": "ACC" + _letters(k),
            "plan": "basic", "active": True, "account_manager": u[0]}),
        "Ticket": (20, lambda k, u, ids: {
            "subject": f"Ticket number {k}", "description": "Details.", "category": "question",
            "channel": "web", "priority": "normal", "assignee": u[0],
            "resolution_code": "fixed" if u[0] else None, "resolution": "Done" if u[0] else None,
            "sla_due_at": SEEDED_AT + dt.timedelta(days=5)}),
        "Comment": (8, lambda k, u, ids: {
            "ticket": ids["Ticket"][0], "requester": u[0], "body": "Hello",
            "internal": k % 2 == 1}),
    }


def _expenses() -> dict[str, tuple[int, Factory]]:
    return {
        "CostCentre": (5, lambda k, u, ids: {
            "code": f"CC-{k:03d}", "name": f"Centre {k}", "budget_owner": u[0],
            "annual_budget": Decimal("1000.00"), "active": True}),
        "BankAccount": (5, lambda k, u, ids: {
            "employee": u[0], "account_holder": "Holder", "iban": "DE89370400440532013000",
            "bank_name": "Bank", "verified": False}),
        "ExpenseClaim": (30, lambda k, u, ids: {
            "purpose": f"Claim {k}", "cost_centre": ids["CostCentre"][0],
            "period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 3, 5),
            "approver": u[0], "review_comment": "Comment" if k % 3 else None,
            "amount_paid": Decimal("10.00") if k % 3 else None,
            "paid_on": DAY if k % 3 else None, "payment_reference": "REF" if k % 3 else None}),
        "ExpenseLine": (10, lambda k, u, ids: {
            "claim": ids["ExpenseClaim"][0], "approver": u[0], "expense_date": DAY,
            "category": "meals", "description": "Lunch", "amount": Decimal("12.50"),
            "vat_amount": Decimal("2.00"), "net_amount": Decimal("10.50"), "billable": False,
            "receipt": {"name": "receipt.pdf"}}),
    }


def _leave() -> dict[str, tuple[int, Factory]]:
    return {
        "Employee": (4, lambda k, u, ids: {
            "person": u[0], "employee_number": f"E{k:05d}", "full_name": f"Person {k}",
            "department": "engineering", "manager": u[1], "start_date": dt.date(2020, 1, 1),
            "contract_hours": Decimal("40.0")}),
        "LeaveType": (4, lambda k, u, ids: {
            "name": f"Type {k}", "code": "T" + _letters(k),
            "paid": True, "needs_certificate": False, "active": True}),
        "LeaveBalance": (4, lambda k, u, ids: {
            "employee": u[0], "manager": u[1], "leave_type": ids["LeaveType"][0], "year": 2026,
            "entitled_days": Decimal("25.0"), "carried_over_days": Decimal("0.0"),
            "taken_days": Decimal("0.0"), "remaining_days": Decimal("25.0")}),
        "LeaveRequest": (20, lambda k, u, ids: {
            "employee": u[0], "leave_type": ids["LeaveType"][0],
            "start_date": dt.date(2026, 4, 1), "end_date": dt.date(2026, 4, 3),
            "half_day": False, "days": Decimal("3.0"), "approver": u[1],
            "decision_note": "Note" if k % 3 else None}),
    }


SEEDS = {"helpdesk": _helpdesk, "expenses": _expenses, "leave": _leave}

# entity -> (field, value for the n-th update): a field unrelated to any rule
BENIGN: dict[str, tuple[str, Callable[[int], Any]]] = {
    "Account": ("website", lambda n: f"https://a{n}.example"),
    "Ticket": ("product_version", lambda n: f"1.{n}"),
    "Comment": ("body", lambda n: f"Body {n}"),
    "CostCentre": ("name", lambda n: f"Centre v{n}"),
    "BankAccount": ("bank_name", lambda n: f"Bank {n}"),
    "ExpenseClaim": ("project_code", lambda n: f"P-{n % 10000:04d}"),
    "ExpenseLine": ("merchant", lambda n: f"Shop {n}"),
    "Employee": ("job_title", lambda n: f"Title {n}"),
    "LeaveType": ("max_consecutive_days", lambda n: n % 300 + 1),
    "LeaveBalance": ("taken_days", lambda n: f"{n % 10}.0"),
    "LeaveRequest": ("handover_notes", lambda n: f"Notes {n}"),
}


# -- the reference ----------------------------------------------------------------------------
@dataclass
class Reference:
    """What the definition says should happen, evaluated in plain Python on known rows."""

    app: CompiledApp
    rows: dict[str, dict[int, Row]] = field(default_factory=dict)

    def ctx(self, p: Principal) -> EvalContext:
        return EvalContext(user_id=p.user_id, user_email=p.email, user_roles=p.roles, now=NOW)

    def granted(self, p: Principal, entity: Entity, op: Operation) -> bool:
        if ADMIN_ROLE in p.roles:
            return True
        rules = [entity.permissions.get(role, {}).get(op) for role in p.roles]
        return any(rule is not None and rule.allow for rule in rules)

    def allows(self, p: Principal, entity: Entity, op: Operation, row: Row) -> bool:
        if ADMIN_ROLE in p.roles:
            return True
        for role in p.roles:
            rule = entity.permissions.get(role, {}).get(op)
            if rule is None or not rule.allow:
                continue
            if rule.condition is None or rule.condition.evaluate(row, self.ctx(p)) is True:
                return True
        return False

    def reads(self, p: Principal, entity: Entity, row: Row) -> bool:
        return self.allows(p, entity, Operation.READ, row)

    def sees(self, p: Principal, entity: Entity) -> set[str]:
        names = {"id", *SYSTEM_FIELDS}
        for f in entity.fields.values():
            if f.type is not FieldType.HAS_MANY and (
                    ADMIN_ROLE in p.roles or f.read_roles is None or p.roles & f.read_roles):
                names.add(f.name)
        if entity.workflow is not None:
            names.add("_transitions")
        return names

    def writes(self, p: Principal, entity: Entity, name: str) -> bool:
        f = entity.fields[name]
        return ADMIN_ROLE in p.roles or f.write_roles is None or bool(p.roles & f.write_roles)

    def open_transitions(self, p: Principal, entity: Entity, row: Row) -> list[str]:
        assert entity.workflow is not None
        out = []
        for t in entity.workflow.transitions.values():
            role_ok = ADMIN_ROLE in p.roles or bool(p.roles & t.roles)
            if (role_ok and row[entity.workflow.field] in t.sources
                    and self.allows(p, entity, Operation.UPDATE, row)
                    and (t.guard is None or t.guard.evaluate(row, self.ctx(p)) is True)):
                out.append(t.name)
        return out

    def valid(self, entity: Entity, row: Row, ctx: EvalContext) -> bool:
        for f in entity.fields.values():
            if f.computed is not None:
                row[f.name] = f.computed.evaluate(row, ctx)
        required = all(row.get(f.name) is not None for f in entity.fields.values()
                       if f.required and f.computed is None and f.stored)
        return required and all(v.rule.evaluate(row, ctx) is True for v in entity.validations)

    # expected outcomes: an HTTP-like status
    def get(self, p: Principal, entity: Entity, row: Row) -> int:
        if not self.granted(p, entity, Operation.READ):
            return 403
        return 200 if self.reads(p, entity, row) else 404

    def update(self, p: Principal, entity: Entity, row: Row, name: str) -> int:
        if not self.granted(p, entity, Operation.UPDATE) or not self.writes(p, entity, name):
            return 403
        if not self.reads(p, entity, row):
            return 404
        return 200 if self.allows(p, entity, Operation.UPDATE, row) else 403

    def transition(self, p: Principal, entity: Entity, row: Row, name: str) -> int:
        assert entity.workflow is not None
        t = entity.workflow.transitions[name]
        if not (ADMIN_ROLE in p.roles or p.roles & t.roles):
            return 403
        if not self.granted(p, entity, Operation.UPDATE):
            return 403
        if not self.reads(p, entity, row):
            return 404
        if row[entity.workflow.field] not in t.sources:
            return 409
        if not self.allows(p, entity, Operation.UPDATE, row):
            return 403
        if t.guard is not None and t.guard.evaluate(row, self.ctx(p)) is not True:
            return 403
        after = {**row, entity.workflow.field: t.target}
        if any(after.get(n) is None for n in entity.workflow.state(t.target).requires):
            return 422
        return 200 if self.valid(entity, after, self.ctx(p)) else 422

    def delete(self, p: Principal, entity: Entity, row: Row) -> int:
        if not self.granted(p, entity, Operation.DELETE):
            return 403
        if not self.reads(p, entity, row):
            return 404
        if not self.allows(p, entity, Operation.DELETE, row):
            return 403
        return 409 if self.blocked(entity.name, row["id"], set()) else 204

    def blocked(self, name: str, record_id: int, seen: set[tuple[str, int]]) -> bool:
        """Whether a ``restrict`` ref keeps the record, or one deleted with it, alive."""
        seen.add((name, record_id))
        for other in self.app.entities.values():
            for f in other.stored_fields:
                if f.type is not FieldType.REF or f.ref != name:
                    continue
                for child in self.rows.get(other.name, {}).values():
                    if child.get(f.name) != record_id or (other.name, child["id"]) in seen:
                        continue
                    if f.on_delete is OnDelete.RESTRICT:
                        return True
                    if f.on_delete is OnDelete.CASCADE and self.blocked(other.name,
                                                                         child["id"], seen):
                        return True
        return False

    def cascade(self, name: str, record_id: int) -> list[tuple[str, Row]]:
        """The rows deleted along with a record, parents first."""
        out = []
        for other in self.app.entities.values():
            for f in other.stored_fields:
                if f.type is REF and f.ref == name and f.on_delete is OnDelete.CASCADE:
                    for child in self.rows.get(other.name, {}).values():
                        if child.get(f.name) == record_id:
                            out.append((other.name, child))
                            out.extend(self.cascade(other.name, child["id"]))
        return out

    def create(self, p: Principal, entity: Entity, payload: Row, taken: set[tuple[str, Any]]
               ) -> int:
        if not self.granted(p, entity, Operation.CREATE):
            return 403
        if any(not self.writes(p, entity, n) for n in payload):
            return 403
        ctx = self.ctx(p)
        row: Row = {f.name: f.default for f in entity.stored_fields}
        row.update(payload, id=None, created_by=p.user_id, updated_by=p.user_id,
                   created_at=NOW.replace(tzinfo=None), updated_at=NOW.replace(tzinfo=None),
                   row_version=1)
        if entity.workflow is not None:
            row[entity.workflow.field] = entity.workflow.initial
        for f in entity.stored_fields:
            if f.type is REF and f.ref != USER_ENTITY and row.get(f.name) is not None:
                target = self.app.entities[str(f.ref)]
                if not self.reads(p, target, self.rows[target.name][row[f.name]]):
                    return 422
        if not self.valid(entity, row, ctx):
            return 422
        if not self.allows(p, entity, Operation.CREATE, row):
            return 403
        if any((f"{entity.name}.{f.name}", row[f.name]) in taken
               for f in entity.stored_fields if f.unique and row.get(f.name) is not None):
            return 409
        return 201


REF = FieldType.REF


# -- running the matrix -------------------------------------------------------------------------
@dataclass
class Matrix:
    world: World
    ref: Reference
    order: list[str]
    people: list[Principal]
    mismatches: list[str] = field(default_factory=list)
    counter: int = 0
    seen: dict[str, set[int]] = field(default_factory=dict)
    """Operation -> the statuses it answered, to show the matrix covers both outcomes."""

    @property
    def app(self) -> CompiledApp:
        return self.world.app

    def table(self, entity: str) -> sa.Table:
        return self.world.svc.app.tables.table(entity)

    def seed(self) -> None:
        """Insert the seed rows; rotate owners and User refs over everyone with a role."""
        self.ref.rows = {}
        ids: dict[str, list[int]] = {}
        owners = [p.user_id for p in self.people if p.roles]
        n = len(owners)
        with self.world.db.begin() as conn:
            for name, (count, factory) in SEEDS[self.app.name]().items():
                entity = self.app.entities[name]
                states = entity.workflow.state_names if entity.workflow else (None,)
                ids[name] = []
                for k in range(count):
                    i = k % n
                    users = [owners[(i + 1 + j) % n] for j in range(3)]
                    if entity.workflow is not None and (k // n + i) % 2:
                        users = [None if not entity.fields[f].required else u
                                 for f, u in zip(_user_refs(entity), users, strict=False)]
                    row = factory(k, users, ids)
                    if entity.workflow is not None:
                        row[entity.workflow.field] = states[(k // n) % len(states)]
                    row.update(created_by=owners[i], updated_by=owners[i],
                               created_at=SEEDED_AT, updated_at=SEEDED_AT, row_version=1)
                    key = conn.execute(sa.insert(self.table(name)).values(row))
                    assert key.inserted_primary_key is not None
                    row["id"] = int(key.inserted_primary_key[0])
                    ids[name].append(row["id"])
                    self.ref.rows.setdefault(name, {})[row["id"]] = row

    def check(self, what: str, expected: int, call: Callable[..., Any], *args: Any,
              **kwargs: Any) -> Any:
        try:
            result = call(*args, **kwargs)
            status = {"create": 201, "delete": 204}.get(what.split()[0], 200)
        except EngineError as exc:
            result, status = exc, exc.status
        self.seen.setdefault(what.split()[0], set()).add(status)
        if status != expected:
            why = f" ({result.detail})" if isinstance(result, EngineError) else ""
            self.mismatches.append(f"{what}: engine {status}, reference {expected}{why}")
        return result if status < 300 else None

    def who(self, p: Principal) -> str:
        return ",".join(sorted(p.roles)) or "no role"

    def reads(self) -> None:
        svc = self.world.svc
        for p in self.people:
            for name in self.order:
                entity = self.app.entities[name]
                rows = self.ref.rows.get(name, {})
                expected = {i for i, r in rows.items() if self.ref.reads(p, entity, r)}
                status = 200 if self.ref.granted(p, entity, Operation.READ) else 403
                page = self.check(f"list {name} as {self.who(p)}", status,
                                  svc.list, p, name, ListQuery(limit=200))
                if page is not None and {r["id"] for r in page.items} != expected:
                    self.mismatches.append(f"list {name} as {self.who(p)}: ids differ")
                for record_id, row in rows.items():
                    record = self.check(f"get {name} #{record_id} as {self.who(p)}",
                                        self.ref.get(p, entity, row),
                                        svc.get, p, name, record_id)
                    if record is None:
                        continue
                    if set(record) != self.ref.sees(p, entity):
                        self.mismatches.append(f"get {name} as {self.who(p)}: fields "
                                               f"{set(record) ^ self.ref.sees(p, entity)}")
                    expected_open = (self.ref.open_transitions(p, entity, row)
                                     if entity.workflow else None)
                    if entity.workflow and record["_transitions"] != expected_open:
                        self.mismatches.append(
                            f"get {name} #{record_id} as {self.who(p)}: transitions "
                            f"{record['_transitions']} != {expected_open}")

    def updates(self) -> None:
        svc = self.world.svc
        for p in self.people:
            for name in self.order:
                entity = self.app.entities[name]
                benign, value = BENIGN[name]
                for record_id, row in self.ref.rows.get(name, {}).items():
                    self.counter += 1
                    data = {benign: value(self.counter)}
                    self.check(f"update {name} #{record_id} as {self.who(p)}",
                               self.ref.update(p, entity, row, benign),
                               svc.update, p, name, record_id, data)
                    if entity.workflow is not None:
                        self.transitions(p, entity, row)

    def transitions(self, p: Principal, entity: Entity, row: Row) -> None:
        assert entity.workflow is not None
        state = entity.workflow.field
        for t in entity.workflow.transitions:
            taken = self.check(f"transition {entity.name} #{row['id']} ({row[state]}) {t} "
                               f"as {self.who(p)}", self.ref.transition(p, entity, row, t),
                               self.world.svc.transition, p, entity.name, row["id"], t)
            if taken is not None:
                table = self.table(entity.name)
                with self.world.db.begin() as conn:
                    conn.execute(sa.update(table).where(table.c.id == row["id"])
                                 .values({state: row[state]}))

    def creates(self) -> None:
        svc = self.world.svc
        outsider = next(p for p in self.people if not p.roles)
        taken: set[tuple[str, Any]] = {
            (f"{name}.{f.name}", row[f.name])
            for name, rows in self.ref.rows.items() for row in rows.values()
            for f in self.app.entities[name].stored_fields if f.unique}
        for p in self.people:
            for name in self.order:
                entity = self.app.entities[name]
                factory = SEEDS[self.app.name]()[name][1]
                parents = {n: list(rows) for n, rows in self.ref.rows.items()}
                for users in ([p.user_id, outsider.user_id, outsider.user_id],
                              [outsider.user_id, p.user_id, p.user_id]):
                    self.counter += 1
                    payload = {k: v for k, v in factory(100 + self.counter, users,
                                                        parents).items()
                               if k in entity.fields and entity.fields[k].computed is None}
                    writable = {k: v for k, v in payload.items()
                                if self.ref.writes(p, entity, k)}
                    for data in {id(payload): payload, id(writable): writable}.values():
                        expected = self.ref.create(p, entity, dict(data), taken)
                        created = self.check(f"create {name} as {self.who(p)} with {data}",
                                             expected, svc.create, p, name, _json(data))
                        if created is not None:
                            taken.update((f"{name}.{f.name}", data.get(f.name))
                                         for f in entity.stored_fields if f.unique)

    def deletes(self) -> None:
        svc = self.world.svc
        for p in self.people:
            for name in self.order:
                entity = self.app.entities[name]
                for record_id, row in list(self.ref.rows.get(name, {}).items()):
                    gone = self.check(f"delete {name} #{record_id} as {self.who(p)}",
                                      self.ref.delete(p, entity, row),
                                      svc.delete, p, name, record_id)
                    if gone is not None or self.ref.delete(p, entity, row) == 204:
                        self.restore([(name, row), *self.ref.cascade(name, record_id)])

    def restore(self, rows: list[tuple[str, Row]]) -> None:
        with self.world.db.begin() as conn:
            for name, row in rows:
                table = self.table(name)
                if conn.execute(sa.select(table.c.id).where(table.c.id == row["id"])).first():
                    continue
                conn.execute(sa.insert(table).values(row))


def _user_refs(entity: Entity) -> list[str]:
    return [f.name for f in entity.stored_fields if f.type is REF and f.ref == USER_ENTITY]


def _json(data: Row) -> Row:
    out: Row = {}
    for k, v in data.items():
        out[k] = v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(
            v, Decimal) else v
    return out


def run_matrix(world: World) -> list[str]:
    people = [world[role] for role in (*world.app.roles, ADMIN_ROLE)] + [world["outsider"]]
    matrix = Matrix(world, Reference(world.app), list(SEEDS[world.app.name]()), people)
    matrix.seed()
    matrix.reads()
    matrix.updates()
    matrix.creates()
    world.reset()
    matrix.seed()
    matrix.deletes()
    for op in ("get", "update", "create", "delete", "transition"):
        assert {200, 201, 204} & matrix.seen[op] and {403, 404} & matrix.seen[op], op
    assert 404 in matrix.seen["get"] and 409 in matrix.seen["transition"]
    return matrix.mismatches


def test_helpdesk(helpdesk: World) -> None:
    assert run_matrix(helpdesk) == []


def test_expenses(expenses: World) -> None:
    assert run_matrix(expenses) == []


def test_leave(leave: World) -> None:
    assert run_matrix(leave) == []
