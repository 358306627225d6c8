"""The key that signs session cookies: from ``APIARY_SECRET_KEY``, or generated once and kept.

A generated key is written to ``APIARY_SECRET_KEY_FILE`` (mode 0600) so that sessions survive a
restart; several processes serving one site must share the key, so set the variable there.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from apiary.settings import Settings


def secret_key(settings: Settings) -> str:
    """The configured key, or the one kept in the key file (created on first use)."""
    configured = settings["secret_key"].strip()
    if configured:
        return configured
    path = Path(settings["secret_key_file"])
    if path.exists():
        kept = path.read_text(encoding="utf-8").strip()
        if kept:
            return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key
