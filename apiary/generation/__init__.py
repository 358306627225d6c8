"""Definitions written from intent: a prompt, an instruction to change one, by a model or offline.

Every draft goes through the same validator as a hand-written definition; see docs/generation.md.

    load_config() -> LLMConfig                  provider, model, key, prices (env over file)
    make_provider(config) -> Provider           openai, anthropic or offline
    generate(provider, prompt) -> Result        a valid definition, after repair rounds if need be
    refine(provider, document, instruction)     the same, changing an existing definition
"""

from apiary.generation.config import LLMConfig, Price, load_config
from apiary.generation.errors import GenerationError, ProviderError
from apiary.generation.provider import Draft, DraftRequest, Provider, Usage
from apiary.generation.providers import make_provider
from apiary.generation.repair import Result, generate, refine

__all__ = [
    "Draft",
    "DraftRequest",
    "GenerationError",
    "LLMConfig",
    "Price",
    "Provider",
    "ProviderError",
    "Result",
    "Usage",
    "generate",
    "load_config",
    "make_provider",
    "refine",
]
