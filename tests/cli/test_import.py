"""apiary import as a user runs it: sample sources to served apps, every row accounted for."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from apiary.api import create_app
from apiary.definition import compile_file
from apiary.engine import Runtime
from apiary.identity import add_user, create_token
from apiary.storage import connect
from tests.api.client import client_for
from tests.cli.test_definitions import run

SAMPLES = Path(__file__).parent.parent / "importing" / "samples"


def served_count(db_url: str, definition: Path, entity: str, role: str = "viewer") -> int:
    """How many records the served API shows a user with ``role``."""
    app = compile_file(definition)
    db = connect(db_url)
    try:
        add_user(db, f"{role}@example.com", app, role)
        token = create_token(db, f"{role}@example.com")
        with client_for(create_app(Runtime(db, [app]))) as client:
            response = client.with_token(token).get(
                f"/api/{app.name}/{entity}?count=true&limit=1")
            assert response.status_code == 200, response.text
            return int(response.json()["total"])
    finally:
        db.dispose()


def test_the_messy_workbook_loads_and_reports_the_rows_it_could_not(tmp_path: Path,
                                                                     db_url: str) -> None:
    out = tmp_path / "field-service.yaml"
    code, stdout, stderr = run("import", str(SAMPLES / "field-service.xlsx"), "--out", str(out),
                               "--db", db_url, "--load")
    assert code == 1, "some rows were not loaded, so the command says so"
    assert "Loaded 6 of 6 row(s) of `Customers`" in stdout
    assert "Loaded 30 of 32 row(s) of `Jobs`" in stdout
    assert "Jobs, row 32: Customer: no Customer with key 'C999'" in stderr
    assert "Jobs, row 33: Hours: cannot read 'two' as a number" in stderr
    with out.with_suffix(".rejected.csv").open(encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert [(r["table"], r["row"]) for r in rejected] == [("Jobs", "32"), ("Jobs", "33")]
    assert run("validate", "--strict", str(out))[0] == 0
    assert served_count(db_url, out, "Job") == 30
    assert served_count(db_url, out, "Customer") == 6
    again = run("import", str(SAMPLES / "field-service.xlsx"), "--out", str(out), "--force",
                "--db", db_url, "--load")
    assert again[0] == 1 and "already has records" in again[2]
    assert served_count(db_url, out, "Job") == 30, "nothing was loaded twice"


def test_a_legacy_database_gets_an_app_beside_its_tables(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.db"
    shutil.copy(SAMPLES / "legacy.db", legacy)
    out = tmp_path / "legacy.yaml"
    url = f"sqlite:///{legacy}"
    code, stdout, stderr = run("import", url, "--out", str(out), "--db", url, "--load")
    assert code == 0, stderr
    assert "app `legacy` with 4 entities" in stdout
    assert "Loaded 40 of 40 row(s) of `order_lines`" in stdout
    assert served_count(url, out, "Order") == 40
    assert served_count(url, out, "OrderLine", role="editor") == 40


def test_an_existing_output_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "app.yaml"
    out.write_text("keep me")
    code, _, stderr = run("import", str(SAMPLES / "field-service.xlsx"), "--out", str(out))
    assert code == 2 and "--force" in stderr
    assert out.read_text() == "keep me"


@pytest.mark.parametrize(("source", "message"), [
    ("missing.csv", "no such file"),
    ("notes.txt", "no data"),
])
def test_bad_sources_are_one_line_errors(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "notes.txt").write_text("")
    code, _, stderr = run("import", str(tmp_path / source), "--out", str(tmp_path / "a.yaml"))
    assert code == 1 and message in stderr and "Traceback" not in stderr
    assert not (tmp_path / "a.yaml").exists()


def test_a_file_name_with_a_line_break_stays_in_the_header_comment(tmp_path: Path) -> None:
    source = tmp_path / "budget\nviews: {}.csv"
    source.write_text("Team,Budget\nOps,1200.00\nIT,950.50\n")
    out = tmp_path / "app.yaml"
    assert run("import", str(source), "--out", str(out))[0] == 0
    first, second = out.read_text().splitlines()[:2]
    assert first.startswith("# Imported from budget views: {}.csv") and second == "apiary: 1"
