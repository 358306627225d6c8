"""Compile one entity: its fields, computed values, validations, workflow and permissions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from apiary.definition.compiled import (
    ADMIN_ROLE,
    SYSTEM_FIELDS,
    USER_ENTITY,
    CompiledExpr,
    Entity,
    Field,
    FieldType,
    Operation,
    Rule,
    State,
    Transition,
    Validation,
    Workflow,
)
from apiary.definition.diagnostics import did_you_mean
from apiary.definition.expressions import accepts, compile_expression
from apiary.definition.fields import STRINGLIKE, compile_field, expr_type, record_scope
from apiary.definition.format import EntitySpec, WorkflowSpec
from apiary.definition.names import (
    ENGINE_FIELDS,
    EXPRESSION_WORDS,
    FIELD_NAME,
    MAX_NAME,
    STATE_NAME,
    article,
    humanize,
    pluralize,
    snake_case,
    table_name,
)
from apiary.definition.report import Report
from apiary.expr import Scope, Type


def check_field_name(name: str, path: tuple[str, ...], report: Report, what: str = "field") -> bool:
    if not FIELD_NAME.match(name) or len(name) > MAX_NAME:
        report.error("APY-E130", f"`{name}` is not a valid {what} name", path,
                     f"use lowercase letters, digits and _, starting with a letter, at most "
                     f"{MAX_NAME} characters (e.g. `due_date`)")
        return False
    if name in ENGINE_FIELDS:
        report.error("APY-E131", f"`{name}` is a system field every record already has", path,
                     "pick another name; id, created_at, updated_at, created_by, updated_by and "
                     "row_version are provided by the engine")
        return False
    if name in EXPRESSION_WORDS:
        report.error("APY-E131", f"`{name}` is a reserved word", path,
                     f"pick another name, e.g. `{name}_value`")
        return False
    return True


class EntityCompiler:
    """Compiles the entities of one app; refs are resolved against all entity names."""

    def __init__(self, app: str, specs: Mapping[str, EntitySpec], roles: frozenset[str],
                 currency: str | None, report: Report) -> None:
        self.app = app
        self.specs = specs
        self.roles = roles
        self.currency = currency
        self.report = report

    def compile(self, name: str, spec: EntitySpec) -> Entity:
        path = ("entities", name)
        fields = self._fields(name, spec)
        if spec.workflow is not None:
            state_field = self._state_field(spec.workflow, fields, path)
            if state_field is not None:
                fields[state_field.name] = state_field
        scope = record_scope(fields)
        fields = self._computed(fields, spec, scope, path)
        workflow = self._workflow(spec.workflow, fields, scope, path) if spec.workflow else None
        label = spec.label or humanize(name)
        entity = Entity(
            name=name, label=label, plural=spec.plural or pluralize(label),
            table=table_name(self.app, name), display=self._display(spec, fields, path),
            fields=fields, validations=self._validations(spec, fields, scope, path),
            workflow=workflow, permissions=self._permissions(spec, fields, scope, path),
            renamed_from=spec.renamed_from, description=spec.description,
            indexes=self._indexes(spec, fields, path),
        )
        return entity

    # -- fields ---------------------------------------------------------------------------
    def _fields(self, entity: str, spec: EntitySpec) -> dict[str, Field]:
        out: dict[str, Field] = {}
        columns: dict[str, str] = {}
        for fname, fspec in spec.fields.items():
            fpath = ("entities", entity, "fields", fname)
            if not check_field_name(fname, fpath, self.report):
                continue
            field = compile_field(fname, fspec, fpath, self.report, self.currency)
            field = self._resolve_ref(entity, field, fpath)
            for column in _columns(field):
                if column in columns:
                    self.report.error("APY-E132", f"`{fname}` needs a column named `{column}`, "
                                      f"which field `{columns[column]}` already uses", fpath,
                                      "rename one of the two fields")
                columns[column] = fname
            self._check_access(field, fpath)
            out[fname] = field
        return out

    def _resolve_ref(self, entity: str, field: Field, path: tuple[str, ...]) -> Field:
        if field.ref is None:
            return field
        if field.ref != USER_ENTITY and field.ref not in self.specs:
            self.report.error("APY-E201", f"`{field.ref}` is not an entity of this app",
                              (*path, "to"), did_you_mean(field.ref, [*self.specs, USER_ENTITY]))
            return field
        if field.type is not FieldType.HAS_MANY:
            return field
        if field.ref == USER_ENTITY:
            self.report.error("APY-E202", "has_many cannot list users", (*path, "to"),
                              "add a ref to User on the other entity instead")
            return field
        target = self.specs[field.ref]
        back = [n for n, f in target.fields.items() if f.type == "ref" and f.to == entity]
        if field.via is None:
            if len(back) == 1:
                return replace(field, via=back[0])
            self.report.error(
                "APY-E203",
                f"`{field.ref}` has {'no' if not back else 'several'} ref fields pointing to "
                f"`{entity}`; say which one this list follows", path,
                f"add `via: <ref field of {field.ref}>`" if back else
                f"add a field `{snake_case(entity)}: {{type: ref, to: {entity}}}` to "
                f"{field.ref}")
        elif field.via not in back:
            self.report.error("APY-E203", f"`{field.via}` is not a ref field of `{field.ref}` "
                              f"pointing to `{entity}`", (*path, "via"),
                              did_you_mean(field.via, back))
        return field

    def _check_access(self, field: Field, path: tuple[str, ...]) -> None:
        for kind, roles in (("read", field.read_roles), ("write", field.write_roles)):
            for i, role in enumerate(sorted(roles or ())):
                if role not in self.roles and role != ADMIN_ROLE:
                    self.report.error("APY-E204", f"role `{role}` is not declared",
                                      (*path, "access", kind, i),
                                      did_you_mean(role, self.roles) or "declare it under `roles:`")
        if field.pii and field.read_roles is None and field.type is not FieldType.HAS_MANY:
            self.report.warning("APY-W401", f"`{field.name}` is personal data readable by every "
                                "role that may read the record", path,
                                "restrict it with `access: {read: [roles that need it]}`")

    def _state_field(self, wf: WorkflowSpec, fields: dict[str, Field],
                     path: tuple[str, ...]) -> Field | None:
        wpath = (*path, "workflow", "field")
        if not check_field_name(wf.field, wpath, self.report, "state field"):
            return None
        if wf.field in fields:
            self.report.error("APY-E140", f"`{wf.field}` is declared as a field, but the "
                              "workflow owns it", (*path, "fields", wf.field),
                              "remove it from `fields:`; its values are the workflow's states")
            return None
        states = tuple(wf.states)
        return Field(name=wf.field, type=FieldType.ENUM, label=humanize(wf.field), required=True,
                     values=states, default=wf.initial or (states[0] if states else None),
                     is_state=True)

    def _computed(self, fields: dict[str, Field], spec: EntitySpec, scope: Scope,
                  path: tuple[str, ...]) -> dict[str, Field]:
        compiled: dict[str, CompiledExpr] = {}
        for f in fields.values():
            fspec = spec.fields.get(f.name)
            if fspec is None or fspec.computed is None:
                continue
            expr = compile_expression(self.report, fspec.computed,
                                      (*path, "fields", f.name, "computed"),
                                      _without_user(scope), what="computed value")
            if expr is None:
                continue
            want = expr_type(f)
            if not accepts(want, expr.type):
                self.report.error("APY-E304", f"the expression gives a {str(expr.type).lower()} "
                                  f"but `{f.name}` is {article(f.type.value)}",
                                  (*path, "fields", f.name, "computed"))
                continue
            if f.name in expr.names:
                self.report.error("APY-E141", f"`{f.name}` is computed from itself",
                                  (*path, "fields", f.name, "computed"))
                continue
            if expr.uses_time:
                self.report.warning("APY-W402", f"`{f.name}` uses now/today but is computed only "
                                    "when the record is saved, so it goes stale",
                                    (*path, "fields", f.name, "computed"),
                                    "compare with now/today in views and rules instead")
            compiled[f.name] = expr
        order = self._topological(compiled, path)
        ordered: dict[str, Field] = {}
        for name, f in fields.items():
            if name not in compiled:
                ordered[name] = f
        # computed fields go last, in dependency order, so evaluating in field order is correct
        for name in order:
            ordered[name] = replace(fields[name], computed=compiled[name])
        return {name: ordered[name] for name in (*[n for n in fields if n not in compiled], *order)}

    def _topological(self, compiled: Mapping[str, CompiledExpr],
                     path: tuple[str, ...]) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str, chain: tuple[str, ...]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = " -> ".join((*chain[chain.index(name):], name))
                self.report.error("APY-E141", f"computed fields depend on each other in a cycle: "
                                  f"{cycle}", (*path, "fields", name, "computed"))
                return
            state[name] = 1
            for dep in sorted(compiled[name].names):
                if dep in compiled:
                    visit(dep, (*chain, name))
            state[name] = 2
            order.append(name)

        for name in compiled:
            visit(name, ())
        return [n for n in order if n in compiled]

    # -- rules ----------------------------------------------------------------------------
    def _validations(self, spec: EntitySpec, fields: Mapping[str, Field], scope: Scope,
                     path: tuple[str, ...]) -> tuple[Validation, ...]:
        out = []
        for i, v in enumerate(spec.validations):
            vpath: tuple[str | int, ...] = (*path, "validations", i)
            expr = compile_expression(self.report, v.rule, (*vpath, "rule"), scope,
                                      want=Type.BOOL, what="validation rule")
            for j, fname in enumerate(v.fields):
                if fname not in fields:
                    self.report.error("APY-E205", f"`{fname}` is not a field of this entity",
                                      (*vpath, "fields", j), did_you_mean(fname, fields))
            if expr is not None:
                blame = tuple(v.fields) or tuple(sorted(n for n in expr.names if n in fields))
                out.append(Validation(rule=expr, message=v.message, fields=blame))
        return tuple(out)

    def _workflow(self, wf: WorkflowSpec, fields: Mapping[str, Field], scope: Scope,
                  path: tuple[str, ...]) -> Workflow | None:
        wpath = (*path, "workflow")
        names = list(wf.states)
        if not names:
            self.report.error("APY-E142", "a workflow needs at least one state",
                              (*wpath, "states"), "for example `states: [draft, submitted, done]`")
            return None
        states = []
        for sname, sspec in wf.states.items():
            spath = (*wpath, "states", sname)
            if not STATE_NAME.match(sname) or len(sname) > MAX_NAME:
                self.report.error("APY-E130", f"`{sname}` is not a valid state name", spath,
                                  "use lowercase letters, digits and _, e.g. `in_review`")
            for i, req in enumerate(sspec.requires):
                if req not in fields or not fields[req].stored:
                    self.report.error("APY-E205", f"`{req}` is not a field of this entity",
                                      (*spath, "requires", i), did_you_mean(req, fields))
            states.append(State(name=sname, label=sspec.label or humanize(sname),
                                requires=tuple(sspec.requires), final=sspec.final))
        initial = wf.initial or names[0]
        if initial not in wf.states:
            self.report.error("APY-E206", f"`{initial}` is not one of the states",
                              (*wpath, "initial"), did_you_mean(initial, names))
        transitions: dict[str, Transition] = {}
        for tname, tspec in wf.transitions.items():
            tpath = (*wpath, "transitions", tname)
            if not STATE_NAME.match(tname) or len(tname) > MAX_NAME:
                self.report.error("APY-E130", f"`{tname}` is not a valid transition name", tpath,
                                  "use lowercase letters, digits and _, e.g. `approve`")
            sources = tuple(names) if tspec.from_ == ["*"] else tuple(tspec.from_)
            if "*" in tspec.from_ and len(tspec.from_) > 1:
                self.report.error("APY-E206", "`*` already means every state; list states or "
                                  "write `*` alone", (*tpath, "from"))
            for i, src in enumerate(tspec.from_):
                if src != "*" and src not in wf.states:
                    self.report.error("APY-E206", f"`{src}` is not one of the states",
                                      (*tpath, "from", i) if len(tspec.from_) > 1
                                      else (*tpath, "from"), did_you_mean(src, names))
            if tspec.to not in wf.states:
                self.report.error("APY-E206", f"`{tspec.to}` is not one of the states",
                                  (*tpath, "to"), did_you_mean(tspec.to, names))
            self._check_roles(tspec.roles, (*tpath, "roles"))
            guard = None
            if tspec.guard is not None:
                guard = compile_expression(self.report, tspec.guard, (*tpath, "guard"), scope,
                                           want=Type.BOOL, what="guard")
            transitions[tname] = Transition(
                name=tname, label=tspec.label or humanize(tname), sources=sources,
                target=tspec.to, roles=frozenset(tspec.roles), guard=guard)
        return Workflow(field=wf.field, states=tuple(states), initial=initial,
                        transitions=transitions)

    def _permissions(self, spec: EntitySpec, fields: Mapping[str, Field], scope: Scope,
                     path: tuple[str, ...]) -> dict[str, dict[Operation, Rule]]:
        out: dict[str, dict[Operation, Rule]] = {}
        for role, pspec in spec.permissions.items():
            ppath = (*path, "permissions", role)
            if role == ADMIN_ROLE:
                self.report.error("APY-E207", "`admin` always has full access", ppath,
                                  "remove this entry")
                continue
            if role not in self.roles:
                self.report.error("APY-E204", f"role `{role}` is not declared", ppath,
                                  did_you_mean(role, self.roles) or "declare it under `roles:`")
                continue
            rules: dict[Operation, Rule] = {}
            for op in Operation:
                value = getattr(pspec, op.value)
                if value is True or value is False:
                    rules[op] = Rule(allow=value)
                    continue
                expr = compile_expression(
                    self.report, value, (*ppath, op.value), scope, want=Type.BOOL,
                    what="permission rule", need_sql=op is not Operation.CREATE)
                if expr is not None:
                    rules[op] = Rule(allow=True, condition=expr)
            out[role] = rules
        return out

    def _check_roles(self, roles: list[str], path: tuple[str | int, ...]) -> None:
        for i, role in enumerate(roles):
            if role not in self.roles and role != ADMIN_ROLE:
                self.report.error("APY-E204", f"role `{role}` is not declared", (*path, i),
                                  did_you_mean(role, self.roles) or "declare it under `roles:`")

    # -- presentation and indexes ---------------------------------------------------------
    def _display(self, spec: EntitySpec, fields: Mapping[str, Field],
                 path: tuple[str, ...]) -> str | None:
        if spec.display is not None:
            if spec.display not in fields or not fields[spec.display].stored:
                self.report.error("APY-E205", f"`{spec.display}` is not a field of this entity",
                                  (*path, "display"), did_you_mean(spec.display, fields))
                return None
            return spec.display
        for preferred in ("name", "title", "subject", "code"):
            if preferred in fields and fields[preferred].type in STRINGLIKE:
                return preferred
        return next((f.name for f in fields.values()
                     if f.type in (FieldType.STRING, FieldType.EMAIL)), None)

    def _indexes(self, spec: EntitySpec, fields: Mapping[str, Field],
                 path: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        out: list[tuple[str, ...]] = []
        for i, cols in enumerate(spec.indexes):
            for j, col in enumerate(cols):
                stored = col in SYSTEM_FIELDS or (col in fields and fields[col].stored)
                if not stored:
                    self.report.error("APY-E205", f"`{col}` is not a stored field of this "
                                      "entity", (*path, "indexes", i, j),
                                      did_you_mean(col, fields))
            if cols:
                out.append(tuple(cols))
        return tuple(out)


def _columns(field: Field) -> tuple[str, ...]:
    if not field.stored:
        return ()
    if field.type is FieldType.MONEY and field.currency is None:
        return (field.name, f"{field.name}_currency")
    return (field.name,)


def _without_user(scope: Scope) -> Scope:
    return replace(scope, allow_user=False)

