"""Errors raised by user, membership and token management (the ``apiary users``/``tokens`` CLI).

    ApiaryError
    └── IdentityError       a user, role or token given is wrong; the message says how

Authentication failures are not errors of this package: :func:`authenticate_token` returns None
and the engine answers 401.
"""

from __future__ import annotations

from apiary.errors import ApiaryError


class IdentityError(ApiaryError):
    pass
