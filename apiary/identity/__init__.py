"""Identity: users, their roles in apps, and API tokens.

    add_user(db, email, app, role, display_name=None) -> user id
    remove_membership(db, email, app, role) -> bool
    list_users(db) -> list[UserInfo]
    create_token(db, email, name=None, expires_at=None) -> token (shown once)
    revoke_token(db, token_or_prefix_or_id) -> int
    list_tokens(db, email=None) -> list[TokenInfo]
    TokenAuthenticator(db).authenticate(token, app, now) -> Identity | None
    set_password(db, email, password); verify_password(db, email, password) -> user id | None
    session_user(db, user_id) -> SessionUser | None   a signed-in web user and their roles

Errors: :class:`IdentityError`.
"""

from apiary.identity.authentication import Identity, TokenAuthenticator
from apiary.identity.emails import is_email, normalize_email
from apiary.identity.errors import IdentityError
from apiary.identity.passwords import SessionUser, session_user, set_password, verify_password
from apiary.identity.tokens import TokenInfo, create_token, list_tokens, revoke_token
from apiary.identity.users import UserInfo, add_user, list_users, remove_membership

__all__ = [
    "Identity",
    "IdentityError",
    "SessionUser",
    "TokenAuthenticator",
    "TokenInfo",
    "UserInfo",
    "add_user",
    "create_token",
    "is_email",
    "list_tokens",
    "list_users",
    "normalize_email",
    "remove_membership",
    "revoke_token",
    "session_user",
    "set_password",
    "verify_password",
]
