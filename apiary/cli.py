"""The ``apiary`` command line: a thin layer over the packages, printing results for people.

Every command turns ``ApiaryError`` into a message and an exit code (1 for problems the user can
fix, 2 for usage errors) — never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from apiary import __version__
from apiary.definition import (
    CompiledApp,
    DefinitionError,
    Diagnostic,
    Severity,
    check_file,
    compile_file,
    definition_schema,
    describe,
    describe_text,
)
from apiary.errors import ApiaryError
from apiary.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Print Apiary errors as their message and exit 1 instead of showing a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DefinitionError as exc:
            _print_diagnostics(exc.diagnostics)
            sys.exit(1)
        except ApiaryError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _db_option(func: F) -> F:
    default = Settings.from_environment()["database_url"]
    return click.option("--db", "db_url", default=default, show_default=True,
                        help="Database URL (sqlite:///file.db or postgresql://…); "
                             "APIARY_DATABASE_URL sets the default.")(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="apiary")
def main() -> None:
    """Apiary runs governed applications from their definitions."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print diagnostics as JSON.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(files: Sequence[str], as_json: bool, strict: bool) -> None:
    """Check definition FILES and list every problem with its line and a hint."""
    failed = False
    report: dict[str, list[dict[str, object]]] = {}
    for file in files:
        diagnostics = check_file(file)
        errors = [d for d in diagnostics
                  if d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING)]
        failed = failed or bool(errors)
        report[file] = [d.as_dict() for d in diagnostics]
        if not as_json:
            _print_diagnostics(diagnostics)
            if not errors:
                warnings = len(diagnostics)
                click.echo(f"{file}: valid" + (f" ({warnings} warning{'s' * (warnings != 1)})"
                                               if warnings else ""))
    if as_json:
        click.echo(json.dumps(report, indent=2))
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to a file.")
def schema(out: str | None) -> None:
    """Print the JSON Schema of the definition format."""
    text = json.dumps(definition_schema(), indent=2)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


@main.command(name="describe")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable summary.")
@_friendly
def describe_command(file: str, as_json: bool) -> None:
    """Summarise the app defined in FILE: entities, fields, workflows, roles."""
    app = compile_file(file)
    if as_json:
        click.echo(json.dumps(describe(app), indent=2))
    else:
        click.echo(describe_text(app))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_db_option
@click.option("--plan", "plan_only", is_flag=True, help="Print the plan without applying it.")
@click.option("--allow-destructive", is_flag=True,
              help="Apply steps that drop or narrow data (dropped data is archived first).")
@_friendly
def migrate(files: Sequence[str], db_url: str, plan_only: bool, allow_destructive: bool) -> None:
    """Bring the database in line with the definition FILES, keeping every row."""
    from apiary.storage import DestructiveMigration, apply, connect, plan

    apps = _compile_all(files)
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


def _compile_all(files: Sequence[str]) -> list[CompiledApp]:
    apps: list[CompiledApp] = []
    problems: list[Diagnostic] = []
    for file in files:
        try:
            apps.append(compile_file(file))
        except DefinitionError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise DefinitionError(problems)
    names = [a.name for a in apps]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ApiaryError(f"two definitions use the app name {', '.join(duplicates)}; "
                          "app names must be unique in one database")
    return apps


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for d in diagnostics:
        color = "red" if d.severity is Severity.ERROR else "yellow"
        click.secho(d.render(), fg=color, err=True)
