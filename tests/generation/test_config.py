"""Where the model settings come from: environment over file over defaults."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from apiary.generation import GenerationError, Price, load_config
from apiary.generation.config import LLMConfig
from apiary.settings import Settings


def settings(tmp_path: Path, **env: str) -> Settings:
    values = {"APIARY_LLM_CONFIG": str(tmp_path / "llm.toml")}
    values.update(env)
    return Settings.from_environment(values)


def test_nothing_configured_means_offline(tmp_path: Path) -> None:
    config = load_config(settings(tmp_path))
    assert (config.provider, config.max_rounds, config.timeout) == ("offline", 3, 120.0)
    assert config.cost("offline", 1000, 1000) == 0


def test_provider_defaults(tmp_path: Path) -> None:
    openai = load_config(settings(tmp_path, APIARY_LLM_PROVIDER="openai"))
    assert (openai.base_url, openai.model) == ("https://api.openai.com/v1", "gpt-4o-mini")
    anthropic = load_config(settings(tmp_path), provider="anthropic")
    assert anthropic.base_url == "https://api.anthropic.com"


def test_file_sections_and_environment_override(tmp_path: Path) -> None:
    (tmp_path / "llm.toml").write_text('''
provider = "openai"
timeout = 30
max_rounds = 5

[openai]
base_url = "http://127.0.0.1:11434/v1/"
model = "llama3.1"

[anthropic]
model = "claude-3-5-haiku-latest"
max_tokens = 2048

[prices]
"llama3.1" = {input = 0, output = 0}
"gpt-4o" = {input = 5, output = 20}
''')
    config = load_config(settings(tmp_path, APIARY_LLM_MAX_ROUNDS="1"))
    assert (config.provider, config.base_url, config.model) == (
        "openai", "http://127.0.0.1:11434/v1", "llama3.1")
    assert (config.timeout, config.max_rounds) == (30.0, 1)
    assert config.price("gpt-4o") == Price(Decimal(5), Decimal(20))
    assert config.cost("llama3.1", 10**6, 10**6) == 0
    other = load_config(settings(tmp_path, APIARY_LLM_MODEL="claude-opus-4-20250514"),
                        provider="anthropic")
    assert (other.model, other.max_tokens) == ("claude-opus-4-20250514", 2048)
    assert other.cost(other.model, 10**6, 0) == Decimal(15)


def test_price_of_a_dated_snapshot_is_its_family_price() -> None:
    config = LLMConfig()
    assert config.price("gpt-4o-mini-2024-07-18") == config.prices["gpt-4o-mini"]
    assert config.price("gpt-4o-2024-08-06") == config.prices["gpt-4o"]
    assert config.price("mystery-model") is None and config.cost("mystery-model", 1, 1) is None


@pytest.mark.parametrize("env, message", [
    ({"APIARY_LLM_PROVIDER": "gemini"}, "unknown model provider `gemini`"),
    ({"APIARY_LLM_TIMEOUT": "soon"}, "timeout must be a number"),
    ({"APIARY_LLM_TIMEOUT": "0"}, "timeout must be a number"),
    ({"APIARY_LLM_MAX_ROUNDS": "2.5"}, "max_rounds must be a whole number"),
    ({"APIARY_LLM_MAX_ROUNDS": "50"}, "at most 10"),
    ({"APIARY_LLM_PROVIDER": "openai", "APIARY_LLM_BASE_URL": "ftp://x"}, "must start with"),
])
def test_bad_settings_are_named(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(GenerationError, match=message):
        load_config(settings(tmp_path, **env))


@pytest.mark.parametrize("text, message", [
    ("provider = ", "is not valid TOML"),
    ("modle = 'x'", "unknown setting 'modle'"),
    ("[openai]\nkey = 'x'", r"unknown setting 'key' in \[openai\]"),
    ("[prices]\nm = {input = -1, output = 1}", "the price of `m`"),
    ("[prices]\nm = 3", "the price of `m`"),
])
def test_bad_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "llm.toml").write_text(text)
    with pytest.raises(GenerationError, match=message) as caught:
        load_config(settings(tmp_path))
    assert "llm.toml" in str(caught.value)


def test_key_is_masked_and_never_in_repr(tmp_path: Path) -> None:
    config = load_config(settings(tmp_path, APIARY_LLM_API_KEY="sk-very-secret"),
                         provider="openai")
    assert "sk-very-secret" not in repr(config)
    assert config.mask("bad key sk-very-secret given") == "bad key *** given"


def test_every_model_setting_is_documented() -> None:
    from apiary.settings import SETTINGS
    doc = (Path(__file__).parents[2] / "docs" / "generation.md").read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if s.env.startswith("APIARY_LLM_") and s.env not in doc]
    assert missing == []
