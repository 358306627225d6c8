"""Users and memberships: ``add_user``, ``remove_membership``, ``list_users``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from apiary.definition import CompiledApp
from apiary.identity import IdentityError, add_user, list_users, remove_membership


def test_add_user_creates_once_and_adds_roles(db: sa.Engine, crm: CompiledApp) -> None:
    first = add_user(db, "Jo@Example.com", crm, "sales", display_name="Jo")
    again = add_user(db, "jo@example.com", crm, "support")
    same = add_user(db, " JO@example.com ", crm, "sales")
    assert first == again == same
    add_user(db, "admin@example.com", "other", "admin", roles=[])
    users = list_users(db)
    assert [(u.email, u.display_name, u.memberships) for u in users] == [
        ("admin@example.com", None, (("other", "admin"),)),
        ("jo@example.com", "Jo", (("crm", "sales"), ("crm", "support")))]
    assert users[1].is_active and users[1].id == first


def test_roles_must_be_declared(db: sa.Engine, crm: CompiledApp) -> None:
    with pytest.raises(IdentityError) as caught:
        add_user(db, "jo@example.com", crm, "boss")
    assert "admin, sales, support" in str(caught.value)
    with pytest.raises(IdentityError):
        add_user(db, "jo@example.com", "crm", "boss", roles=["sales"])
    with pytest.raises(TypeError):
        add_user(db, "jo@example.com", "crm", "sales")
    assert list_users(db) == []


@pytest.mark.parametrize("email", ["", "jo", "jo@", "@example.com", "jo@example",
                                   "jo smith@example.com", "a@b@example.com"])
def test_emails_are_checked(db: sa.Engine, crm: CompiledApp, email: str) -> None:
    with pytest.raises(IdentityError):
        add_user(db, email, crm, "sales")


def test_remove_membership(db: sa.Engine, crm: CompiledApp) -> None:
    add_user(db, "jo@example.com", crm, "sales")
    assert remove_membership(db, "jo@example.com", "crm", "sales")
    assert not remove_membership(db, "jo@example.com", "crm", "sales")
    assert not remove_membership(db, "nobody@example.com", "crm", "sales")
    assert list_users(db)[0].memberships == ()
