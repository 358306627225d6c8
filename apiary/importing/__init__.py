"""Turning what a team already has — a spreadsheet, a legacy database — into an Apiary app.

    plan = plan_spreadsheet(Path("claims.xlsx"))      one entity per sheet, types inferred
    plan = plan_database("sqlite:///legacy.db")       tables, keys and foreign keys as declared
    plan.document                                     the definition (validated), as plain data
    report = load(plan, runtime.records(plan.app_name))   every row loaded or reported

Every assumption made while reading is in ``plan.notes``; see docs/importing.md.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from apiary.definition import DefinitionError, compile_data
from apiary.definition.names import humanize
from apiary.importing import builder, inference
from apiary.importing.builder import ImportPlan
from apiary.importing.database import read_database
from apiary.importing.errors import ImportFailed
from apiary.importing.loading import LoadReport, Rejected, load
from apiary.importing.sheets import read_spreadsheet
from apiary.importing.tables import SourceTable

__all__ = ["ImportFailed", "ImportPlan", "LoadReport", "Rejected", "load", "plan_database",
           "plan_spreadsheet"]


def plan_spreadsheet(path: Path, name: str | None = None, currency: str = "EUR") -> ImportPlan:
    """The definition for a ``.csv`` or ``.xlsx`` file; amounts without a currency symbol are
    taken to be in ``currency``."""
    tables = read_spreadsheet(path)
    columns = {t.name: [inference.infer(h, [r[i] if i < len(r) else None for r in t.sample],
                                        t.row_count, t.decimal_comma)
                        for i, h in enumerate(t.headers)]
               for t in tables}
    app = name or builder.app_name(path.stem)
    plan = builder.build(app, humanize(app).replace("-", " "), tables,
                         _with_currency(columns, currency))
    return _checked(plan, tables, columns, currency, str(path))


def plan_database(url: str, name: str | None = None) -> ImportPlan:
    """The definition for the tables of the database at ``url`` (which is only read)."""
    try:
        # No pool: the plan reads rows again when loading, each time on a connection that is
        # closed as soon as it is done, so nothing stays open on the legacy server.
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    except (sa.exc.ArgumentError, ImportError, ValueError) as exc:
        raise ImportFailed(f"Cannot open {url.split('@')[-1]}: {exc}") from None
    tables, columns, refs = read_database(engine)
    app = name or builder.app_name(Path(sa.engine.make_url(url).database or "legacy").stem)
    plan = builder.build(app, humanize(app).replace("-", " "), tables, columns, refs)
    return _checked(plan, tables, columns, None, url.split("@")[-1])


def _with_currency(columns: dict[str, list[inference.Column]], currency: str
                   ) -> dict[str, list[inference.Column]]:
    for typed in columns.values():
        for column in typed:
            if column.type == "money" and column.currency is None \
                    and not column.mixed_currencies:
                column.currency = currency
                column.notes.append(f"Amounts in `{column.header}` have no currency symbol; "
                                    f"assumed {currency}.")
    return columns


def _checked(plan: ImportPlan, tables: list[SourceTable],
             columns: dict[str, list[inference.Column]], currency: str | None,
             source: str) -> ImportPlan:
    notes = [n for t in tables for n in t.notes]
    notes += [n for typed in columns.values() for c in typed for n in c.notes]
    plan.notes[:0] = notes
    try:
        compile_data(plan.document, source)
    except DefinitionError as exc:
        raise ImportFailed(f"{source}: the definition made from this source is not valid "
                           f"(please report this):\n{exc}") from None
    return plan
