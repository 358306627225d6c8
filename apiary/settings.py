"""Every setting Apiary reads, in one registry: name, environment variable, default and help.

Code asks ``Settings`` for a value; nothing reads ``os.environ`` directly, so the full list of
knobs is here and in ``apiary settings``' output. Secrets are never defaults.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "APIARY_DATABASE_URL", "sqlite:///apiary.db",
            "Database for app data and system tables: sqlite:///path or postgresql://..."),
    Setting("secret_key", "APIARY_SECRET_KEY", "",
            "Key that signs web session cookies; when empty, one is generated once and kept in "
            "the file named by APIARY_SECRET_KEY_FILE."),
    Setting("secret_key_file", "APIARY_SECRET_KEY_FILE", ".apiary/secret_key",
            "Where a generated web session key is kept (readable by its owner only)."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    values: Mapping[str, str]

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls({s.name: env.get(s.env, s.default) for s in SETTINGS})

    def __getitem__(self, name: str) -> str:
        return self.values[name]
