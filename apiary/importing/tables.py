"""The shape every source is read into before it becomes a definition: named tables of cells.

A spreadsheet's sheets and a database's tables both become :class:`SourceTable`; inference and
the definition builder never need to know which kind of source they came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class Rows(Protocol):
    """Data rows, as (source line or row number, cells); read again when loading."""

    def __call__(self) -> Iterator[tuple[int, Sequence[Any]]]: ...


@dataclass
class SourceTable:
    name: str
    """As the source names it: a sheet's name, a file's stem, a table's name."""
    headers: list[str]
    rows: Rows
    sample: list[Sequence[Any]] = field(default_factory=list)
    """The data rows used to infer types (all of them, up to a bound)."""
    row_count: int = 0
    decimal_comma: bool = False
    """Numbers are more likely written ``1.234,56`` (a CSV separated by semicolons, as
    spreadsheets in most of Europe write them)."""
    notes: list[str] = field(default_factory=list)
    """What was assumed or skipped while reading, for the user."""
