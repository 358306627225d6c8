"""Ask, validate, ask again with the validator's words: how a draft becomes a definition.

A provider's answer is never trusted. It is read (answers.py), written out as the YAML that
would be saved (yamltext.py) and checked by the same validator as a hand-written definition,
strictly: a warning is a problem too. While problems remain and rounds are left, the provider is
asked again with its previous answer and every problem as ``path: message (hint)``. The result is
either a valid document or a :class:`GenerationError` carrying the last diagnostics.

For ``refine`` the warnings the current definition already had are not held against the answer
(the user lives with them today); every error still is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from apiary.definition import Diagnostic, Severity, check_text, definition_schema
from apiary.generation.answers import read_answer
from apiary.generation.errors import GenerationError, ProviderError
from apiary.generation.provider import Draft, DraftRequest, Provider, Usage
from apiary.generation.yamltext import definition_yaml, plain_data

UsageHook = Callable[[Usage, int, bool], None]
"""Called after every call with its usage, its round (1-based) and whether the answer was valid:
the CLI appends it to the usage log at once, so a run that fails later is still metered."""


@dataclass(frozen=True, slots=True)
class Result:
    document: dict[str, Any]
    text: str
    """The definition as YAML, exactly as validated."""
    assumptions: tuple[str, ...]
    warnings: tuple[str, ...]
    """The writer's warnings, then the validator's warnings that were tolerated (refine)."""
    usages: tuple[Usage, ...]
    rounds: int


def generate(provider: Provider, prompt: str, *, max_rounds: int = 3,
             on_usage: UsageHook | None = None) -> Result:
    """A valid definition for ``prompt``, asking at most ``1 + max_rounds`` times."""
    if not prompt.strip():
        raise GenerationError("the prompt is empty; describe the application to write")
    request = DraftRequest(task="generate", text=prompt.strip(), schema=definition_schema())
    return _loop(provider, request, max_rounds, on_usage, tolerated=frozenset())


def refine(provider: Provider, document: Mapping[str, Any], instruction: str, *,
           max_rounds: int = 3, on_usage: UsageHook | None = None) -> Result:
    """``document`` changed as ``instruction`` says, valid; the caller decides what changed."""
    if not instruction.strip():
        raise GenerationError("the instruction is empty; say what to change")
    current = plain_data(document)
    tolerated = frozenset((d.code, d.path) for d in check_text(definition_yaml(current))
                          if d.severity is Severity.WARNING)
    request = DraftRequest(task="refine", text=instruction.strip(), document=current,
                           schema=definition_schema())
    return _loop(provider, request, max_rounds, on_usage, tolerated=tolerated)


def render(diagnostic: Diagnostic) -> str:
    """``path: message (hint)``: what a model needs to fix a problem, without file positions."""
    text = diagnostic.message
    if diagnostic.path:
        text = f"{diagnostic.dotted_path}: {text}"
    if diagnostic.hint:
        text += f" ({diagnostic.hint})"
    return text


def _loop(provider: Provider, request: DraftRequest, max_rounds: int,
          on_usage: UsageHook | None, *, tolerated: frozenset[tuple[str, Any]]) -> Result:
    usages: list[Usage] = []
    problems: list[Diagnostic] = []
    for round_ in range(1, max_rounds + 2):
        started = time.monotonic()
        try:
            draft = provider.draft(request)
        except ProviderError as exc:
            exc.usages = [*usages, *exc.usages]
            raise
        # a writer that counts no tokens (the offline one) still made a call, costing nothing
        usage = draft.usage or Usage(provider.name, provider.name, cost=Decimal(0),
                                     latency_s=round(time.monotonic() - started, 3))
        text, problems, kept = _check(draft, tolerated)
        usages.append(usage)
        if on_usage is not None:
            on_usage(usage, round_, not problems)
        if not problems and draft.document is not None:
            return Result(document=plain_data(draft.document), text=text,
                          assumptions=draft.assumptions,
                          warnings=draft.warnings + tuple(render(d) for d in kept),
                          usages=tuple(usages), rounds=round_)
        if draft.raw and draft.raw == request.previous:
            break  # the same answer again (a deterministic writer): more rounds cannot help
        request = replace(request, previous=draft.raw,
                          problems=tuple(render(d) for d in problems))
    count, attempts = len(problems), len(usages)
    raise GenerationError(
        f"the {provider.name} writer's answer still has {count} problem{'s' * (count != 1)} "
        f"after {attempts} attempt{'s' * (attempts != 1)} (APIARY_LLM_MAX_ROUNDS={max_rounds}); "
        "rephrase the request or write the definition by hand", problems, usages)


def _check(draft: Draft, tolerated: frozenset[tuple[str, Any]]
           ) -> tuple[str, list[Diagnostic], list[Diagnostic]]:
    """The YAML text, the problems that block it, and the tolerated warnings."""
    if draft.document is None:
        reason = draft.problem or read_answer(draft.raw).problem or "the answer held no " \
                                                                    "definition"
        return "", [Diagnostic(code="APY-E102", message=reason, file="<answer>")], []
    try:
        text = definition_yaml(draft.document)
    except (TypeError, ValueError):
        return "", [Diagnostic(code="APY-E113", message="the definition holds values that are "
                               "not JSON data", file="<answer>")], []
    diagnostics = check_text(text, "<answer>")
    blocking = [d for d in diagnostics
                if d.severity is Severity.ERROR or (d.code, d.path) not in tolerated]
    kept = [d for d in diagnostics if d not in blocking]
    return text, blocking, kept
