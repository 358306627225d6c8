"""The ``openai`` provider: the Chat Completions API, as OpenAI and many servers speak it.

``POST {base_url}/chat/completions`` with a JSON-schema response format; the same request works
against Azure OpenAI-style gateways, Ollama, vLLM, llama.cpp and LM Studio. A server that does
not know ``json_schema`` and says so (HTTP 400 naming ``response_format``) is asked once more
with ``{"type": "json_object"}``, and that choice is kept for the provider's later calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apiary.generation.answers import read_answer
from apiary.generation.config import LLMConfig
from apiary.generation.errors import ProviderError
from apiary.generation.prompts import ENVELOPE_NAME, conversation, envelope_schema, system_prompt
from apiary.generation.provider import Draft, DraftRequest, Usage
from apiary.generation.transport import Reply, Transport, token_count


class OpenAIProvider:
    name = "openai"

    def __init__(self, config: LLMConfig, sleep: Callable[[float], None] | None = None) -> None:
        self.config = config
        self.transport = Transport(server="OpenAI-compatible", base_url=config.base_url,
                                   timeout=config.timeout, mask=config.mask, sleep=sleep)
        self.json_schema = True
        """False once the server has refused ``json_schema``: then ``json_object`` is used."""

    def body(self, request: DraftRequest) -> dict[str, Any]:
        if self.json_schema:
            response_format: dict[str, Any] = {"type": "json_schema", "json_schema": {
                "name": ENVELOPE_NAME, "schema": envelope_schema(request.schema),
                "strict": False}}
        else:
            response_format = {"type": "json_object"}
        return {
            "model": self.config.model,
            "messages": [{"role": "system", "content": system_prompt(request)},
                         *conversation(request)],
            "response_format": response_format,
        }

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    def draft(self, request: DraftRequest) -> Draft:
        if not self.config.api_key and "api.openai.com" in self.config.base_url:
            raise ProviderError("the openai provider needs an API key for api.openai.com: set "
                                "APIARY_LLM_API_KEY (a local server may need none)")
        reply = self.transport.post("/chat/completions", self.headers(), self.body(request))
        latency = reply.latency_s
        if reply.status == 400 and self.json_schema and _about_response_format(reply.data):
            self.json_schema = False
            reply = self.transport.post("/chat/completions", self.headers(), self.body(request))
            latency += reply.latency_s
        if reply.status >= 400:
            raise self.transport.refuse(reply)
        content, usage = self._read(reply, latency)
        answer = read_answer(content)
        return Draft(answer.document, raw=content, assumptions=answer.assumptions,
                     warnings=answer.warnings, usage=usage, problem=answer.problem)

    def _read(self, reply: Reply, latency: float) -> tuple[str, Usage]:
        """``choices[0].message.content`` and the token counts of a completion."""
        data = reply.data
        try:
            message = data["choices"][0]["message"]
            content = message.get("content")
            if content is None and isinstance(message.get("refusal"), str):
                content = "The model refused: " + message["refusal"]
            if not isinstance(content, str):
                raise TypeError
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ProviderError(f"{self.transport.where} answered without "
                                "`choices[0].message.content`; is it an OpenAI-compatible "
                                "chat completions API?") from None
        counts = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        input_tokens = token_count(counts.get("prompt_tokens"))
        output_tokens = token_count(counts.get("completion_tokens"))
        model = data.get("model") if isinstance(data.get("model"), str) else self.config.model
        usage = Usage(provider=self.name, model=model, input_tokens=input_tokens,
                      output_tokens=output_tokens, latency_s=round(latency, 3),
                      cost=self.config.cost(model, input_tokens, output_tokens))
        return content, usage


def _about_response_format(data: Any) -> bool:
    error = data.get("error") if isinstance(data, dict) else None
    text = str(error if error is not None else data)
    return "response_format" in text or "json_schema" in text
