"""Reading spreadsheets (CSV and XLSX) the way people actually make them.

Real sheets have a title in a merged cell above the header, notes below the data, blank rows,
a "Total" line, columns nobody named. Reading finds the header row (the first row of several
distinct text cells), drops what is not data and says so in the table's notes, so that the
user can check every assumption.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from apiary.importing import values
from apiary.importing.errors import ImportFailed
from apiary.importing.tables import SourceTable

MAX_BYTES: Final = 200 * 1024 * 1024
MAX_UNPACKED: Final = 1024 * 1024 * 1024
"""What the parts of an XLSX file may unpack to: a sheet compresses well, a zip bomb better."""
MAX_ROWS: Final = 1_000_000
HEADER_SEARCH: Final = 30
SAMPLE_ROWS: Final = 20_000
_TOTAL: Final = re.compile(r"(grand\s+)?(sub)?totals?\s*:?\Z", re.IGNORECASE)
Grid = list[list[Any]]


def read_spreadsheet(path: Path) -> list[SourceTable]:
    """The tables of a ``.csv`` or ``.xlsx`` file: one per non-empty, visible sheet."""
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file.")
    if path.stat().st_size > MAX_BYTES:
        raise ImportFailed(f"{path}: the file is larger than {MAX_BYTES // 2**20} MB; split it "
                           "or import it into a database first.")
    suffix = path.suffix.lower()
    semicolons = False
    if suffix in (".csv", ".tsv", ".txt"):
        grid, semicolons = _read_csv(path)
        grids: list[tuple[str, Grid, list[str]]] = [(path.stem, grid, [])]
    elif suffix in (".xlsx", ".xlsm"):
        grids = _read_xlsx(path)
    elif suffix == ".xls":
        raise ImportFailed(f"{path}: the old .xls format is not supported; open it in a "
                           "spreadsheet program and save it as .xlsx or .csv.")
    else:
        raise ImportFailed(f"{path}: expected a .csv or .xlsx file.")
    tables = []
    for name, grid, notes in grids:
        table = table_from_grid(name, grid)
        if table is not None:
            table.decimal_comma = semicolons
            table.notes[:0] = notes
            tables.append(table)
    if not tables:
        raise ImportFailed(f"{path}: there is no data in this file.")
    return tables


def _read_csv(path: Path) -> tuple[Grid, bool]:
    """The cells, and whether fields are separated by semicolons."""
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise ImportFailed(f"{path}: this is not a text CSV file (it holds binary data); "
                           "save the sheet as CSV (UTF-8) or XLSX.")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = raw.decode("cp1252", errors="replace")
    sample = content[:32768]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    grid: Grid = []
    try:
        for row in csv.reader(io.StringIO(content, newline=""), dialect):
            grid.append(row)
            if len(grid) > MAX_ROWS:
                raise ImportFailed(f"{path}: more than {MAX_ROWS:,} rows; split the file.")
    except csv.Error as exc:
        raise ImportFailed(f"{path}, line {len(grid) + 1}: {exc}.") from None
    return grid, getattr(dialect, "delimiter", ",") == ";"


def _read_xlsx(path: Path) -> list[tuple[str, Grid, list[str]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFailed(f"{path}: not a readable XLSX workbook ({exc}).") from None
    if unpacked > MAX_UNPACKED:
        raise ImportFailed(f"{path}: the workbook unpacks to more than "
                           f"{MAX_UNPACKED // 2**20:,} MB; split it or save it as CSV.")
    try:
        values_book = load_workbook(path, read_only=True, data_only=True)
        formula_book = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportFailed(f"{path}: not a readable XLSX workbook ({exc}).") from None
    out: list[tuple[str, Grid, list[str]]] = []
    try:
        for sheet in values_book.worksheets:
            if sheet.sheet_state != "visible":
                out.append((sheet.title, [], [f"Sheet `{sheet.title}` is hidden; skipped."]))
                continue
            grid: Grid = []
            missing = 0
            formulas = formula_book[sheet.title].iter_rows(values_only=True)
            for row in sheet.iter_rows(values_only=True):
                source = next(formulas, ())
                cells = list(row)
                for i, cell in enumerate(cells):
                    if cell is None and i < len(source) and isinstance(source[i], str) \
                            and source[i].startswith("="):
                        missing += 1
                grid.append(cells)
                if len(grid) > MAX_ROWS:
                    raise ImportFailed(f"{path}, sheet `{sheet.title}`: more than "
                                       f"{MAX_ROWS:,} rows; split the sheet.")
            notes = [f"{missing} formula cell(s) had no saved result and were read as empty; "
                     "open and save the file in a spreadsheet program to store them."
                     ] if missing else []
            out.append((sheet.title, grid, notes))
    finally:
        values_book.close()
        formula_book.close()
    return out


def table_from_grid(name: str, grid: Grid) -> SourceTable | None:
    """Find the header and the data rows of one sheet; None when it holds no data."""
    rows = [_trim(row) for row in grid]
    while rows and not rows[-1]:
        rows.pop()
    if not any(rows):
        return None
    notes: list[str] = []
    header_at = _header_row(rows)
    if header_at is None:
        width = max(len(r) for r in rows)
        headers = [f"Column {i + 1}" for i in range(width)]
        start = 0
        notes.append(f"Sheet `{name}` has no header row; its columns are named Column 1, "
                     "Column 2, ...")
    else:
        headers = [values.text(c) for c in rows[header_at]]
        start = header_at + 1
        skipped = sum(1 for r in rows[:header_at] if r)
        if skipped:
            notes.append(f"Skipped {skipped} row(s) above the header of `{name}` (a title or "
                         "notes).")
    width = max([len(headers), *(len(r) for r in rows[start:])])
    headers += [""] * (width - len(headers))
    data: list[tuple[int, list[Any]]] = []
    blank = 0
    for number, row in enumerate(rows[start:], start=start + 1):
        if not row:
            blank += 1
            continue
        if _TOTAL.match(values.text(row[0])):
            notes.append(f"Row {number} of `{name}` looks like a total line; not imported.")
            continue
        data.append((number, row + [None] * (width - len(row))))
    if blank:
        notes.append(f"Skipped {blank} blank row(s) in `{name}`.")
    used = [i for i in range(width) if headers[i] or any(
        values.text(r[i]) for _, r in data)]
    headers = [headers[i] or f"Column {i + 1}" for i in used]
    if not data:
        return None
    kept = [(n, [r[i] for i in used]) for n, r in data]

    def rows_() -> Iterator[tuple[int, Sequence[Any]]]:
        yield from kept

    return SourceTable(name=name, headers=headers, rows=rows_,
                       sample=[r for _, r in kept[:SAMPLE_ROWS]], row_count=len(kept),
                       notes=notes)


def _trim(row: Sequence[Any]) -> list[Any]:
    cells = [None if isinstance(c, str) and not c.strip() else c for c in row]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _header_row(rows: Grid) -> int | None:
    """The first row with at least two distinct text cells followed by data."""
    for i, row in enumerate(rows[:HEADER_SEARCH]):
        cells = [c for c in row if c is not None]
        if len(cells) < 2 or not all(isinstance(c, str) for c in cells):
            continue
        texts = [values.text(c).lower() for c in cells]
        if len(set(texts)) < 0.8 * len(texts) or any(_looks_like_value(t) for t in texts):
            continue
        widest = max((len([c for c in r if c is not None]) for r in rows[i + 1:i + 6]),
                     default=0)
        if widest and len(cells) >= max(2, widest // 2):
            return i
    return None


def _looks_like_value(text: str) -> bool:
    for reader in (values.number, values.date, values.email):
        try:
            reader(text)
        except values.Unreadable:
            continue
        return True
    return False
