"""Authentication: a token gives a principal with their roles in one app, or a 401."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from apiary.definition import CompiledApp
from apiary.engine import Runtime, Unauthorized
from apiary.identity import TokenAuthenticator, add_user, create_token, list_tokens, revoke_token
from apiary.storage.system import USERS

NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)


def test_a_token_gives_the_roles_in_the_app(db: sa.Engine, crm: CompiledApp) -> None:
    user_id = add_user(db, "jo@example.com", crm, "sales")
    add_user(db, "jo@example.com", crm, "support")
    add_user(db, "jo@example.com", "billing", "admin", roles=[])
    token = create_token(db, "jo@example.com")
    runtime = Runtime(db, [crm], clock=lambda: NOW)
    principal = runtime.identity.authenticate(token, "crm", request_id="r1")
    assert (principal.user_id, principal.email, principal.roles, principal.request_id) == (
        user_id, "jo@example.com", frozenset({"sales", "support"}), "r1")
    assert runtime.identity.authenticate(token, "billing").is_admin
    assert runtime.identity.authenticate(token, None).roles == frozenset()
    assert list_tokens(db)[0].last_used_at == NOW.replace(tzinfo=None)


def test_bad_tokens_all_get_the_same_answer(db: sa.Engine, crm: CompiledApp) -> None:
    add_user(db, "jo@example.com", crm, "sales")
    add_user(db, "gone@example.com", crm, "sales")
    expired = create_token(db, "jo@example.com", expires_at=NOW - dt.timedelta(seconds=1))
    revoked = create_token(db, "jo@example.com")
    revoke_token(db, revoked)
    inactive = create_token(db, "gone@example.com")
    with db.begin() as conn:
        conn.execute(sa.text(f"UPDATE {USERS} SET is_active = :no WHERE email = :email"),
                     {"no": False, "email": "gone@example.com"})
    runtime = Runtime(db, [crm], clock=lambda: NOW)
    details = set()
    for token in (expired, revoked, inactive, "apy_" + "x" * 43, "not a token", ""):
        with pytest.raises(Unauthorized) as caught:
            runtime.identity.authenticate(token, "crm")
        assert caught.value.status == 401
        assert not token or token not in caught.value.detail
        details.add(caught.value.detail)
    assert len(details) == 1


def test_last_used_is_refreshed_at_most_every_few_minutes(db: sa.Engine,
                                                          crm: CompiledApp) -> None:
    add_user(db, "jo@example.com", crm, "sales")
    token = create_token(db, "jo@example.com")
    tokens = TokenAuthenticator(db)
    naive = NOW.replace(tzinfo=None)
    tokens.authenticate(token, "crm", naive)
    tokens.authenticate(token, "crm", naive + dt.timedelta(minutes=1))
    assert list_tokens(db)[0].last_used_at == naive
    tokens.authenticate(token, "crm", naive + dt.timedelta(minutes=6))
    assert list_tokens(db)[0].last_used_at == naive + dt.timedelta(minutes=6)
