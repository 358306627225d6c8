"""The openai provider against a server speaking the Chat Completions wire format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from apiary.generation import GenerationError, ProviderError, generate, refine
from apiary.generation.openai_chat import OpenAIProvider
from tests.generation.helpers import Waits, config_for
from tests.generation.wire_server import (
    INVALID,
    KEY,
    VALID,
    Reply,
    WireServer,
    envelope,
    openai_completion,
    openai_error,
    openai_json,
)

PROMPT = "A helpdesk where customers raise tickets and agents resolve them"


def provider(server: WireServer, tmp_path: Path, **changes: object
             ) -> tuple[OpenAIProvider, Waits]:
    waits = Waits()
    return OpenAIProvider(config_for(server, tmp_path, **changes), sleep=waits), waits


def test_valid_first_answer_is_returned_with_assumptions_usage_and_cost(
        openai_server: WireServer, tmp_path: Path) -> None:
    openai_server.answer(openai_json(envelope(VALID, ["Customers see only their tickets."],
                                              ["Agents may update every ticket."])))
    writer, _ = provider(openai_server, tmp_path)
    result = generate(writer, PROMPT)
    assert result.document == VALID and result.rounds == 1
    assert result.assumptions == ("Customers see only their tickets.",)
    assert result.warnings == ("Agents may update every ticket.",)
    [usage] = result.usages
    assert (usage.provider, usage.model) == ("openai", "gpt-4o-mini-2024-07-18")
    assert (usage.input_tokens, usage.output_tokens) == (1200, 300)
    assert usage.cost == (Decimal("0.15") * 1200 + Decimal("0.60") * 300) / 1_000_000
    assert usage.latency_s >= 0
    assert openai_server.violations == []


def test_request_carries_rules_schema_prompt_and_json_schema_format(
        openai_server: WireServer, tmp_path: Path) -> None:
    openai_server.answer(openai_json(envelope(VALID)))
    writer, _ = provider(openai_server, tmp_path)
    generate(writer, PROMPT)
    [request] = openai_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.body
    assert body["model"] == "gpt-4o-mini"
    system, user = body["messages"]
    assert system["role"] == "system" and user == {"role": "user", "content": user["content"]}
    assert "least privilege" in system["content"] and "pii: true" in system["content"]
    assert "No `delete` for ordinary roles" in system["content"]
    assert '"$defs"' in system["content"]  # the schema itself
    assert PROMPT in user["content"]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is False
    schema = fmt["json_schema"]["schema"]
    assert schema["required"] == ["definition", "assumptions", "warnings"]
    assert schema["properties"]["definition"]["required"] == ["app", "entities"]
    assert "EntitySpec" in schema["$defs"]


def test_invalid_answer_is_repaired_with_the_validators_words(
        openai_server: WireServer, tmp_path: Path) -> None:
    openai_server.answer(openai_json(envelope(INVALID)), openai_json(envelope(VALID)))
    writer, _ = provider(openai_server, tmp_path)
    result = generate(writer, PROMPT)
    assert result.rounds == 2 and result.document == VALID and len(result.usages) == 2
    first, second = openai_server.bodies()
    assert second["messages"][:2] == first["messages"]
    assistant, errors = second["messages"][2:]
    assert assistant == {"role": "assistant", "content": json.dumps(envelope(INVALID))}
    assert errors["role"] == "user"
    assert "- entities.Ticket.fields.subject.type: " in errors["content"]
    assert "`strng`" in errors["content"] and "did you mean `string`?" in errors["content"]


def test_still_invalid_after_max_rounds_raises_with_the_remaining_diagnostics(
        openai_server: WireServer, tmp_path: Path) -> None:
    openai_server.answer(*[openai_json(envelope(INVALID, [f"try {i}"])) for i in range(3)])
    writer, _ = provider(openai_server, tmp_path, max_rounds=2)
    with pytest.raises(GenerationError) as caught:
        generate(writer, PROMPT, max_rounds=2)
    assert len(openai_server.requests) == 3
    assert "1 problem after 3 attempts" in str(caught.value)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "APY-E112"
    assert diagnostic.path == ("entities", "Ticket", "fields", "subject", "type")
    assert len(caught.value.usages) == 3


def test_warnings_count_as_problems(openai_server: WireServer, tmp_path: Path) -> None:
    unguarded = json.loads(json.dumps(VALID))
    del unguarded["entities"]["Ticket"]["permissions"]
    openai_server.answer(openai_json(envelope(unguarded)), openai_json(envelope(VALID)))
    writer, _ = provider(openai_server, tmp_path)
    assert generate(writer, PROMPT).rounds == 2
    repair = openai_server.requests[1].body["messages"][-1]["content"]
    assert "entities.Ticket:" in repair and "role" in repair


def test_timeout_names_the_server_and_the_limit(openai_server: WireServer,
                                                tmp_path: Path) -> None:
    openai_server.answer(Reply(delay=1.0, body={}))
    writer, _ = provider(openai_server, tmp_path, timeout=0.2)
    with pytest.raises(ProviderError) as caught:
        generate(writer, PROMPT)
    message = str(caught.value)
    assert openai_server.base_url in message and "within 0.2 s" in message
    assert "APIARY_LLM_TIMEOUT" in message


def test_429_waits_as_retry_after_says_then_succeeds(openai_server: WireServer,
                                                     tmp_path: Path) -> None:
    openai_server.answer(openai_error(429, "Rate limit reached", "requests", code="rate_limit",
                                      headers={"Retry-After": "2"}),
                         openai_json(envelope(VALID)))
    writer, waits = provider(openai_server, tmp_path)
    assert generate(writer, PROMPT).document == VALID
    assert waits == [2.0] and len(openai_server.requests) == 2


def test_500_is_retried_with_back_off(openai_server: WireServer, tmp_path: Path) -> None:
    openai_server.answer(openai_error(500, "The server had an error", "server_error"),
                         openai_error(503, "Overloaded", "server_error"),
                         openai_json(envelope(VALID)))
    writer, waits = provider(openai_server, tmp_path)
    assert generate(writer, PROMPT).document == VALID
    assert waits == [1.0, 2.0]


def test_rate_limit_that_does_not_clear_gives_up_after_bounded_attempts(
        openai_server: WireServer, tmp_path: Path) -> None:
    openai_server.answer(*[openai_error(429, "Rate limit reached", "requests")] * 6)
    writer, waits = provider(openai_server, tmp_path)
    with pytest.raises(ProviderError, match="rate limiting requests; gave up after 4 attempts"):
        generate(writer, PROMPT)
    assert len(openai_server.requests) == 4 and waits == [1.0, 2.0, 4.0]


def test_retry_after_longer_than_the_wait_budget_is_not_waited(
        openai_server: WireServer, tmp_path: Path) -> None:
    openai_server.answer(openai_error(429, "Slow down", "requests",
                                      headers={"Retry-After": "3600"}))
    writer, waits = provider(openai_server, tmp_path)
    with pytest.raises(ProviderError, match="asks to wait 3600 s"):
        generate(writer, PROMPT)
    assert waits == []


def test_401_tells_to_check_the_key_and_never_shows_it(openai_server: WireServer,
                                                       tmp_path: Path) -> None:
    openai_server.answer(openai_error(401, f"Incorrect API key provided: {KEY}.",
                                      code="invalid_api_key"))
    writer, _ = provider(openai_server, tmp_path)
    with pytest.raises(ProviderError) as caught:
        generate(writer, PROMPT)
    message = str(caught.value)
    assert "HTTP 401" in message and "check APIARY_LLM_API_KEY" in message
    assert KEY not in message and "Incorrect API key provided: ***" in message


@pytest.mark.parametrize("body", [b"<html><body>Bad gateway</body></html>",
                                  b'{"choices": [{"message": {"content": "{', b""])
def test_body_that_is_not_json_is_a_clear_error(openai_server: WireServer,
                                                tmp_path: Path, body: bytes) -> None:
    openai_server.answer(Reply(200, body))
    writer, _ = provider(openai_server, tmp_path)
    with pytest.raises(ProviderError, match="with a body that is not JSON"):
        generate(writer, PROMPT)


def test_body_without_choices_is_a_clear_error(openai_server: WireServer,
                                               tmp_path: Path) -> None:
    openai_server.answer(Reply(200, {"id": "x", "object": "chat.completion", "choices": []}))
    writer, _ = provider(openai_server, tmp_path)
    with pytest.raises(ProviderError, match=r"without `choices\[0\]\.message\.content`"):
        generate(writer, PROMPT)


@pytest.mark.parametrize("content, reason", [
    ("Sure! I would design a helpdesk with tickets.", "not valid JSON"),
    ('{"definition": {"app": "helpdesk", "entities": {', "not valid JSON"),
    ("[1, 2, 3]", "a JSON array, not an object"),
    ('{"answer": 42}', "no `definition` key"),
    ("", "the answer was empty"),
])
def test_content_that_is_not_a_definition_goes_back_to_the_model(
        openai_server: WireServer, tmp_path: Path, content: str, reason: str) -> None:
    openai_server.answer(openai_completion(content), openai_json(envelope(VALID)))
    writer, _ = provider(openai_server, tmp_path)
    assert generate(writer, PROMPT).rounds == 2
    repair = openai_server.requests[1].body["messages"]
    assert repair[2] == {"role": "assistant", "content": content or "(empty answer)"}
    assert reason in repair[3]["content"]


def test_schema_violating_answer_is_repaired(openai_server: WireServer,
                                             tmp_path: Path) -> None:
    wrong = {"app": "helpdesk", "entities": [{"name": "Ticket"}], "colour": "blue"}
    openai_server.answer(openai_json(envelope(wrong)), openai_json(envelope(VALID)))
    writer, _ = provider(openai_server, tmp_path)
    assert generate(writer, PROMPT).rounds == 2
    repair = openai_server.requests[1].body["messages"][-1]["content"]
    assert "colour: unknown key `colour`" in repair
    assert "- entities: " in repair


def test_fenced_yaml_in_prose_and_a_bare_definition_are_accepted(
        openai_server: WireServer, tmp_path: Path) -> None:
    text = ("Here is the app:\n```yaml\napp: helpdesk\nroles: [agent]\nentities:\n"
            "  Ticket:\n    fields: {subject: string}\n    permissions: {agent: [read, create]}\n"
            "```\nHope it helps.")
    openai_server.answer(openai_completion(text))
    writer, _ = provider(openai_server, tmp_path)
    result = generate(writer, PROMPT)
    assert result.document["entities"]["Ticket"]["fields"] == {"subject": "string"}


def test_refusal_is_a_bad_answer_then_repaired(openai_server: WireServer,
                                               tmp_path: Path) -> None:
    openai_server.answer(openai_completion(None, refusal="I cannot help with that."),
                         openai_json(envelope(VALID)))
    writer, _ = provider(openai_server, tmp_path)
    assert generate(writer, PROMPT).rounds == 2


def test_server_without_json_schema_support_gets_json_object_once(
        openai_server: WireServer, tmp_path: Path) -> None:
    openai_server.answer(
        openai_error(400, "Invalid parameter: 'response_format' of type 'json_schema' is not "
                          "supported with this model.", param="response_format"),
        openai_json(envelope(INVALID)), openai_json(envelope(VALID)))
    writer, _ = provider(openai_server, tmp_path)
    assert generate(writer, PROMPT).rounds == 2
    formats = [body["response_format"] for body in openai_server.bodies()]
    assert formats[0]["type"] == "json_schema"
    assert formats[1:] == [{"type": "json_object"}] * 2
    assert "JSON" in openai_server.requests[1].body["messages"][0]["content"]


def test_other_400_is_reported_with_the_servers_message(openai_server: WireServer,
                                                        tmp_path: Path) -> None:
    openai_server.answer(openai_error(404, "The model `gpt-9` does not exist",
                                      code="model_not_found"))
    writer, _ = provider(openai_server, tmp_path)
    with pytest.raises(ProviderError, match=r"HTTP 404: The model `gpt-9` does not exist.*"
                                            r"APIARY_LLM_MODEL"):
        generate(writer, PROMPT)


def test_refine_sends_the_current_definition_and_the_instruction(
        openai_server: WireServer, tmp_path: Path) -> None:
    changed = json.loads(json.dumps(VALID))
    changed["entities"]["Ticket"]["fields"]["due"] = "date"
    openai_server.answer(openai_json(envelope(changed)))
    writer, _ = provider(openai_server, tmp_path)
    result = refine(writer, VALID, "tickets get a due date")
    assert result.document == changed
    user = openai_server.requests[0].body["messages"][1]["content"]
    assert "tickets get a due date" in user and '"customer_phone"' in user


def test_a_local_server_needs_no_key(openai_server: WireServer, tmp_path: Path) -> None:
    openai_server.key = ""
    openai_server.answer(openai_json(envelope(VALID)))
    writer, _ = provider(openai_server, tmp_path, api_key="")
    generate(writer, PROMPT)
    assert "authorization" not in openai_server.requests[0].headers


def test_api_openai_com_without_a_key_is_refused_before_any_call(tmp_path: Path) -> None:
    from apiary.generation import LLMConfig
    writer = OpenAIProvider(LLMConfig(provider="openai", base_url="https://api.openai.com/v1",
                                      model="gpt-4o-mini"))
    with pytest.raises(ProviderError, match="set APIARY_LLM_API_KEY"):
        generate(writer, PROMPT)


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    server = WireServer("openai").start()
    url = server.base_url
    server.stop()
    from apiary.generation import LLMConfig
    writer = OpenAIProvider(LLMConfig(provider="openai", base_url=url, model="m", timeout=2))
    with pytest.raises(ProviderError, match=r"cannot connect to .*check APIARY_LLM_BASE_URL"):
        generate(writer, PROMPT)
