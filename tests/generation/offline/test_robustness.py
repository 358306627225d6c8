"""Whatever the prompt, the offline generator answers with a strictly valid app or a clear
refusal (``OfflineGenerationError``), never a traceback.

Real prompts cut into pieces (a sentence left out, the opening dropped) and text assembled at
random from business words reach rule combinations the curated examples never do; a crash on
one of them once surfaced only as a traceback on the user's terminal.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiary.definition import check_text
from apiary.generation.offline.generate import OfflineGenerationError, generate

TUNING = Path(__file__).parents[3] / "bench" / "generation" / "cases" / "tuning"


def _prompts() -> list[tuple[str, str]]:
    return [(path.stem, yaml.safe_load(path.read_text(encoding="utf-8"))["prompt"])
            for path in sorted(TUNING.glob("*.yaml"))]


def _variants(prompt: str) -> list[str]:
    """The prompt with each sentence left out in turn, and with its opening sentences cut."""
    sentences = re.split(r"(?<=[.;!?])\s+", prompt.strip())
    if len(sentences) < 2:
        return []
    dropped = [" ".join(sentences[:i] + sentences[i + 1:]) for i in range(len(sentences))]
    tails = [" ".join(sentences[i:]) for i in range(1, len(sentences))]
    return dropped + tails


def _answer(prompt: str) -> list[str]:
    """The strict validator's findings on the generated app; refusals are fine."""
    try:
        doc, _, _ = generate(prompt)
    except OfflineGenerationError as exc:
        assert str(exc).strip(), "a refusal says why"
        return []
    return [str(d) for d in check_text(json.dumps(doc))]


@pytest.mark.parametrize(("name", "prompt"), _prompts(), ids=[n for n, _ in _prompts()])
def test_pieces_of_real_prompts_give_a_valid_app_or_a_refusal(name: str, prompt: str) -> None:
    for variant in _variants(prompt):
        assert _answer(variant) == [], variant


WORDS = ("employees", "submit", "claims", "with", "several", "lines", "a", "manager",
         "approves", "or", "rejects", "them", "finance", "pays", "customers", "open", "tickets",
         "priority", "(low, high)", "due date", "amount", "marks it", "clean,", "and", "the",
         "supervisor", "inspects", "decides:", "accepted", "declined", "states:", "draft,",
         "closed", "for", "each", "per", "site", "assigned to", "technicians", "record",
         "inspections", "photo", "email", "phone", "everyone", "can", "delete", "reopen",
         "returned", "cancel", "escalates", "to", "the board", ";", ".", ",", ":", "-",
         "\n- ", "1.", "€", "$5,000", "Mitarbeiter", "reichen", "ein", "pothole", "crew",
         "schedule", "fixed", "members", "borrow", "books", "belong to", "accounts", "of",
         "returns", "either", "repair", "replace", "for a", "against their", "policy")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40))
def test_text_from_business_words_gives_a_valid_app_or_a_refusal(words: list[str]) -> None:
    prompt = " ".join(words)
    assert _answer(prompt) == [], prompt
