"""The command line as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from apiary.cli import main

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))


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


def _write(path: Path, fields: str) -> str:
    path.write_text(f"app: shop\nentities:\n  Product:\n    fields: {{{fields}}}\n")
    return str(path)


def test_migrate_round_trip_keeps_every_row(tmp_path: Path, db_url: str) -> None:
    """The README's promise, through the command line, on SQLite and PostgreSQL."""
    import sqlalchemy as sa

    from apiary.storage import connect

    spec = tmp_path / "shop.yaml"
    assert run("migrate", _write(spec, "name: string, note: text"), "--db", db_url)[0] == 0
    engine = connect(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO shop__product (name, note, created_at, updated_at, row_version) "
            "VALUES ('kettle', 'n1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1), "
            "('teapot', 'n2', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"))

    def rows(columns: str) -> list[tuple[object, ...]]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                sa.text(f"SELECT {columns} FROM shop__product ORDER BY id"))]

    # add a field
    code, out, _ = run("migrate", _write(spec, "name: string, note: text, stock: integer"),
                       "--db", db_url)
    assert code == 0 and "add column shop__product.stock" in out
    # rename a field: the values move with it
    _write(spec, "title: {type: string, renamed_from: name}, note: text, stock: integer")
    code, out, _ = run("migrate", str(spec), "--db", db_url, "--plan")
    assert code == 0 and "rename column shop__product.name to title" in out
    assert rows("name") == [("kettle",), ("teapot",)]  # --plan changed nothing
    assert run("migrate", str(spec), "--db", db_url)[0] == 0
    assert rows("title, note") == [("kettle", "n1"), ("teapot", "n2")]
    # drop a field: refused, then applied with the values archived
    _write(spec, "title: string, stock: integer")
    code, out, err = run("migrate", str(spec), "--db", db_url)
    assert code == 1 and "[DESTRUCTIVE]" in out and "--allow-destructive" in err
    assert rows("title, note") == [("kettle", "n1"), ("teapot", "n2")]
    code, out, _ = run("migrate", str(spec), "--db", db_url, "--allow-destructive")
    assert code == 0 and "apiary_archive_" in out
    assert rows("id, title") == [(1, "kettle"), (2, "teapot")]
    archive = out.split("kept in ")[1].rstrip(".\n")
    with engine.connect() as conn:
        kept = conn.execute(sa.text(f'SELECT id, note FROM "{archive}" ORDER BY id')).all()
    assert [tuple(r) for r in kept] == [(1, "n1"), (2, "n2")]
    engine.dispose()
