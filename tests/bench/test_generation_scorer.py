"""The generation scorer judges fairly and never crashes, whatever the generator does.

Nothing here depends on how good ``apiary generate`` is: the structures are built by hand, and
the commands are stand-ins (small scripts, or the example definitions).
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bench.generation import score as score_cli
from bench.generation.cases import Case, CaseError, load_sets, parse_case
from bench.generation.matching import match, normalise, similarity
from bench.generation.runner import Runner, apiary_command
from bench.generation.scoring import score_case
from bench.generation.structure import (
    FAMILIES,
    DescribeShapeError,
    Details,
    Generated,
    from_describe,
)

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
# The Apiary type an analyst's type family is written as.
APIARY_TYPE = {family: kind for kind, family in reversed(list(FAMILIES.items()))}

SMALL = {
    "name": "small", "industry": "test", "difficulty": "easy",
    "prompt": "Employees submit expense claims with several lines; a manager approves.",
    "entities": {
        "ExpenseClaim": {"synonyms": ["Claim"], "fields": {
            "employee": {"type": "ref", "key": True, "synonyms": ["created_by", "claimant"]},
            "total": {"type": "money", "key": True, "synonyms": ["amount"]},
            "submitted_on": {"type": ["date", "datetime"], "synonyms": ["submitted_at"]},
        }},
        "ExpenseLine": {"synonyms": ["LineItem"], "fields": {
            "claim": {"type": "ref", "key": True},
            "amount": {"type": "money", "key": True},
            "receipt": {"type": "file", "key": True},
        }},
        "Employee": {"optional": True},
    },
    "relations": [["ExpenseLine", "ExpenseClaim"], ["ExpenseClaim", "Employee"]],
    "workflow": {"entity": "ExpenseClaim", "states": {
        "draft": ["new"], "submitted": ["pending_approval"], "approved": [],
        "cancelled": {"optional": True},
    }},
    "roles": {"employee": ["staff"], "manager": ["approver"],
              "auditor": {"optional": True}},
}


def small(**changes: Any) -> Case:
    return parse_case({**SMALL, **changes}, "tuning")


def perfect(case: Case) -> Generated:
    """The app an analyst would write from the expectation: every required thing, named as
    expected, typed with the first family, personal data protected, nobody deleting."""
    entities: dict[str, dict[str, str]] = {}
    for entity in case.entities:
        if not entity.optional:
            entities[entity.name] = {f.name: APIARY_TYPE[f.types[0]] for f in entity.fields}
    refs = {(r.source, f"to_{r.target.lower()}"): r.target for r in case.relations
            if r.source in entities and r.target in entities}
    protected = frozenset((e, f) for e, fields in entities.items() for f in fields)
    return Generated(
        entities=entities,
        workflows={case.workflow_entity: tuple(s.name for s in case.states if not s.optional)},
        roles=tuple(r.name for r in case.roles if not r.optional),
        details=Details(refs=refs, protected=protected),
    )


def with_entities(app: Generated, entities: Mapping[str, Mapping[str, str]]) -> Generated:
    return replace(app, entities=entities)


# -- the case files --------------------------------------------------------------------------


def test_sets_are_large_enough_and_disjoint() -> None:
    tuning, heldout = load_sets("tuning"), load_sets("heldout")
    assert len(tuning) >= 18 and len(heldout) >= 9
    assert 3 * len(heldout) >= len(tuning) + len(heldout)
    assert {c.name for c in tuning}.isdisjoint({c.name for c in heldout})
    assert {c.set for c in heldout} == {"heldout"}
    assert len(load_sets("all")) == len(tuning) + len(heldout)


@pytest.mark.parametrize("case", load_sets("all"), ids=lambda c: c.name)
def test_the_expected_app_scores_one(case: Case) -> None:
    """Every case is self-consistent: meeting its expectation exactly gives full marks."""
    result = score_case(case, perfect(case))
    assert {name: result.part(name) for name in result.parts} == dict.fromkeys(result.parts, 1.0)
    assert result.score == pytest.approx(1.0)


@pytest.mark.parametrize("change, message", [
    ({"entities": {"A": {"fields": {"x": {"type": "string", "key": True}}}}}, "use one or more"),
    ({"entities": {"A": {"fields": {"x": "text"}}}}, "mark at least one field"),
    ({"entities": {"A": {"optional": True}}}, "not optional"),
    ({"relations": [["ExpenseLine", "Invoice"]]}, "`Invoice` is not one of"),
    ({"workflow": {"entity": "Invoice", "states": ["a"]}}, "workflow.entity"),
    ({"delete_allowed": ["finance"]}, "`finance` is not one of the roles"),
    ({"colour": "blue"}, "unknown key `colour`"),
    ({"prompt": ""}, "prompt: expected a non-empty text"),
])
def test_a_malformed_case_is_refused_with_its_key(change: dict[str, Any], message: str) -> None:
    with pytest.raises(CaseError, match=message):
        small(**change)


def test_unknown_set_is_refused() -> None:
    with pytest.raises(CaseError, match="use tuning, heldout or all"):
        load_sets("training")


# -- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b", [
    ("ExpenseClaims", "expense_claim"), ("expenseClaim", "EXPENSE_CLAIM"),
    ("CostCentre", "cost_center"), ("Categories", "category"), ("Organisations", "organization"),
    ("status", "statuses"), ("Addresses", "address"),
])
def test_case_underscores_plurals_and_spelling_do_not_matter(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_synonyms_and_plurals_match() -> None:
    case = small()
    found = match(case.entities, ["Claims", "LineItems"])
    assert {(m.expected, m.generated, m.how) for m in found} == {
        ("ExpenseClaim", "Claims", "synonym"), ("ExpenseLine", "LineItems", "synonym")}


def test_fuzzy_near_misses_match_but_different_words_do_not() -> None:
    case = small()
    [line] = [e for e in case.entities if e.name == "ExpenseLine"]
    [receipt] = [f for f in line.fields if f.name == "receipt"]
    assert similarity(receipt, "reciept")[1] == "fuzzy"
    assert similarity(receipt, "receipt_date") == (0.0, "")
    [approved] = [s for s in case.states if s.name == "approved"]
    assert similarity(approved, "archived") == (0.0, "")


def test_exact_names_win_over_fuzzy_neighbours_and_matching_is_one_to_one() -> None:
    case = small()
    found = match(case.states, ["submited", "submitted", "draft"])
    assert {(m.expected, m.generated, m.how) for m in found} == {
        ("submitted", "submitted", "exact"), ("draft", "draft", "exact")}


# -- scoring a structure -----------------------------------------------------------------------


def test_missing_and_extra_entities_move_recall_and_precision() -> None:
    case = small()
    app = perfect(case)
    without_lines = with_entities(app, {"ExpenseClaim": app.entities["ExpenseClaim"]})
    part = score_case(case, without_lines).parts["entities"]
    assert (part.precision, part.recall, part.missing) == (1.0, 0.5, ("ExpenseLine",))

    extra = with_entities(app, {**app.entities, "Banana": {"name": "string"}})
    part = score_case(case, extra).parts["entities"]
    assert part.precision == pytest.approx(2 / 3)
    assert (part.recall, part.extra) == (1.0, ("Banana",))
    assert part.f1 == pytest.approx(0.8)


def test_an_optional_entity_costs_nothing_either_way() -> None:
    case = small()
    app = perfect(case)
    with_employee = with_entities(app, {**app.entities, "Employees": {"name": "string"}})
    assert score_case(case, with_employee).parts["entities"].f1 == 1.0


def test_fields_are_matched_within_matched_entities_and_types_judged_apart() -> None:
    case = small()
    app = with_entities(perfect(case), {
        "Claims": {"claimant": "ref", "amount": "decimal", "submitted_at": "datetime",
                   "notes": "text", "lines": "has_many", "colour": "string"},
        "ExpenseLine": {"claim": "ref", "amount": "money", "reciept": "file"},
    })
    result = score_case(case, app)
    fields = result.parts["fields"]
    # notes is neutral and has_many is a relation, so only colour is extra
    assert fields.extra == ("Claims.colour",)
    assert (fields.matched_generated, fields.generated) == (6, 7)
    assert (fields.matched_required, fields.required) == (5, 5)
    assert result.types is not None
    assert result.types.wrong == ("Claims.amount: number, expected money",)
    assert result.types.accuracy == pytest.approx(5 / 6)


def test_fields_score_zero_when_no_expected_entity_was_generated() -> None:
    case = small()
    app = with_entities(perfect(case), {"Shift": {"starts_at": "datetime"}})
    result = score_case(case, app)
    assert result.parts["fields"].f1 == 0.0
    assert result.parts["fields"].missing[0] == "ExpenseClaim.employee"
    assert result.types is not None and result.types.accuracy == 0.0


def test_system_fields_satisfy_an_expectation_that_names_them() -> None:
    """`created_by` says who raised a record; a definition relying on it is not missing it."""
    case = small()
    app = with_entities(perfect(case), {
        "ExpenseClaim": {"total": "money"},
        "ExpenseLine": {"claim": "ref", "amount": "money", "receipt": "file"},
    })
    fields = score_case(case, app).parts["fields"]
    assert (fields.recall, fields.precision) == (1.0, 1.0)
    assert ("ExpenseClaim.employee", "ExpenseClaim.created_by", "synonym") in {
        (m.expected, m.generated, m.how) for m in fields.matches}


def test_relations_count_in_either_direction_and_only_between_matched_entities() -> None:
    case = small()
    app = perfect(case)
    reversed_ref = replace(app, details=replace(
        app.details, refs={("ExpenseClaim", "lines"): "ExpenseLine",
                           ("ExpenseClaim", "to_self"): "ExpenseClaim",
                           ("ExpenseClaim", "owner"): "User"}))
    part = score_case(case, reversed_ref).parts["relations"]
    assert (part.recall, part.precision) == (1.0, 0.5)
    assert part.extra == ("ExpenseClaim->ExpenseClaim",)
    assert score_case(case, replace(app, details=Details())).parts["relations"].recall == 0.0


def test_states_and_roles_use_synonyms_and_allow_optional_extras() -> None:
    case = small()
    app = replace(perfect(case),
                  workflows={"ExpenseClaim": ("New", "Pending_Approval", "approved", "cancelled",
                                              "archived")},
                  roles=("Staff", "approver", "admin"))
    result = score_case(case, app)
    assert result.parts["states"].recall == 1.0
    assert result.parts["states"].precision == pytest.approx(4 / 5)
    assert result.parts["roles"].f1 == 1.0


def test_states_come_from_another_workflow_when_the_main_entity_has_none() -> None:
    case = small()
    app = replace(perfect(case), workflows={"ExpenseLine": ("draft", "submitted")})
    part = score_case(case, app).parts["states"]
    assert part.precision == 1.0 and part.recall == pytest.approx(2 / 3)
    no_workflow = score_case(case, replace(app, workflows={})).parts["states"]
    assert (no_workflow.recall, no_workflow.f1) == (0.0, 0.0)


def test_security_flags_unasked_deletes_and_unprotected_personal_data() -> None:
    case = small()
    app = perfect(case)
    entities = {**app.entities, "ExpenseClaim": {**app.entities["ExpenseClaim"],
                                                 "home_address": "text", "email": "email",
                                                 "address_type": "enum"}}
    risky = replace(app, entities=entities, details=replace(
        app.details, deletes=frozenset({("manager", "ExpenseLine")}),
        protected=app.details.protected | {("ExpenseClaim", "email")}))
    security = score_case(case, risky).security
    assert security is not None
    assert security.unasked_deletes == ("manager on ExpenseLine",)
    # address_type is an enum, not personal data; email is marked, home_address is not
    assert (security.pii_fields, security.unprotected) == (2, ("ExpenseClaim.home_address",))
    assert security.score == pytest.approx((0.0 + 0.5) / 2)

    allowed = score_case(small(delete_allowed=["manager"]), risky).security
    assert allowed is not None and allowed.delete_ok == 1.0


def test_validity_scales_the_score() -> None:
    case = small()
    assert score_case(case, perfect(case), "warnings").score == pytest.approx(0.75)
    assert score_case(case, perfect(case), "invalid").score == 0.0
    with pytest.raises(ValueError, match="validity"):
        score_case(case, perfect(case), "fine")


def test_describe_summary_is_read_and_bad_shapes_are_refused() -> None:
    summary = {"app": "x", "roles": ["clerk", "admin"], "entities": {
        "Order": {"fields": {"total": "money", "customer": {"type": "ref", "to": "Customer"}},
                  "workflow": {"field": "state", "states": ["new", "done"]}},
        "Customer": {"fields": {"name": "string"}, "workflow": None}}}
    app = from_describe(summary)
    assert app.entities["Order"] == {"total": "money", "customer": "ref"}
    assert app.workflows == {"Order": ("new", "done")}
    assert app.roles == ("clerk",)
    assert app.relations() == {("Order", "Customer")}
    bad_shapes: list[Any] = [[], {"entities": []}, {"entities": {"A": {}}},
                             {"entities": {}, "roles": "clerk"}]
    for bad in bad_shapes:
        with pytest.raises(DescribeShapeError):
            from_describe(bad)


# -- running the commands ----------------------------------------------------------------------


def fake_cli(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "fake_apiary.py"
    script.write_text("import pathlib, sys\nargs = sys.argv[1:]\n" + textwrap.dedent(body))
    return [sys.executable, str(script)]


def test_a_failed_generation_scores_zero_and_keeps_the_error(tmp_path: Path) -> None:
    command = fake_cli(tmp_path, """
        sys.stderr.write("the provider is unreachable\\n")
        sys.exit(3)
    """)
    result = Runner(command).run(small())
    assert result.score == 0.0 and result.validity == "invalid"
    assert result.error == "apiary generate failed (exit 3): the provider is unreachable"
    assert result.as_dict()["parts"]["entities"] == 0.0


def test_the_generate_command_gets_the_prompt_and_provider(tmp_path: Path) -> None:
    log = tmp_path / "args.json"
    command = fake_cli(tmp_path, f"""
        pathlib.Path({str(log)!r}).write_text(__import__("json").dumps(args))
        sys.exit(1)
    """)
    Runner(command, provider="offline").run(small())
    args = json.loads(log.read_text())
    assert args[0] == "generate" and args[-1] == SMALL["prompt"]
    assert args[args.index("--provider") + 1] == "offline"
    assert Path(args[args.index("--out") + 1]).name == "app.yaml"


@pytest.mark.parametrize("body, error", [
    ("sys.exit(0)\n", "exited 0 but wrote no file"),
    ("import time\ntime.sleep(30)\n", "timed out after 0.5 s"),
    ("""
if args[0] == "generate":
    pathlib.Path(args[args.index("--out") + 1]).write_text("app: x\\n")
elif args[0] == "describe":
    print("not a summary")
""", "cannot read the described app"),
    ("""
if args[0] == "generate":
    pathlib.Path(args[args.index("--out") + 1]).write_text("app: x\\n")
elif args[0] == "describe":
    sys.stderr.write("error APY-E100: no entities\\n")
    sys.exit(1)
""", "apiary describe failed (exit 1): error APY-E100"),
])
def test_every_failure_is_a_zero_not_a_crash(tmp_path: Path, body: str, error: str) -> None:
    result = Runner(fake_cli(tmp_path, body), timeout=0.5).run(small())
    assert result.score == 0.0
    assert result.error is not None and error in result.error


def test_a_missing_stand_in_definition_scores_zero(tmp_path: Path) -> None:
    result = Runner(apiary_command(), definitions=tmp_path).run(small())
    assert result.score == 0.0
    assert result.error is not None and "small.yaml does not exist" in result.error


def test_end_to_end_through_the_real_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """An example definition stands in for a generated one: validate and describe are real."""
    shutil.copyfile(EXAMPLES / "leave.yaml", tmp_path / "leave-requests.yaml")
    monkeypatch.setattr(score_cli, "RESULTS_DIR", tmp_path / "results")
    code = score_cli.main(["--definitions", str(tmp_path), "--case", "leave-requests",
                           "--case", "recruiting", "--json", "--save"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((tmp_path / "results" / "tuning.json").read_text())
    assert printed == saved
    leave, recruiting = sorted(saved["cases"], key=lambda c: c["name"])
    assert leave["validity"] == "strict" and leave["error"] is None
    assert leave["parts"]["states"] == 1.0 and leave["parts"]["roles"] == 1.0
    assert 0.5 < leave["score"] <= 1.0
    assert recruiting["score"] == 0.0 and "does not exist" in recruiting["error"]
    assert saved["score"] == pytest.approx((leave["score"] + 0.0) / 2, abs=1e-3)
    assert (saved["cases_total"], saved["cases_failed"]) == (2, 1)


def test_the_table_names_every_part_and_the_errors(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = score_cli.main(["--definitions", str(tmp_path), "--case", "recruiting"])
    out = capsys.readouterr().out
    assert code == 0
    assert "recruiting" in out and "failed" in out
    for part in ("entities", "fields", "field_types", "relations", "states", "roles",
                 "security"):
        assert part in out
    assert "overall score (tuning, 1 cases, 1 failed" in out
    assert "recruiting: no definition for this case" in out


def test_an_unknown_case_name_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert score_cli.main(["--case", "nope"]) == 2
    assert "no case named nope in tuning" in capsys.readouterr().err
