"""What can go wrong reading a source: every error says which file and what to do about it."""

from __future__ import annotations

from apiary.errors import ApiaryError


class ImportFailed(ApiaryError):
    """The source could not be turned into a definition (unreadable, empty, unsupported)."""
