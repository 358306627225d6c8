"""Configurations pointing at the loopback server, and a sleep that only records its waits."""

from __future__ import annotations

from pathlib import Path

from apiary.generation import LLMConfig
from tests.generation.wire_server import KEY, WireServer

MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-20250514"}


class Waits(list[float]):
    """Stands in for ``time.sleep``: records each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def config_for(server: WireServer, tmp_path: Path, **changes: object) -> LLMConfig:
    values: dict[str, object] = {
        "provider": server.vendor, "base_url": server.base_url,
        "model": MODELS[server.vendor], "api_key": KEY, "timeout": 5.0, "max_rounds": 2,
        "usage_log": tmp_path / "llm-usage.jsonl"}
    values.update(changes)
    return LLMConfig(**values)  # type: ignore[arg-type]
