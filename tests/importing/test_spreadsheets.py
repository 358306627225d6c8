"""Spreadsheets as teams keep them become definitions the engine accepts, assumptions stated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from apiary.definition import compile_data
from apiary.importing import ImportFailed, plan_spreadsheet

SAMPLES = Path(__file__).parent / "samples"


def fields(plan: Any, entity: str) -> dict[str, dict[str, Any]]:
    return dict(plan.document["entities"][entity]["fields"])


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_the_messy_sample_workbook_is_typed_and_linked() -> None:
    plan = plan_spreadsheet(SAMPLES / "field-service.xlsx")
    customer, job = fields(plan, "Customer"), fields(plan, "Job")
    assert {k: v["type"] for k, v in customer.items()} == {
        "customer_id": "string", "company": "string", "contact_email": "email",
        "phone": "phone", "customer_since": "date", "credit_limit": "money",
        "active": "boolean", "segment": "enum", "jobs": "has_many"}
    assert customer["credit_limit"]["currency"] == "GBP"
    assert customer["customer_id"]["unique"] and customer["customer_id"]["required"]
    assert customer["segment"]["values"] == ["SMB", "Enterprise", "Public"]
    assert customer["contact_email"]["pii"] and customer["contact_email"]["access"] == {
        "read": ["editor"]}
    assert job["customer"] == {"type": "ref", "to": "Customer", "required": True}
    assert job["scheduled"]["type"] == "datetime" and job["price"]["type"] == "money"
    assert job["hours"]["type"] == "decimal", "one typo must not turn a column into text"
    assert job["job_no"]["type"] == "integer"
    notes = "\n".join(plan.notes)
    assert "above the header" in notes and "total line" in notes and "formula" in notes
    assert "C999" not in notes and "1 row(s) name no such key" in notes
    compile_data(plan.document)


def test_the_generated_app_is_least_privilege() -> None:
    plan = plan_spreadsheet(SAMPLES / "field-service.xlsx")
    for entity in plan.document["entities"].values():
        assert entity["permissions"] == {"editor": ["read", "create", "update"],
                                         "viewer": "read"}


def test_csv_with_semicolons_decimal_commas_and_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "Stock levels.csv",
                 "\ufeffItem;Quantity;Unit price;Counted on\n"
                 "Bolts;1.200;0,05 €;03.04.2024\n"
                 "Nuts;15;0,04 €;04.04.2024\n"
                 "Washers;2.500;0,01 €;25.04.2024\n")
    plan = plan_spreadsheet(path)
    assert plan.app_name == "stock-levels"
    item = fields(plan, "StockLevel")
    assert item["quantity"]["type"] == "integer"
    assert item["unit_price"] == {"type": "money", "currency": "EUR", "required": True}
    assert item["counted_on"]["type"] == "date"


def test_amounts_without_a_symbol_take_the_given_currency(tmp_path: Path) -> None:
    path = write(tmp_path / "budget.csv", "Team,Budget\nOps,1200.00\nIT,950.50\n")
    plan = plan_spreadsheet(path, currency="USD")
    assert fields(plan, "Budget")["budget"]["currency"] == "USD"
    assert any("assumed USD" in n for n in plan.notes)


def test_a_sheet_without_a_header_gets_numbered_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "raw.csv", "1,2024-01-01,10.5\n2,2024-01-02,11.5\n")
    plan = plan_spreadsheet(path)
    assert list(fields(plan, "Raw")) == ["column_1", "column_2", "column_3"]
    assert any("no header row" in n for n in plan.notes)


def test_awkward_headers_become_safe_unique_names(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv",
                 "ID,Name,Name,Créé le,2024 target,true\n"
                 "1,Ana,A,2024-01-01,5,x\n2,Bo,B,2024-01-02,6,y\n")
    names = list(fields(plan_spreadsheet(path), "Person"))
    assert names == ["source_id", "name", "name_2", "cree_le", "col_2024_target",
                     "source_true"]


def test_two_sheets_and_hidden_ones(tmp_path: Path) -> None:
    book = Workbook()
    teams = book.active
    assert teams is not None
    teams.title = "Teams"
    teams.append(["Code", "Team name"])
    for code in ("OPS", "FIN", "IT"):
        teams.append([code, f"{code} team"])
    people = book.create_sheet("People")
    people.append(["Email", "Team"])
    for i, code in enumerate(["OPS", "FIN", "IT", "OPS"]):
        people.append([f"p{i}@example.com", code])
    book.create_sheet("Secret").sheet_state = "hidden"
    book.save(tmp_path / "org.xlsx")
    plan = plan_spreadsheet(tmp_path / "org.xlsx")
    assert fields(plan, "Person")["team"] == {"type": "ref", "to": "Team", "required": True}
    assert fields(plan, "Team")["people"] == {"type": "has_many", "to": "Person",
                                              "via": "team"}
    assert "Secret" not in plan.document["entities"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("junk.csv", b"\x00\x01\x02binary\x00", "binary data"),
    ("empty.csv", b"", "no data"),
    ("blank.csv", b"\n\n ,, \n", "no data"),
    ("fake.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "save it as .xlsx"),
    ("notes.pdf", b"%PDF-1.4", "expected a .csv or .xlsx"),
])
def test_unreadable_files_get_a_clear_error(tmp_path: Path, name: str, content: bytes,
                                            message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFailed, match=message):
        plan_spreadsheet(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="no such file"):
        plan_spreadsheet(tmp_path / "nope.csv")
