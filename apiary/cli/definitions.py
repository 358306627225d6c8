"""Commands that work on definition files: validate, schema, describe."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from apiary.cli.base import friendly, main, print_diagnostics
from apiary.definition import (
    Severity,
    check_file,
    compile_file,
    definition_schema,
    describe,
    describe_text,
)


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
            print_diagnostics(diagnostics)
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
@friendly
def describe_command(file: str, as_json: bool) -> None:
    """Summarise the app defined in FILE: entities, fields, workflows, roles."""
    app = compile_file(file)
    if as_json:
        click.echo(json.dumps(describe(app), indent=2))
    else:
        click.echo(describe_text(app))
