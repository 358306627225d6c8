"""Commands about the audit trail: verify."""

from __future__ import annotations

import sys

import click

from apiary.cli.base import db_option, friendly, main


@main.group()
def audit() -> None:
    """Check the audit trail."""


@audit.command("verify")
@db_option
@friendly
def verify(db_url: str) -> None:
    """Check that no audit entry was edited, removed or reordered."""
    from apiary.engine import verify_audit
    from apiary.storage import connect

    engine = connect(db_url)
    try:
        report = verify_audit(engine)
    finally:
        engine.dispose()
    if report.ok:
        click.echo(f"audit trail intact: {report.entries} entries checked")
        return
    problem = report.problem
    assert problem is not None
    where = f" at entry {problem.entry_id}" if problem.entry_id is not None else ""
    click.echo(f"audit trail broken{where} ({problem.kind}): {problem.message}", err=True)
    sys.exit(1)
