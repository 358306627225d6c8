"""The anthropic provider against a server speaking the Messages API wire format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from apiary.generation import GenerationError, ProviderError, generate
from apiary.generation.anthropic_messages import AnthropicProvider
from tests.generation.helpers import Waits, config_for
from tests.generation.wire_server import (
    INVALID,
    KEY,
    VALID,
    Reply,
    WireServer,
    anthropic_error,
    anthropic_message,
    envelope,
)

PROMPT = "Leave requests: employees ask, managers approve"


def provider(server: WireServer, tmp_path: Path, **changes: object
             ) -> tuple[AnthropicProvider, Waits]:
    waits = Waits()
    return AnthropicProvider(config_for(server, tmp_path, **changes), sleep=waits), waits


def test_tool_call_input_is_the_answer(anthropic_server: WireServer, tmp_path: Path) -> None:
    anthropic_server.answer(anthropic_message(envelope(VALID, ["One approver per team."])))
    writer, _ = provider(anthropic_server, tmp_path)
    result = generate(writer, PROMPT)
    assert result.document == VALID and result.assumptions == ("One approver per team.",)
    [usage] = result.usages
    assert (usage.provider, usage.input_tokens, usage.output_tokens) == ("anthropic", 2000, 500)
    assert usage.cost == (Decimal(3) * 2000 + Decimal(15) * 500) / 1_000_000
    assert anthropic_server.violations == []


def test_request_shape(anthropic_server: WireServer, tmp_path: Path) -> None:
    anthropic_server.answer(anthropic_message(envelope(VALID)))
    writer, _ = provider(anthropic_server, tmp_path, max_tokens=4000)
    generate(writer, PROMPT)
    [request] = anthropic_server.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    body = request.body
    assert body["model"] == "claude-sonnet-4-20250514" and body["max_tokens"] == 4000
    assert "least privilege" in body["system"]
    assert body["messages"] == [{"role": "user", "content": body["messages"][0]["content"]}]
    assert PROMPT in body["messages"][0]["content"]
    [tool] = body["tools"]
    assert tool["name"] == "write_definition" and tool["description"]
    assert tool["input_schema"]["properties"]["definition"]["required"] == ["app", "entities"]
    assert body["tool_choice"] == {"type": "tool", "name": "write_definition"}


def test_repair_round_sends_previous_answer_and_errors(anthropic_server: WireServer,
                                                       tmp_path: Path) -> None:
    anthropic_server.answer(anthropic_message(envelope(INVALID)),
                            anthropic_message(envelope(VALID)))
    writer, _ = provider(anthropic_server, tmp_path)
    assert generate(writer, PROMPT).rounds == 2
    messages = anthropic_server.requests[1].body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert json.loads(messages[1]["content"]) == envelope(INVALID)
    assert "entities.Ticket.fields.subject.type: " in messages[2]["content"]
    assert anthropic_server.violations == []


def test_still_invalid_after_max_rounds(anthropic_server: WireServer, tmp_path: Path) -> None:
    anthropic_server.answer(*[anthropic_message(envelope(INVALID))] * 2)
    writer, _ = provider(anthropic_server, tmp_path)
    with pytest.raises(GenerationError) as caught:
        generate(writer, PROMPT, max_rounds=1)
    assert [d.code for d in caught.value.diagnostics] == ["APY-E112"]
    assert len(anthropic_server.requests) == 2


def test_overloaded_529_and_429_are_retried(anthropic_server: WireServer,
                                            tmp_path: Path) -> None:
    anthropic_server.answer(
        anthropic_error(529, "overloaded_error", "Overloaded"),
        anthropic_error(429, "rate_limit_error", "Number of requests has exceeded your rate "
                                                 "limit", headers={"retry-after": "7"}),
        anthropic_message(envelope(VALID)))
    writer, waits = provider(anthropic_server, tmp_path)
    assert generate(writer, PROMPT).document == VALID
    assert waits == [1.0, 7.0]


def test_401_names_the_key_setting(anthropic_server: WireServer, tmp_path: Path) -> None:
    anthropic_server.answer(anthropic_error(401, "authentication_error", "invalid x-api-key"))
    writer, _ = provider(anthropic_server, tmp_path)
    with pytest.raises(ProviderError) as caught:
        generate(writer, PROMPT)
    assert "HTTP 401: invalid x-api-key" in str(caught.value)
    assert "check APIARY_LLM_API_KEY" in str(caught.value) and KEY not in str(caught.value)


def test_timeout(anthropic_server: WireServer, tmp_path: Path) -> None:
    anthropic_server.answer(Reply(delay=1.0, body={}))
    writer, _ = provider(anthropic_server, tmp_path, timeout=0.2)
    with pytest.raises(ProviderError, match=r"Anthropic server at http://127\.0\.0\.1:\d+ did "
                                            r"not answer within 0\.2 s"):
        generate(writer, PROMPT)


def test_text_answer_with_a_fenced_block_is_read(anthropic_server: WireServer,
                                                 tmp_path: Path) -> None:
    text = "Here you go:\n```json\n" + json.dumps(envelope(VALID)) + "\n```"
    anthropic_server.answer(anthropic_message(text=text))
    writer, _ = provider(anthropic_server, tmp_path)
    assert generate(writer, PROMPT).document == VALID


def test_answer_cut_off_at_max_tokens_says_so(anthropic_server: WireServer,
                                              tmp_path: Path) -> None:
    anthropic_server.answer(anthropic_message(text='{"definition": {"app": ',
                                              stop_reason="max_tokens"),
                            anthropic_message(envelope(VALID)))
    writer, _ = provider(anthropic_server, tmp_path, max_tokens=50)
    assert generate(writer, PROMPT).rounds == 2
    repair = anthropic_server.requests[1].body["messages"][-1]["content"]
    assert "cut off at max_tokens (50)" in repair


def test_tool_input_that_is_not_an_object_is_repaired(anthropic_server: WireServer,
                                                      tmp_path: Path) -> None:
    anthropic_server.answer(anthropic_message({"definition": "not a definition"}),
                            anthropic_message(envelope(VALID)))
    writer, _ = provider(anthropic_server, tmp_path)
    assert generate(writer, PROMPT).rounds == 2
    assert "`definition` in the answer must be an object" in \
        anthropic_server.requests[1].body["messages"][-1]["content"]


def test_body_without_content_is_a_clear_error(anthropic_server: WireServer,
                                               tmp_path: Path) -> None:
    anthropic_server.answer(Reply(200, {"type": "message", "usage": {}}))
    writer, _ = provider(anthropic_server, tmp_path)
    with pytest.raises(ProviderError, match="without a `content` list"):
        generate(writer, PROMPT)


def test_missing_key_is_refused_before_any_call(anthropic_server: WireServer,
                                                tmp_path: Path) -> None:
    writer, _ = provider(anthropic_server, tmp_path, api_key="")
    with pytest.raises(ProviderError, match="set APIARY_LLM_API_KEY"):
        generate(writer, PROMPT)
    assert anthropic_server.requests == []


def test_base_url_with_v1_is_not_doubled(anthropic_server: WireServer, tmp_path: Path) -> None:
    anthropic_server.answer(anthropic_message(envelope(VALID)))
    writer, _ = provider(anthropic_server, tmp_path, base_url=anthropic_server.root + "/v1")
    generate(writer, PROMPT)
    assert anthropic_server.requests[0].path == "/v1/messages"
