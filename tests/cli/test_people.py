"""users, tokens, audit verify and serve's pre-flight, as an operator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from apiary.definition import DefinitionError
from apiary.storage import connect
from tests.cli.test_definitions import EXAMPLES, run

HELPDESK = next(str(p) for p in EXAMPLES if p.stem == "helpdesk")


def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    assert run("migrate", HELPDESK, "--db", url)[0] == 0
    return url


def test_users_add_checks_the_role_and_the_app(tmp_path: Path) -> None:
    url = migrated(tmp_path)
    code, out, _ = run("users", "add", "ana@example.com", "--app", "helpdesk", "--role", "agent",
                       "--db", url)
    assert code == 0 and "ana@example.com is agent in helpdesk" in out
    code, _, err = run("users", "add", "ana@example.com", "--app", "helpdesk", "--role", "agnt",
                       "--db", url)
    assert code == 1 and "has no role `agnt`" in err and "agent" in err
    code, _, err = run("users", "add", "ana@example.com", "--app", "shop", "--role", "agent",
                       "--db", url)
    assert code == 1 and "app `shop` is not in this database" in err
    code, out, _ = run("users", "list", "--db", url)
    assert code == 0 and "ana@example.com: agent in helpdesk" in out


def test_tokens_are_printed_once_and_can_be_revoked(tmp_path: Path) -> None:
    url = migrated(tmp_path)
    run("users", "add", "ana@example.com", "--app", "helpdesk", "--role", "agent", "--db", url)
    code, out, _ = run("tokens", "create", "ana@example.com", "--expires-in-days", "7",
                       "--db", url)
    token = out.strip()
    assert code == 0 and token.startswith("apy_") and len(token) > 40
    engine = connect(url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM apiary_tokens")).scalars().all()
    engine.dispose()
    assert token not in stored and len(stored) == 1  # only its hash is kept
    assert run("tokens", "revoke", token, "--db", url)[:2] == (0, "revoked 1 token\n")
    code, _, err = run("tokens", "revoke", token, "--db", url)
    assert code == 1 and "No active token" in err
    code, out, _ = run("tokens", "list", "--db", url)
    assert code == 0 and token[:12] in out and token not in out and "revoked" in out
    code, _, err = run("tokens", "create", "nobody@example.com", "--db", url)
    assert code == 1 and "There is no user" in err


def test_sample_users_get_one_token_per_role(tmp_path: Path) -> None:
    url = migrated(tmp_path)
    code, out, _ = run("users", "sample", HELPDESK, "--db", url)
    assert code == 0
    lines = [line.split() for line in out.splitlines()[1:]]
    assert [line[0] for line in lines] == ["admin", "customer", "agent", "supervisor"]
    assert all(line[2].startswith("apy_") and line[3] == "password:" for line in lines)
    from apiary.identity import verify_password

    engine = connect(url)
    assert verify_password(engine, lines[1][1], lines[1][4]) is not None
    engine.dispose()


def test_audit_verify_finds_an_edited_entry(tmp_path: Path) -> None:
    from apiary.definition import compile_file
    from apiary.engine import Principal, Runtime

    url = migrated(tmp_path)
    assert run("audit", "verify", "--db", url)[:2] == (0, "audit trail intact: 0 entries "
                                                          "checked\n")
    engine = connect(url)
    svc = Runtime(engine, [compile_file(HELPDESK)]).records("helpdesk")
    admin = Principal(user_id=None, email=None, roles=frozenset({"admin"}))
    for n in range(3):
        svc.create(admin, "Account", {"name": f"Account {n}", "code": f"ACC{'ABC'[n]}"})
    assert run("audit", "verify", "--db", url)[:2] == (0, "audit trail intact: 3 entries "
                                                          "checked\n")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE apiary_audit SET entity = 'Ticket' WHERE id = 2"))
    engine.dispose()
    code, _, err = run("audit", "verify", "--db", url)
    assert code == 1 and "entry 2" in err


def test_serve_refuses_to_start_when_the_database_would_lose_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    spec = tmp_path / "shop.yaml"
    spec.write_text("app: shop\nentities:\n  Product:\n    fields: {name: string, note: text}\n")
    assert run("migrate", str(spec), "--db", url)[0] == 0
    engine = connect(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO shop__product (name, note, created_at, updated_at, "
                             "row_version) VALUES ('a', 'kept', CURRENT_TIMESTAMP, "
                             "CURRENT_TIMESTAMP, 1)"))
    engine.dispose()
    spec.write_text("app: shop\nentities:\n  Product:\n    fields: {name: string}\n")
    code, _, err = run("serve", str(spec), "--db", url, "--port", "1")
    assert code == 1 and "not starting" in err and "[DESTRUCTIVE]" in err


def test_reload_publishes_a_new_version_and_keeps_the_old_one_on_error(tmp_path: Path) -> None:
    from apiary.cli.serving import reload_apps
    from apiary.definition import compile_file
    from apiary.engine import Principal, Runtime

    spec = tmp_path / "shop.yaml"
    spec.write_text("app: shop\nentities:\n  Product:\n    fields: {name: string}\n")
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert run("migrate", str(spec), "--db", url)[0] == 0
    engine = connect(url)
    runtime = Runtime(engine, [compile_file(spec)])
    admin = Principal(user_id=None, email=None, roles=frozenset({"admin"}))
    spec.write_text("app: shop\nentities:\n  Product:\n    fields: {name: string, "
                    "stock: integer}\n")
    assert reload_apps([str(spec)], engine, runtime) == ["shop"]
    record = runtime.records("shop").create(admin, "Product", {"name": "kettle", "stock": 3})
    assert record["stock"] == 3
    spec.write_text("app: shop\nentities:\n  Product:\n    fields: {name: strng}\n")
    with pytest.raises(DefinitionError, match="strng"):
        reload_apps([str(spec)], engine, runtime)
    assert "stock" in runtime.apps["shop"].entities["Product"].fields
    engine.dispose()
