"""Commands that change a database: migrate."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from apiary.cli.base import compile_all, db_option, friendly, main


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
@click.option("--plan", "plan_only", is_flag=True, help="Print the plan without applying it.")
@click.option("--allow-destructive", is_flag=True,
              help="Apply steps that drop or narrow data (dropped data is archived first).")
@friendly
def migrate(files: Sequence[str], db_url: str, plan_only: bool, allow_destructive: bool) -> None:
    """Bring the database in line with the definition FILES, keeping every row."""
    from apiary.storage import DestructiveMigration, apply, connect, plan

    apps = compile_all(files)
    engine = connect(db_url)
    try:
        for app in apps:
            steps = plan(app, engine)
            click.echo(steps.to_text())
            if plan_only or steps.empty:
                continue
            try:
                result = apply(steps, engine, allow_destructive=allow_destructive)
            except DestructiveMigration as exc:
                click.echo(f"error: {exc}", err=True)
                click.echo("hint: review the plan, then run again with --allow-destructive",
                           err=True)
                sys.exit(1)
            click.echo(f"App `{app.name}`: {result.summary}")
    finally:
        engine.dispose()
