"""Spreadsheets that would take more memory to read than any real sheet needs are refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from apiary.importing import ImportFailed, plan_spreadsheet, sheets


def workbook(path: Path, rows: int) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Notes"])
    for i in range(rows):
        sheet.append([f"Item {i}", "the same words again " * 4])
    book.save(path)
    return path


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path / "big.xlsx", 2000)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert path.stat().st_size < unpacked // 5, "the sheet must compress well for this test"
    monkeypatch.setattr(sheets, "MAX_UNPACKED", unpacked - 1)
    with pytest.raises(ImportFailed, match="unpacks to more than"):
        plan_spreadsheet(path)


def test_a_workbook_within_the_limit_is_read(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path / "small.xlsx", 20)
    monkeypatch.setattr(sheets, "MAX_UNPACKED",
                        sum(i.file_size for i in zipfile.ZipFile(path).infolist()))
    plan = plan_spreadsheet(path)
    assert list(plan.document["entities"]) == ["Sheet"]
    assert plan.entities[0].table.row_count == 20


def test_a_file_named_xlsx_that_is_not_a_zip_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"Name,Notes\nA,B\n")
    with pytest.raises(ImportFailed, match="not a readable XLSX workbook"):
        plan_spreadsheet(path)
