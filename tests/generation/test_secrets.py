"""The API key never reaches a message, however it was written into the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiary.generation import GenerationError, generate, load_config
from apiary.generation.config import LLMConfig
from apiary.generation.errors import ProviderError
from apiary.generation.openai_chat import OpenAIProvider
from apiary.settings import Settings
from tests.generation.helpers import config_for
from tests.generation.wire_server import WireServer

SECRET = "sk-secret-1234567890"


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_environment({"APIARY_LLM_CONFIG": str(tmp_path / "llm.toml"),
                                      "APIARY_LLM_PROVIDER": "openai", **env})


@pytest.mark.parametrize("written", [f"{SECRET}\\nmore", f"{SECRET}\\r\\nX-Other: 1",
                                     "sk-s\u00e9cret-1234567890", f"{SECRET} second"])
def test_a_key_that_cannot_be_sent_as_a_header_is_refused_without_showing_it(
        tmp_path: Path, written: str) -> None:
    (tmp_path / "llm.toml").write_text(f'[openai]\napi_key = "{written}"\n', encoding="utf-8")
    with pytest.raises(GenerationError) as caught:
        load_config(settings(tmp_path))
    assert "API key" in str(caught.value)
    assert "secret" not in str(caught.value) and "cret-12" not in str(caught.value)


def test_spaces_around_a_key_in_the_file_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "llm.toml").write_text(f'[openai]\napi_key = " {SECRET}\\n"\n')
    assert load_config(settings(tmp_path)).api_key == SECRET


def test_the_key_is_masked_also_where_a_message_quotes_it_escaped() -> None:
    config = LLMConfig(provider="openai", api_key=SECRET + "\n")
    assert config.mask(f"Illegal header value b'Bearer {SECRET}\\n'") == \
        "Illegal header value b'Bearer ***'"


def test_a_key_with_a_line_break_never_reaches_the_error(tmp_path: Path) -> None:
    server = WireServer("openai").start()
    try:
        provider = OpenAIProvider(config_for(server, tmp_path, api_key=SECRET + "\n"))
        with pytest.raises(ProviderError) as caught:
            generate(provider, "A helpdesk")
    finally:
        server.stop()
    assert SECRET not in str(caught.value)


def test_credentials_in_the_servers_address_never_reach_a_message(tmp_path: Path) -> None:
    # nothing listens on this port: the connection is refused and the error names the server
    address = "http://alice:hunter2-secret@127.0.0.1:9/v1?api-key=query-secret"
    provider = OpenAIProvider(LLMConfig(provider="openai", base_url=address, model="m",
                                        api_key=SECRET, timeout=2.0, max_rounds=1,
                                        usage_log=tmp_path / "usage.jsonl"))
    with pytest.raises(ProviderError) as caught:
        generate(provider, "A helpdesk")
    message = str(caught.value)
    assert "127.0.0.1:9/v1" in message
    assert "hunter2" not in message and "alice" not in message and "query-secret" not in message


def test_an_address_without_a_scheme_is_quoted_only_when_it_cannot_hold_a_password(
        tmp_path: Path) -> None:
    with pytest.raises(GenerationError) as plain:
        load_config(settings(tmp_path, APIARY_LLM_BASE_URL="localhost:11434"))
    assert "`localhost:11434`" in str(plain.value)
    with pytest.raises(GenerationError) as secret:
        load_config(settings(tmp_path, APIARY_LLM_BASE_URL="bob:hunter2@models.internal"))
    assert "hunter2" not in str(secret.value) and "http://" in str(secret.value)
