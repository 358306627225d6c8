"""The command group and what every command shares: error printing and the --db option."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

import click

from apiary import __version__
from apiary.definition import CompiledApp, DefinitionError, Diagnostic, Severity, compile_file
from apiary.errors import ApiaryError
from apiary.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="apiary")
def main() -> None:
    """Apiary runs governed applications from their definitions."""


def friendly(func: F) -> F:
    """Print Apiary errors as their message and exit 1 instead of showing a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DefinitionError as exc:
            print_diagnostics(exc.diagnostics)
            sys.exit(1)
        except ApiaryError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def db_option(func: F) -> F:
    default = Settings.from_environment()["database_url"]
    return click.option("--db", "db_url", default=default, show_default=True,
                        help="Database URL (sqlite:///file.db or postgresql://…); "
                             "APIARY_DATABASE_URL sets the default.")(func)


def compile_all(files: Sequence[str]) -> list[CompiledApp]:
    """Compile every file, reporting the problems of all of them together."""
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


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for d in diagnostics:
        color = "red" if d.severity is Severity.ERROR else "yellow"
        click.secho(d.render(), fg=color, err=True)
