"""What counts as an e-mail address, for user accounts and for ``email`` fields alike."""

from __future__ import annotations

import re
from typing import Final

MAX_LENGTH: Final = 320
_EMAIL: Final = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")


def is_email(value: str) -> bool:
    """A deliberately simple test (one ``@``, a dotted domain, no spaces): the only real check
    of an address is sending mail to it, so anything plausible is accepted."""
    return len(value) <= MAX_LENGTH and _EMAIL.fullmatch(value) is not None


def normalize_email(value: str) -> str:
    """Addresses identify users case-insensitively, so they are stored lower-cased."""
    return value.strip().lower()
