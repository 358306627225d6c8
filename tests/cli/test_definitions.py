"""validate, schema, describe as a user runs them: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from apiary.cli import main

EXAMPLES = sorted((Path(__file__).parent.parent.parent / "examples").glob("*.yaml"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_examples_exist() -> None:
    assert {p.stem for p in EXAMPLES} >= {"helpdesk", "leave", "expenses"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_validate_without_warnings(example: Path) -> None:
    code, out, err = run("validate", "--strict", str(example))
    assert (code, err) == (0, "")
    assert out == f"{example}: valid\n"


def test_validate_lists_every_error_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("app: x\nentities:\n  A:\n    fields:\n      a: {type: ref, to: B}\n"
                   "      b: {type: enum}\n")
    code, out, err = run("validate", str(bad))
    assert code == 1 and out == ""
    assert err.count("error APY-") == 2
    assert f"{bad}:5:" in err and f"{bad}:6:" in err
    assert "hint: expected one of: `A`, `User`" in err


def test_validate_json_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("app: x\nentities: {A: {fields: {a: strng}}}\n")
    code, out, _ = run("validate", "--json", str(bad))
    assert code == 1
    [diag] = json.loads(out)[str(bad)]
    assert diag["code"] == "APY-E112" and diag["path"] == "entities.A.fields.a.type"
    assert diag["line"] == 2


def test_validate_bad_file_is_not_a_traceback(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "missing.yaml"))
    assert code == 1 and "APY-E100" in err and "Traceback" not in err


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_describe_json_shape(example: Path) -> None:
    code, out, _ = run("describe", "--json", str(example))
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"app", "entities", "roles"}
    assert isinstance(data["app"], str) and isinstance(data["roles"], list)
    for entity in data["entities"].values():
        assert set(entity) == {"fields", "workflow"}
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in entity["fields"].items())
        if entity["workflow"] is not None:
            assert set(entity["workflow"]) == {"field", "states"}
            assert all(isinstance(s, str) for s in entity["workflow"]["states"])


def test_describe_exact_output(tmp_path: Path) -> None:
    app = "app: todo\nroles: [member]\nentities:\n  Task:\n    fields: {title: string}\n" \
          "    workflow: {states: [open, done]}\n    permissions: {member: read}\n"
    (tmp_path / "todo.yaml").write_text(app)
    code, out, _ = run("describe", "--json", str(tmp_path / "todo.yaml"))
    assert code == 0
    assert json.loads(out) == {
        "app": "todo",
        "entities": {"Task": {"fields": {"title": "string"},
                              "workflow": {"field": "state", "states": ["open", "done"]}}},
        "roles": ["member"],
    }


def test_schema_is_json_schema_that_accepts_the_examples() -> None:
    import jsonschema

    from apiary.definition.source import read_file

    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].endswith("2020-12/schema")
    validator = jsonschema.Draft202012Validator(schema)
    for example in EXAMPLES:
        errors = list(validator.iter_errors(read_file(example).data))
        assert errors == [], (example, errors[:3])
    assert list(validator.iter_errors({"app": "x", "entities": {"A": {"fieldz": {}}}}))

