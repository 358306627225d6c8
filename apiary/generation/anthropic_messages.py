"""The ``anthropic`` provider: the Messages API, with the definition as a forced tool call.

``POST {base_url}/v1/messages`` offering one tool, ``write_definition``, whose input schema is
the answer's schema, and ``tool_choice`` forcing it: the definition comes back as the
``tool_use`` block's ``input``, already decoded. A model that writes text instead is read like
any text answer (a fenced JSON block still counts).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from apiary.generation.answers import Answer, read_answer, read_object
from apiary.generation.config import LLMConfig
from apiary.generation.errors import ProviderError
from apiary.generation.prompts import conversation, envelope_schema, system_prompt
from apiary.generation.provider import Draft, DraftRequest, Usage
from apiary.generation.transport import Transport, token_count

API_VERSION = "2023-06-01"
TOOL = "write_definition"
TOOL_DESCRIPTION = ("Write the complete Apiary application definition, with the assumptions you "
                    "made and the warnings the user must review.")


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, config: LLMConfig, sleep: Callable[[float], None] | None = None) -> None:
        self.config = config
        self.transport = Transport(server="Anthropic", base_url=config.base_url,
                                   timeout=config.timeout, mask=config.mask, sleep=sleep)

    def body(self, request: DraftRequest) -> dict[str, Any]:
        return {
            "model": self.config.model,
            "max_tokens": self.config.max_tokens,
            "system": system_prompt(request),
            "messages": conversation(request),
            "tools": [{"name": TOOL, "description": TOOL_DESCRIPTION,
                       "input_schema": envelope_schema(request.schema)}],
            "tool_choice": {"type": "tool", "name": TOOL},
        }

    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.config.api_key, "anthropic-version": API_VERSION,
                "content-type": "application/json"}

    def draft(self, request: DraftRequest) -> Draft:
        if not self.config.api_key:
            raise ProviderError("the anthropic provider needs an API key: set "
                                "APIARY_LLM_API_KEY")
        # the API root is documented without /v1; accept it with /v1 too
        path = "/messages" if self.config.base_url.endswith("/v1") else "/v1/messages"
        reply = self.transport.post(path, self.headers(), self.body(request))
        if reply.status >= 400:
            raise self.transport.refuse(reply)
        data = reply.data
        content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(content, list):
            raise ProviderError(f"{self.transport.where} answered without a `content` list; "
                                "is it the Anthropic Messages API?")
        raw, answer = _read_content(content)
        if answer.document is None and data.get("stop_reason") == "max_tokens":
            answer = Answer(None, problem=f"the answer was cut off at max_tokens "
                                          f"({self.config.max_tokens}); write a shorter "
                                          "definition")
        counts = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        input_tokens = token_count(counts.get("input_tokens"))
        output_tokens = token_count(counts.get("output_tokens"))
        model = data.get("model") if isinstance(data.get("model"), str) else self.config.model
        usage = Usage(provider=self.name, model=model, input_tokens=input_tokens,
                      output_tokens=output_tokens,
                      latency_s=round(reply.latency_s, 3),
                      cost=self.config.cost(model, input_tokens, output_tokens))
        return Draft(answer.document, raw=raw, assumptions=answer.assumptions,
                     warnings=answer.warnings, usage=usage, problem=answer.problem)


def _read_content(content: list[Any]) -> tuple[str, Answer]:
    """The ``write_definition`` tool call's input, else the text blocks read as an answer."""
    for block in content:
        if isinstance(block, dict) and block.get("type") == "tool_use" \
                and block.get("name") == TOOL:
            tool_input = block.get("input")
            return json.dumps(tool_input, ensure_ascii=False), read_object(tool_input)
    text = "\n".join(block["text"] for block in content
                     if isinstance(block, dict) and block.get("type") == "text"
                     and isinstance(block.get("text"), str))
    return text, read_answer(text)
