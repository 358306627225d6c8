"""Definitions written from intent: a prompt, an instruction to change one, by a model or offline.

Every draft goes through the same validator as a hand-written definition; see docs/generation.md.
"""

from apiary.generation.provider import Draft, DraftRequest, Provider, Usage

__all__ = ["Draft", "DraftRequest", "Provider", "Usage"]
