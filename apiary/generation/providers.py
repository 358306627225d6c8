"""The provider a configuration names."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from apiary.generation.anthropic_messages import AnthropicProvider
from apiary.generation.config import LLMConfig
from apiary.generation.errors import GenerationError
from apiary.generation.openai_chat import OpenAIProvider
from apiary.generation.provider import Provider


def make_provider(config: LLMConfig, sleep: Callable[[float], None] | None = None) -> Provider:
    """``sleep`` replaces the back-off wait between retried calls (tests keep it instant)."""
    if config.provider == "openai":
        return OpenAIProvider(config, sleep=sleep)
    if config.provider == "anthropic":
        return AnthropicProvider(config, sleep=sleep)
    if config.provider == "offline":
        return _offline()
    raise GenerationError(f"unknown model provider `{config.provider}`")


def _offline() -> Provider:
    """The offline generator, imported only when chosen (it carries its own vocabulary)."""
    try:
        module = importlib.import_module("apiary.generation.offline")
        factory: Callable[[], Provider] = module.OfflineProvider
    except (ImportError, AttributeError):
        raise GenerationError("the offline generator is not available in this installation; "
                              "set APIARY_LLM_PROVIDER to openai or anthropic") from None
    return factory()
