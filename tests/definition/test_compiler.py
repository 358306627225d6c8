"""Compiling definitions: defaults that make small apps work, and every cross-check."""

from __future__ import annotations

import textwrap

import pytest

from apiary.definition import DefinitionError, Severity, check_text, compile_text
from apiary.definition.compiled import Classification, FieldType, Operation

MINIMAL = """\
app: todo
entities:
  Task:
    fields: {title: string, done: boolean}
"""


def problems(text: str) -> list[tuple[str, str, int | None]]:
    """(code, dotted path, line) of every error, in document order."""
    return [(d.code, d.dotted_path, d.line) for d in check_text(textwrap.dedent(text), "app.yaml")
            if d.severity is Severity.ERROR]


def test_a_five_line_definition_is_a_working_app() -> None:
    app = compile_text(MINIMAL)
    task = app.entities["Task"]
    assert app.name == "todo" and app.title == "Todo"
    assert task.table == "todo__task"
    assert [(f.name, f.type) for f in task.fields.values()] == [
        ("title", FieldType.STRING), ("done", FieldType.BOOLEAN)]
    assert task.display == "title"
    assert task.plural == "Tasks"
    # deny by default: nobody but admin may do anything
    assert not task.rule("member", Operation.READ).allow
    assert task.rule("admin", Operation.DELETE).allow
    warnings = [d.code for d in check_text(MINIMAL)]
    assert warnings == ["APY-W403"]


def test_content_hash_changes_with_the_document() -> None:
    assert compile_text(MINIMAL).content_hash == compile_text(MINIMAL).content_hash
    assert compile_text(MINIMAL).content_hash != compile_text(MINIMAL + "    label: Job\n") \
        .content_hash


def test_all_problems_are_reported_at_once_with_lines() -> None:
    found = problems("""\
        app: {name: Bad_Name}
        roles: {agent: Works tickets}
        entities:
          Ticket:
            fields:
              title: {type: string, required: true}
              assignee: {type: ref, to: Usr}
              priority: {type: enum, values: [low, high], default: urgent}
              id: integer
            permissions:
              agnt: {read: true}
              agent: {read: "asignee == user.id"}
            workflow:
              states: [open, closed]
              transitions:
                close: {from: opn, to: closed, roles: [agent, boss]}
        """)
    assert found == [
        ("APY-E130", "app.name", 1),
        ("APY-E201", "entities.Ticket.fields.assignee.to", 7),
        ("APY-E128", "entities.Ticket.fields.priority.default", 8),
        ("APY-E131", "entities.Ticket.fields.id", 9),
        ("APY-E204", "entities.Ticket.permissions.agnt", 11),
        ("APY-E302", "entities.Ticket.permissions.agent.read", 12),
        ("APY-E206", "entities.Ticket.workflow.transitions.close.from", 16),
        ("APY-E204", "entities.Ticket.workflow.transitions.close.roles[1]", 16),
    ]


def test_hints_suggest_the_intended_name() -> None:
    diags = check_text(textwrap.dedent("""\
        app: x
        roles: [agent]
        entities:
          Ticket:
            fields:
              assignee: {type: ref, to: User}
            permissions:
              agent: {read: "asignee == user.id"}
        """))
    [diag] = [d for d in diags if d.severity is Severity.ERROR]
    assert diag.hint is not None and "assignee" in diag.hint
    assert diag.line == 8
    # the column points inside the expression, at the unknown name
    assert diag.column == len('      agent: {read: "') + 1


def test_unknown_keys_and_types_are_named_with_hints() -> None:
    diags = check_text("app: x\nentities:\n  A:\n    fields:\n      a: strng\n"
                       "      b: {type: string, requird: true}\n")
    rendered = [d.render() for d in diags]
    assert rendered == [
        "<definition>:5:7: error APY-E112 at entities.A.fields.a.type: `strng` is not allowed "
        "here\n    hint: did you mean `string`?",
        "<definition>:6:25: error APY-E110 at entities.A.fields.b.requird: unknown key "
        "`requird`\n    hint: did you mean `required`?",
    ]


def test_reserved_and_unsafe_names() -> None:
    found = problems("""\
        app: x
        entities:
          Order:
            fields:
              "name; DROP TABLE x": string
              "null": string
              created_at: datetime
              order: integer
          User:
            fields: {a: string}
        """)
    assert [code for code, _, _ in found] == ["APY-E130", "APY-E131", "APY-E131", "APY-E131"]
    # `Order` and `order` are SQL keywords but fine names: identifiers are always quoted


def test_option_must_fit_the_field_type() -> None:
    found = problems("""\
        app: x
        entities:
          A:
            fields:
              n: {type: integer, values: [a], max_length: 3}
              s: {type: string, min: 1, pattern: "("}
              m: {type: money, currency: euro}
              e: {type: enum}
              r: {type: ref, to: A, on_delete: set_null, required: true}
        """)
    assert [code for code, _, _ in found] == [
        "APY-E120", "APY-E120", "APY-E120", "APY-E123", "APY-E122", "APY-E127", "APY-E121"]


def test_literals_are_checked_against_field_types() -> None:
    found = problems("""\
        app: x
        entities:
          A:
            fields:
              d: {type: date, default: 31/12/2026, min: 2026-01-01, max: 2025-01-01}
              n: {type: integer, default: "3"}
              t: {type: date, default: today}
              s: {type: string, max_length: 2, default: abc}
        """)
    assert found == [
        ("APY-E128", "entities.A.fields.d.default", 5),
        ("APY-E125", "entities.A.fields.d.min", 5),
        ("APY-E128", "entities.A.fields.n.default", 6),
        ("APY-E128", "entities.A.fields.s.default", 8),
    ]


def test_refs_and_reverse_lists() -> None:
    app = compile_text(textwrap.dedent("""\
        app: shop
        entities:
          Order:
            fields:
              customer: {type: ref, to: User}
              lines: {type: has_many, to: OrderLine}
          OrderLine:
            fields:
              order: {type: ref, to: Order, on_delete: cascade}
              qty: integer
        """))
    lines = app.entities["Order"].fields["lines"]
    assert (lines.ref, lines.via, lines.stored) == ("OrderLine", "order", False)
    found = problems("""\
        app: shop
        entities:
          Order:
            fields:
              lines: {type: has_many, to: OrderLine}
              notes: {type: has_many, to: Note, via: order}
          OrderLine: {fields: {qty: integer}}
          Note: {fields: {a: {type: ref, to: Order}, b: {type: ref, to: Order}}}
        """)
    assert [(c, p) for c, p, _ in found] == [
        ("APY-E203", "entities.Order.fields.lines"),
        ("APY-E203", "entities.Order.fields.notes.via"),
    ]


def test_workflow_defaults_and_state_field() -> None:
    app = compile_text(textwrap.dedent("""\
        app: x
        roles: [agent]
        entities:
          Ticket:
            fields: {title: string, resolution: text}
            workflow:
              states: [new, {name: resolved, requires: [resolution]}, closed]
              transitions:
                resolve: {from: new, to: resolved, roles: agent, guard: "title != ''"}
                close: {from: "*", to: closed}
            permissions: {agent: true}
        """))
    ticket = app.entities["Ticket"]
    wf = ticket.workflow
    assert wf is not None
    assert wf.field == "state" and wf.initial == "new"
    assert ticket.fields["state"].is_state and ticket.fields["state"].values == (
        "new", "resolved", "closed")
    assert wf.state("resolved").requires == ("resolution",)
    assert wf.transitions["close"].sources == ("new", "resolved", "closed")
    assert wf.transitions["resolve"].roles == {"agent"}
    guard = wf.transitions["resolve"].guard
    assert guard is not None and guard.source == "title != ''"


def test_workflow_errors() -> None:
    found = problems("""\
        app: x
        entities:
          T:
            fields: {state: string}
            workflow:
              states: {open: {requires: [nope]}}
              initial: closed
              transitions:
                go: {from: open, to: gone, guard: "1 + 1"}
        """)
    assert [code for code, _, _ in found] == [
        "APY-E140", "APY-E205", "APY-E206", "APY-E206", "APY-E304"]


def test_expressions_must_have_the_right_type_and_compile_to_sql_where_needed() -> None:
    found = problems("""\
        app: x
        roles: [viewer]
        entities:
          A:
            fields:
              code: string
              total: {type: integer, computed: "code + 'x'"}
              twice: {type: integer, computed: "half * 2"}
              half: {type: integer, computed: "twice / 2"}
            validations:
              - {rule: "code", message: must be true or false}
            permissions:
              viewer: {read: "code.matches('^A')", create: "code.matches('^A')"}
        """)
    assert [(code, path) for code, path, _ in found] == [
        ("APY-E304", "entities.A.fields.total.computed"),
        ("APY-E141", "entities.A.fields.twice.computed"),
        ("APY-E304", "entities.A.validations[0].rule"),
        ("APY-E306", "entities.A.permissions.viewer.read"),
    ]


def test_computed_fields_are_ordered_by_dependency() -> None:
    app = compile_text(textwrap.dedent("""\
        app: x
        entities:
          Line:
            fields:
              total: {type: decimal, computed: "net + tax"}
              tax: {type: decimal, computed: "net * 0.2"}
              net: decimal
        """))
    fields = app.entities["Line"].fields
    assert list(fields) == ["net", "tax", "total"]
    tax, total = fields["tax"].computed, fields["total"].computed
    assert tax is not None and total is not None
    assert tax.names == {"net"} and total.names == {"net", "tax"}


def test_pii_and_access() -> None:
    text = textwrap.dedent("""\
        app: hr
        roles: [hr, staff]
        entities:
          Person:
            fields:
              name: string
              email: {type: email, pii: true}
              salary: {type: money, currency: EUR, classification: confidential,
                       access: {read: [hr], write: hr}}
            permissions: {hr: true, staff: read}
        """)
    diags = check_text(text)
    assert [(d.code, d.severity, d.dotted_path) for d in diags] == [
        ("APY-W401", Severity.WARNING, "entities.Person.fields.email")]
    person = compile_text(text).entities["Person"]
    assert person.fields["email"].classification is Classification.PII
    salary = person.fields["salary"]
    assert salary.read_roles == {"hr"} and salary.write_roles == {"hr"}
    assert salary.currency == "EUR"
    assert person.rule("staff", Operation.READ).allow
    assert not person.rule("staff", Operation.UPDATE).allow


def test_row_level_rules_and_views_imply_indexes() -> None:
    app = compile_text(textwrap.dedent("""\
        app: x
        roles: [member]
        entities:
          Task:
            fields:
              title: string
              priority: integer
              owner: {type: ref, to: User}
            permissions:
              member: {read: "owner == user.id", create: true}
        views:
          tasks: {type: list, entity: Task, sort: [-priority], filter: "priority > 1"}
        """))
    # the rule's field leads the composite index, so the permitted list walks it in sort order;
    # ("owner",) alone is dropped: the composite serves it too
    assert app.entities["Task"].indexes == (("priority",), ("owner", "priority"))


def test_views_are_checked() -> None:
    found = problems("""\
        app: x
        entities:
          A:
            fields: {title: string, n: integer, kids: {type: has_many, to: B}}
        views:
          one: {type: list, entity: A, columns: [title, nope, kids], sort: [-n, -zz],
                search: [n], filter: "n.matches('x')"}
          two: {type: board, entity: A}
          three: {type: dashboard, widgets: [{kind: sum, entity: A, field: title},
                                             {entity: Z}]}
          Four: {type: form, entity: A}
          five: {type: grid, entity: A}
        """)
    codes = [code for code, _, _ in found]
    assert codes == ["APY-E112"]  # structure problems come first, alone
    found = problems("""\
        app: x
        entities:
          A:
            fields: {title: string, n: integer, kids: {type: has_many, to: B}}
          B:
            fields: {a: {type: ref, to: A}}
        views:
          one: {type: list, entity: A, columns: [title, nope, kids], sort: [-n, -zz],
                search: [n], filter: "title.matches('x')"}
          two: {type: board, entity: A}
          three: {type: dashboard, widgets: [{kind: sum, entity: A, field: title},
                                             {entity: Z}]}
          Four: {type: form, entity: A}
        """)
    assert [(code, path) for code, path, _ in found] == [
        ("APY-E205", "views.one.columns[1]"),
        ("APY-E212", "views.one.columns[2]"),
        ("APY-E205", "views.one.sort[1]"),
        ("APY-E211", "views.one.search[0]"),
        ("APY-E306", "views.one.filter"),
        ("APY-E210", "views.two"),
        ("APY-E214", "views.three.widgets[0].field"),
        ("APY-E201", "views.three.widgets[1].entity"),
        ("APY-E130", "views.Four"),
    ]


def test_compile_text_raises_with_every_problem() -> None:
    with pytest.raises(DefinitionError) as exc:
        compile_text("app: x\nentities:\n  A: {fields: {a: {type: ref, to: B}, b: enum}}\n")
    errors = [d for d in exc.value.diagnostics if d.severity is Severity.ERROR]
    assert [d.code for d in errors] == ["APY-E201", "APY-E127"]
    assert "2 problems" in str(exc.value)


def test_views_may_use_system_fields() -> None:
    app = compile_text(textwrap.dedent("""\
        app: x
        entities:
          A: {fields: {title: string}}
        views:
          recent: {type: list, entity: A, columns: [title, created_at], sort: [-created_at]}
          per-month: {type: dashboard, widgets: [{entity: A, group_by: created_at,
                                                  period: month, chart: line}]}
          by-author: {type: dashboard, widgets: [{entity: A, group_by: created_by}]}
        """))
    assert app.views["per-month"].widgets[0].period == "month"
    found = problems("""\
        app: x
        entities:
          A: {fields: {title: string}}
        views:
          bad: {type: list, entity: A, search: [title, created_by]}
        """)
    assert found == [("APY-E211", "views.bad.search[1]", 5)]


def test_star_must_stand_alone_and_app_currency_is_checked() -> None:
    found = problems("""\
        app: {name: x, currency: euro}
        entities:
          A:
            fields: {title: string}
            workflow:
              states: [a, b]
              transitions: {go: {from: [a, "*"], to: b}}
        """)
    assert [code for code, _, _ in found] == ["APY-E122", "APY-E206"]


def test_messages_use_the_right_article() -> None:
    [diag] = [d for d in check_text("app: x\nentities:\n  A: {fields: {n: {type: integer, "
                                    "values: [a]}}}\n") if d.severity is Severity.ERROR]
    assert diag.message == "`values` does not apply to an integer field"
