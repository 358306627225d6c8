"""Crash safety: a writer killed at any moment leaves no half-written change behind.

A child process creates records in a loop, printing a line after each commit; once it has
committed a few, it is killed with SIGKILL, most likely inside a transaction. Every record must
then have its audit entry and every audit entry its record, and the chain must verify.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from apiary.engine import verify_audit
from apiary.storage.system import AUDIT
from tests.engine.worlds import EXAMPLES, build_world, example

CHILD = textwrap.dedent("""
    import sys
    from apiary.definition import compile_file
    from apiary.engine import Principal, Runtime
    from apiary.storage import connect

    url, path, user_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
    runtime = Runtime(connect(url), [compile_file(path)])
    svc = runtime.records("helpdesk")
    agent = Principal(user_id, "agent@example.com", frozenset({"agent"}))
    n = 0
    while True:
        svc.create(agent, "Ticket", {"subject": f"Crash test {n}", "description": "x",
                                     "category": "question"})
        n += 1
        print(n, flush=True)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_writer_leaves_consistent_data(db: sa.Engine) -> None:
    world = build_world(db, example("helpdesk"))
    url = db.url.render_as_string(hide_password=False)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(EXAMPLES / "helpdesk.yaml"),
         str(world["agent"].user_id)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert child.stdout is not None
    committed = 0
    for line in child.stdout:
        committed = int(line)
        if committed >= 25:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert committed >= 25, "the writer stopped before it was killed"
    table = world.runtime.records("helpdesk").app.tables.table("Ticket")
    with db.connect() as conn:
        records = set(conn.execute(sa.select(table.c.id)).scalars())
        audited = set(conn.execute(sa.text(
            f"SELECT record_id FROM {AUDIT} WHERE action = 'create'")).scalars())
    assert len(records) >= committed
    assert records == audited
    report = verify_audit(db)
    assert report.ok and report.entries == len(records)
