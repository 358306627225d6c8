"""The repair loop with a scripted provider: rounds, strictness, refine's tolerance, metering."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from apiary.definition import Diagnostic
from apiary.generation import (
    Draft,
    DraftRequest,
    GenerationError,
    ProviderError,
    Usage,
    generate,
    refine,
)
from apiary.generation.repair import render
from tests.generation.wire_server import INVALID, VALID


class Scripted:
    """A provider that answers from a list and remembers every request."""

    name = "scripted"

    def __init__(self, *answers: Mapping[str, Any] | str | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[DraftRequest] = []

    def draft(self, request: DraftRequest) -> Draft:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        usage = Usage("scripted", "m", input_tokens=10, output_tokens=5)
        if isinstance(answer, str):
            return Draft(None, raw=answer, usage=usage)
        return Draft(answer, raw=json.dumps(answer), assumptions=("assumed",), usage=usage)


def copy(document: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(document))


def test_first_valid_answer_needs_one_round() -> None:
    writer = Scripted(VALID)
    result = generate(writer, "a helpdesk")
    assert (result.rounds, result.document, result.assumptions) == (1, VALID, ("assumed",))
    assert result.text.startswith("app:\n  name: helpdesk\n")
    [request] = writer.requests
    assert request.task == "generate" and request.previous is None
    assert request.schema["$id"].endswith("definition-v1.json")


def test_repair_request_carries_previous_answer_and_rendered_problems() -> None:
    writer = Scripted(INVALID, VALID)
    assert generate(writer, "a helpdesk").rounds == 2
    second = writer.requests[1]
    assert second.previous == json.dumps(INVALID)
    [problem] = second.problems
    assert problem.startswith("entities.Ticket.fields.subject.type: ")
    assert problem.endswith("(did you mean `string`?)")


def test_zero_repair_rounds_means_one_attempt() -> None:
    writer = Scripted(INVALID, VALID)
    with pytest.raises(GenerationError, match="after 1 attempt "):
        generate(writer, "a helpdesk", max_rounds=0)
    assert len(writer.requests) == 1


def test_unreadable_answer_is_a_problem_for_the_next_round() -> None:
    writer = Scripted("no idea", VALID)
    assert generate(writer, "a helpdesk").rounds == 2
    assert "not valid JSON" in writer.requests[1].problems[0]


def test_empty_prompt_is_refused_before_asking() -> None:
    writer = Scripted(VALID)
    with pytest.raises(GenerationError, match="the prompt is empty"):
        generate(writer, "  \n ")
    assert writer.requests == []


def test_every_call_is_metered_with_its_round_and_verdict() -> None:
    seen: list[tuple[int, bool]] = []
    other = copy(INVALID)
    other["app"]["title"] = "Another try"
    generate(Scripted(INVALID, other, VALID), "x",
             on_usage=lambda usage, round_, valid: seen.append((round_, valid)))
    assert seen == [(1, False), (2, False), (3, True)]


def test_provider_error_keeps_the_usage_of_earlier_rounds() -> None:
    writer = Scripted(INVALID, ProviderError("the server went away"))
    with pytest.raises(ProviderError) as caught:
        generate(writer, "x")
    assert len(caught.value.usages) == 1


def test_refine_tolerates_the_warnings_the_definition_already_had() -> None:
    current = copy(VALID)
    del current["entities"]["Ticket"]["permissions"]  # APY-W403, accepted by the user today
    changed = copy(current)
    changed["entities"]["Ticket"]["fields"]["due"] = "date"
    result = refine(Scripted(changed), current, "add a due date")
    assert result.rounds == 1 and result.document == changed
    assert any("entities.Ticket" in w and "admin" in w for w in result.warnings)


def test_refine_does_not_tolerate_new_warnings() -> None:
    careless = copy(VALID)
    careless["entities"]["Ticket"]["fields"]["home_address"] = {"type": "text", "pii": True}
    writer = Scripted(careless, VALID)
    assert refine(writer, VALID, "store the customer's home address").rounds == 2
    assert writer.requests[0].document == VALID and writer.requests[0].task == "refine"
    assert "home_address" in writer.requests[1].problems[0]


def test_render_is_path_message_hint() -> None:
    diagnostic = Diagnostic("APY-E110", "unknown key `maxlength`", ("entities", "A", "x"),
                            "did you mean `max_length`?")
    assert render(diagnostic) == "entities.A.x: unknown key `maxlength` " \
                                 "(did you mean `max_length`?)"
    assert render(Diagnostic("APY-E104", "the document is empty")) == "the document is empty"


def test_usage_summary_counts_calls_tokens_and_cost() -> None:
    from decimal import Decimal

    from apiary.generation.usage import summary
    priced = Usage("openai", "gpt-4o", 1000, 200, 1.25, Decimal("0.0045"))
    unpriced = Usage("openai", "local-model", 10, 5, 0.5, None)
    assert summary([priced, priced]) == ("2 calls to gpt-4o, 2,000 tokens in, 400 out, 2.5 s, "
                                         "about $0.0090")
    assert "cost unknown" in summary([priced, unpriced]) and summary([]) == "no model calls"


def test_repair_message_lists_at_most_forty_problems() -> None:
    from apiary.generation.prompts import repair_message
    request = DraftRequest("generate", "x", previous="{}",
                           problems=tuple(f"p{i}: wrong" for i in range(55)))
    message = repair_message(request)
    assert "- p39: wrong" in message and "p40" not in message
    assert "... and 15 more like these" in message


def test_the_same_answer_twice_ends_the_rounds_early() -> None:
    writer = Scripted(INVALID, INVALID, INVALID, VALID)
    with pytest.raises(GenerationError, match="after 2 attempts"):
        generate(writer, "x", max_rounds=3)
    assert len(writer.requests) == 2
