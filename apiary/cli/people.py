"""Commands that manage who may use the apps: users and API tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import click

from apiary.cli.base import compile_all, db_option, friendly, main
from apiary.definition import CompiledApp, compile_data
from apiary.errors import ApiaryError


def installed_app(db_url: str, name: str) -> CompiledApp:
    """The version of app ``name`` last migrated into the database."""
    from apiary.storage import connect, last_migration

    engine = connect(db_url)
    try:
        record = last_migration(engine, name)
    finally:
        engine.dispose()
    if record is None:
        raise ApiaryError(f"app `{name}` is not in this database; run `apiary migrate FILE "
                          "--db ...` or `apiary serve FILE --db ...` first")
    return compile_data(record.document, f"<app {name} in the database>")


@main.group()
def users() -> None:
    """Add users to apps and list them."""


@users.command("add")
@click.argument("email")
@click.option("--app", "app_name", required=True, help="The app's name, as in its definition.")
@click.option("--role", required=True, help="A role the app declares, or admin.")
@click.option("--name", "display_name", help="Display name.")
@click.option("--password", is_flag=False, flag_value="", default=None,
              help="Set the web UI password; asked for (hidden) when given without a value.")
@db_option
@friendly
def add_user_command(email: str, app_name: str, role: str, display_name: str | None,
                     password: str | None, db_url: str) -> None:
    """Give EMAIL a role in an app, creating the user if needed."""
    from apiary.identity import add_user, set_password
    from apiary.storage import connect

    app = installed_app(db_url, app_name)
    if password == "":
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = connect(db_url)
    try:
        user_id = add_user(engine, email, app, role, display_name)
        if password is not None:
            set_password(engine, email, password)
    finally:
        engine.dispose()
    click.echo(f"{email} is {role} in {app_name} (user {user_id})")


@users.command("list")
@db_option
@friendly
def list_users_command(db_url: str) -> None:
    """List users and their roles."""
    from apiary.identity import list_users
    from apiary.storage import connect

    engine = connect(db_url)
    try:
        for user in list_users(engine):
            roles = ", ".join(f"{role} in {app}" for app, role in user.memberships) or "no roles"
            state = "" if user.is_active else " (inactive)"
            click.echo(f"{user.id:>5}  {user.email}{state}: {roles}")
    finally:
        engine.dispose()


@users.command("sample")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
@friendly
def sample_users(files: Sequence[str], db_url: str) -> None:
    """Create a sample user per role of each app in FILES; print a password and a token for each.

    Users are `<role>@<app>.example.com`; running it again adds no users but gives each a new
    password and a new token. For trying apps out, never for real users.
    """
    import secrets

    from apiary.identity import add_user, create_token, set_password
    from apiary.storage import connect

    apps = compile_all(files)
    engine = connect(db_url)
    try:
        for app in apps:
            installed_app(db_url, app.name)
            click.echo(f"{app.title} ({app.name}):")
            for role in ("admin", *app.roles):
                email = f"{role.replace('_', '-')}@{app.name}.example.com"
                add_user(engine, email, app, role)
                password = secrets.token_urlsafe(9)
                set_password(engine, email, password)
                token = create_token(engine, email, name="sample")
                click.echo(f"  {role:<12} {email:<36} {token}  password: {password}")
    finally:
        engine.dispose()


@main.group()
def tokens() -> None:
    """Create and revoke API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--name", help="What the token is for, e.g. `reporting script`.")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), help="Expire after N days.")
@db_option
@friendly
def create_token_command(email: str, name: str | None, expires_in_days: int | None,
                         db_url: str) -> None:
    """Create an API token for EMAIL and print it (it is shown only this once)."""
    from apiary.identity import create_token
    from apiary.storage import connect

    expires = None
    if expires_in_days is not None:
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days)
    engine = connect(db_url)
    try:
        click.echo(create_token(engine, email, name=name, expires_at=expires))
    finally:
        engine.dispose()


@tokens.command("revoke")
@click.argument("token")
@db_option
@friendly
def revoke_token_command(token: str, db_url: str) -> None:
    """Revoke TOKEN, given as the token itself, its printed prefix or its id."""
    from apiary.identity import revoke_token
    from apiary.storage import connect

    engine = connect(db_url)
    try:
        count = revoke_token(engine, int(token) if token.isdigit() else token)
    finally:
        engine.dispose()
    click.echo(f"revoked {count} token{'s' if count != 1 else ''}")


@tokens.command("list")
@click.option("--email", help="Only this user's tokens.")
@db_option
@friendly
def list_tokens_command(email: str | None, db_url: str) -> None:
    """List tokens by prefix (the tokens themselves are never stored)."""
    from apiary.identity import list_tokens
    from apiary.storage import connect

    engine = connect(db_url)
    try:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for info in list_tokens(engine, email):
            status = ("revoked" if info.revoked_at is not None else
                      "expired" if info.expires_at is not None and
                      info.expires_at.replace(tzinfo=None) <= now else "active")
            click.echo(f"{info.id:>5}  {info.prefix}…  {info.email}  {status}"
                       + (f"  ({info.name})" if info.name else ""))
    finally:
        engine.dispose()
