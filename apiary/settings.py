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
    Setting("files_dir", "APIARY_FILES_DIR", ".apiary/files",
            "Directory holding uploaded files (named by random ids; back it up with the "
            "database)."),
    # Definition writers (`apiary generate`, `apiary refine`); an empty value falls back to the
    # file named by APIARY_LLM_CONFIG, then to the default in the help (docs/generation.md).
    Setting("llm_config", "APIARY_LLM_CONFIG", ".apiary/llm.toml",
            "TOML file with the model settings and prices; the variables below override it."),
    Setting("llm_provider", "APIARY_LLM_PROVIDER", "",
            "Who writes definitions: openai, anthropic or offline (default offline)."),
    Setting("llm_base_url", "APIARY_LLM_BASE_URL", "",
            "API root of the model server (default https://api.openai.com/v1 for openai, "
            "https://api.anthropic.com for anthropic)."),
    Setting("llm_model", "APIARY_LLM_MODEL", "", "Model name sent to the server."),
    Setting("llm_api_key", "APIARY_LLM_API_KEY", "",
            "API key of the model server; never printed or logged."),
    Setting("llm_timeout", "APIARY_LLM_TIMEOUT", "",
            "Seconds to wait for one answer from the model server (default 120)."),
    Setting("llm_max_rounds", "APIARY_LLM_MAX_ROUNDS", "",
            "Repair rounds after the first answer when the validator rejects it (default 3)."),
    Setting("llm_usage_log", "APIARY_LLM_USAGE_LOG", ".apiary/llm-usage.jsonl",
            "One JSON line per model call: tokens, latency, estimated cost (no prompts, no keys)."),
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
