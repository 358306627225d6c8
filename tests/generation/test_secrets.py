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
