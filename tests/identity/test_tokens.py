"""API tokens: created once, stored hashed, revoked by token, prefix or id."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from apiary.definition import CompiledApp
from apiary.identity import IdentityError, add_user, create_token, list_tokens, revoke_token
from apiary.identity.tokens import hash_token
from apiary.storage.system import TOKENS


def test_tokens_are_random_prefixed_and_stored_hashed(db: sa.Engine, crm: CompiledApp) -> None:
    add_user(db, "jo@example.com", crm, "sales")
    token = create_token(db, "jo@example.com", name="laptop")
    other = create_token(db, "JO@example.com")
    assert token.startswith("apy_") and len(token) == 47 and token != other
    with db.connect() as conn:
        stored = conn.execute(sa.text(f"SELECT token_hash, prefix, name FROM {TOKENS} "
                                      "ORDER BY id")).all()
    assert [tuple(r) for r in stored] == [(hash_token(token), token[:12], "laptop"),
                                          (hash_token(other), other[:12], None)]
    assert token not in str(list_tokens(db))
    assert [t.name for t in list_tokens(db, "jo@example.com")] == [None, "laptop"]


def test_tokens_need_an_existing_user(db: sa.Engine) -> None:
    with pytest.raises(IdentityError):
        create_token(db, "nobody@example.com")


def test_expiry_is_stored_as_utc(db: sa.Engine, crm: CompiledApp) -> None:
    add_user(db, "jo@example.com", crm, "sales")
    expires = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    create_token(db, "jo@example.com", expires_at=expires)
    assert list_tokens(db)[0].expires_at == dt.datetime(2030, 1, 1, 10, 0)


def test_revoke_by_token_prefix_or_id(db: sa.Engine, crm: CompiledApp) -> None:
    add_user(db, "jo@example.com", crm, "sales")
    tokens = [create_token(db, "jo@example.com") for _ in range(3)]
    ids = {t.prefix: t.id for t in list_tokens(db)}
    assert revoke_token(db, tokens[0]) == 1
    assert revoke_token(db, tokens[1][:12]) == 1
    assert revoke_token(db, ids[tokens[2][:12]]) == 1
    assert all(t.revoked_at is not None for t in list_tokens(db))
    with pytest.raises(IdentityError):
        revoke_token(db, tokens[0])
    with pytest.raises(IdentityError):
        revoke_token(db, "apy_nothing")
