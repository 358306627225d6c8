"""What every definition writer implements: a draft of a definition from a request.

A provider turns a :class:`DraftRequest` (a prompt to generate from, or a definition and an
instruction to refine it with, plus the validator's complaints about its previous answer) into
a :class:`Draft`. It never decides whether its answer is acceptable: the caller validates every
draft with the same validator as a hand-written definition and, when it is not, asks again with
the diagnostics (see ``apiary.generation.repair``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

Task = Literal["generate", "refine"]


@dataclass(frozen=True, slots=True)
class Usage:
    """What one call to a model cost: recorded for every call, shown and metered."""

    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0
    cost: Decimal | None = None
    """Estimated from the price table; None when the model has no price there."""


@dataclass(frozen=True, slots=True)
class DraftRequest:
    task: Task
    text: str
    """The prompt (generate) or the instruction (refine), as the user wrote it."""
    document: Mapping[str, Any] | None = None
    """refine: the current definition, as plain data."""
    previous: str | None = None
    """A repair round: the previous answer, verbatim."""
    problems: tuple[str, ...] = ()
    """A repair round: the validator's diagnostics about ``previous``, one per line."""
    schema: Mapping[str, Any] = field(default_factory=dict)
    """The definition's JSON Schema (``apiary schema``)."""


@dataclass(frozen=True, slots=True)
class Draft:
    document: Mapping[str, Any] | None
    """The definition as plain data, or None when the answer was not a JSON object."""
    raw: str = ""
    """The answer as received (for a repair round and for error messages)."""
    assumptions: tuple[str, ...] = ()
    """What the writer assumed where the request was silent; printed for the user."""
    warnings: tuple[str, ...] = ()
    """Things the user must know, e.g. a permission wider than least privilege, granted
    because the request asked for it."""
    usage: Usage | None = None
    problem: str | None = None
    """Why ``document`` is None, in words the model can act on (e.g. cut off at max_tokens);
    when absent the caller reads ``raw`` again to say why."""


class Provider(Protocol):
    """A definition writer: an LLM behind an HTTP API, or the offline generator."""

    name: str

    def draft(self, request: DraftRequest) -> Draft: ...
