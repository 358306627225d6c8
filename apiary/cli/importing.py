"""``apiary import``: a definition (and optionally the data) from a spreadsheet or a database."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import yaml

from apiary.cli.base import db_option, friendly, main

if TYPE_CHECKING:
    from apiary.importing import ImportPlan

MAX_SHOWN = 50


@main.command("import")
@click.argument("source")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the definition (YAML).")
@click.option("--name", default=None, help="App name (default: from the source's name).")
@click.option("--currency", default="EUR", show_default=True,
              help="Currency of amounts written without a symbol.")
@click.option("--load", "load_rows", is_flag=True,
              help="Also create the app's tables in --db and load every row into them.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@db_option
@friendly
def import_(source: str, out: Path, name: str | None, currency: str, load_rows: bool,
            force: bool, db_url: str) -> None:
    """Make an app from SOURCE: a .csv/.xlsx file or a database URL (sqlite:///legacy.db,
    postgresql://...). A database is only read; its tables stay as they are."""
    from apiary.importing import plan_database, plan_spreadsheet

    if out.exists() and not force:
        raise click.UsageError(f"{out} exists; choose another --out or add --force.")
    if "://" in source:
        plan = plan_database(source, name)
    else:
        plan = plan_spreadsheet(Path(source), name, currency.upper())
    # One line whatever the file is called: a name with a line break must not add YAML.
    origin = " ".join(Path(source).name.split()) if "://" not in source else "a database"
    header = (f"# Imported from {origin} by `apiary import`. Review the types, roles and "
              "permissions before serving it.\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + yaml.safe_dump(plan.document, sort_keys=False, allow_unicode=True,
                                           width=100), encoding="utf-8")
    entities = plan.document["entities"]
    click.echo(f"Wrote {out}: app `{plan.app_name}` with {len(entities)} "
               f"entit{'y' if len(entities) == 1 else 'ies'}:")
    for entity in plan.entities:
        fields = entities[entity.name]["fields"]
        refs = [f"{k} → {v['to']}" for k, v in fields.items() if v.get("type") == "ref"]
        click.echo(f"  {entity.name} ({entity.table.row_count} rows): {len(fields)} fields"
                   + (f"; refers via {', '.join(refs)}" if refs else ""))
    for note in plan.notes:
        click.echo(f"  note: {note}")
    if load_rows:
        _load(plan, out, db_url)


def _load(plan: ImportPlan, out: Path, db_url: str) -> None:
    from apiary.definition import compile_file
    from apiary.engine import ListQuery, Runtime
    from apiary.importing import ImportFailed, load
    from apiary.importing.loading import LOADER
    from apiary.storage import apply, connect
    from apiary.storage import plan as migration_plan

    app = compile_file(out)
    db = connect(db_url)
    try:
        steps = migration_plan(app, db)
        if steps.destructive or steps.blocked:
            raise ImportFailed(f"The database already holds a different `{app.name}` app; "
                               "load into another database or choose another --name.")
        apply(steps, db)
        runtime = Runtime(db, [app])
        service = runtime.records(app.name)
        if any(service.list(LOADER, e, ListQuery(limit=1)).items for e in app.entities):
            raise ImportFailed(f"The app `{app.name}` in this database already has records; "
                               "load into an empty database so that no row is loaded twice.")
        report = load(plan, service)
    finally:
        db.dispose()
    for table, total in report.total.items():
        click.echo(f"Loaded {report.loaded.get(table, 0)} of {total} row(s) of `{table}`.")
    if report.complete:
        return
    rejected = out.with_suffix(".rejected.csv")
    with rejected.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["table", "row", "reason"])
        writer.writerows((r.table, r.row, r.reason) for r in report.rejected)
    click.echo(f"{len(report.rejected)} row(s) were not loaded (all listed in {rejected}):",
               err=True)
    for r in report.rejected[:MAX_SHOWN]:
        click.echo(f"  {r.table}, row {r.row}: {r.reason}", err=True)
    if len(report.rejected) > MAX_SHOWN:
        click.echo(f"  ... and {len(report.rejected) - MAX_SHOWN} more.", err=True)
    sys.exit(1)

