"""Commands that run apps: serve."""

from __future__ import annotations

from collections.abc import Sequence

import click

from apiary.cli.base import compile_all, db_option, friendly, main
from apiary.errors import ApiaryError


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@friendly
def serve(files: Sequence[str], db_url: str, host: str, port: int) -> None:
    """Serve the apps defined in FILES: REST API and OpenAPI under /api/<app>/.

    The database is migrated first with the same rules as `apiary migrate`: a plan that would
    lose data stops the start, and nothing is changed.
    """
    from apiary.api import serve as run_server
    from apiary.engine import Runtime
    from apiary.storage import apply, connect, plan

    apps = compile_all(files)
    engine = connect(db_url)
    for app in apps:
        steps = plan(app, engine)
        if steps.destructive or steps.blocked:
            click.echo(steps.to_text(), err=True)
            raise ApiaryError(f"not starting: the database of app `{app.name}` needs changes "
                              "that would lose data; review them with `apiary migrate "
                              "--plan` and apply them with `apiary migrate` first")
        if not steps.empty:
            result = apply(steps, engine)
            click.echo(f"App `{app.name}`: {result.summary}", err=True)
    runtime = Runtime(engine, apps)
    for app in apps:
        click.echo(f"Serving {app.title} at http://{host}:{port}/api/{app.name}/ "
                   f"(OpenAPI: /api/{app.name}/openapi.json)", err=True)
    run_server(runtime, host, port)
