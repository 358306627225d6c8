"""What model calls cost: one JSON line per call in a log, and a summary for the terminal.

The log (``.apiary/llm-usage.jsonl`` by default, APIARY_LLM_USAGE_LOG) holds counts, timings
and estimated costs only — never a prompt, an answer or a key — so it can be kept and shared
for budgeting.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from apiary.generation.errors import GenerationError
from apiary.generation.provider import Usage


def record(path: Path, usage: Usage, *, task: str, round_: int, valid: bool) -> None:
    """Append one call to the usage log, creating its folder (owner-only) when needed."""
    line = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "task": task,
        "round": round_,
        "provider": usage.provider,
        "model": usage.model,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "latency_s": usage.latency_s,
        "cost_usd": None if usage.cost is None else str(usage.cost),
        "valid": valid,
    }
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
    except OSError as exc:
        raise GenerationError(f"cannot write the usage log {path}: {exc.strerror}; set "
                              "APIARY_LLM_USAGE_LOG to a writable file") from None


def summary(usages: Sequence[Usage]) -> str:
    """``2 calls to gpt-4o-mini, 3,100 tokens in, 900 out, about $0.0010``."""
    if not usages:
        return "no model calls"
    calls = len(usages)
    models = sorted({u.model for u in usages})
    tokens_in = sum(u.input_tokens for u in usages)
    tokens_out = sum(u.output_tokens for u in usages)
    seconds = sum(u.latency_s for u in usages)
    text = (f"{calls} call{'s' * (calls != 1)} to {', '.join(models)}, {tokens_in:,} tokens in, "
            f"{tokens_out:,} out, {seconds:.1f} s")
    costs = [u.cost for u in usages]
    if any(c is None for c in costs):
        return text + ", cost unknown (no price for the model; add it under [prices] in the " \
                      "config file)"
    total = sum((c for c in costs if c is not None), Decimal(0))
    return text + (", no cost" if total == 0 else f", about ${total:.4f}")
