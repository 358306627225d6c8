"""Commands that run apps: serve, with a reload on SIGHUP."""

from __future__ import annotations

import signal
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

import click
import sqlalchemy as sa

from apiary.cli.base import compile_all, db_option, friendly, main, print_diagnostics
from apiary.definition import CompiledApp, DefinitionError
from apiary.errors import ApiaryError

if TYPE_CHECKING:
    from apiary.engine import Runtime


def migrate_safely(apps: Sequence[CompiledApp], engine: sa.Engine) -> None:
    """Apply every app's plan unless one of them would lose data; then nothing is applied."""
    from apiary.storage import apply, plan

    plans = [plan(app, engine) for app in apps]
    for steps in plans:
        if steps.destructive or steps.blocked:
            click.echo(steps.to_text(), err=True)
            raise ApiaryError(f"the database of app `{steps.app}` needs changes that would lose "
                              "data; review them with `apiary migrate --plan` and apply them "
                              "with `apiary migrate` first")
    for steps in plans:
        if not steps.empty:
            click.echo(f"App `{steps.app}`: {apply(steps, engine).summary}", err=True)


def reload_apps(files: Sequence[str], engine: sa.Engine, runtime: Runtime) -> list[str]:
    """Compile FILES again, migrate, and publish every app; the names published.

    Any problem leaves the running versions in place: the definitions are checked and the
    migration planned before anything is swapped.
    """
    apps = compile_all(files)
    migrate_safely(apps, engine)
    for app in apps:
        runtime.publish(app)
    return [app.name for app in apps]


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@friendly
def serve(files: Sequence[str], db_url: str, host: str, port: int) -> None:
    """Serve the apps defined in FILES: the web UI at /, REST API and OpenAPI under /api/<app>/.

    The database is migrated first with the same rules as `apiary migrate`: a plan that would
    lose data stops the start, and nothing is changed. After editing a definition, send the
    process SIGHUP to load the new version without a restart (requests in flight finish on the
    old one).
    """
    from apiary.api import create_app
    from apiary.api.server import run_asgi
    from apiary.engine import Runtime
    from apiary.settings import Settings
    from apiary.storage import connect
    from apiary.web import create_site, secret_key

    apps = compile_all(files)
    engine = connect(db_url)
    try:
        migrate_safely(apps, engine)
    except ApiaryError as exc:
        raise ApiaryError(f"not starting: {exc}") from None
    runtime = Runtime(engine, apps)

    def on_hangup(signum: int, frame: FrameType | None) -> None:
        try:
            names = reload_apps(files, engine, runtime)
        except DefinitionError as exc:
            print_diagnostics(exc.diagnostics)
            click.echo("reload failed; still serving the previous versions", err=True)
        except ApiaryError as exc:
            click.echo(f"reload failed; still serving the previous versions: {exc}", err=True)
        else:
            click.echo(f"reloaded {', '.join(names)}", err=True)

    signal.signal(signal.SIGHUP, on_hangup)
    for app in apps:
        click.echo(f"Serving {app.title} at http://{host}:{port}/api/{app.name}/ "
                   f"(OpenAPI: /api/{app.name}/openapi.json)", err=True)
    click.echo(f"Web UI at http://{host}:{port}/ (sign in with a password set by "
               "`apiary users add ... --password`)", err=True)
    site = create_site(runtime, secret_key(Settings.from_environment()), create_app(runtime))
    run_asgi(site, host, port)
