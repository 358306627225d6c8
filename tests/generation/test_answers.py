"""Reading answers and writing YAML that reads back as written."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from apiary.definition.source import parse_text
from apiary.generation.answers import read_answer, read_object
from apiary.generation.yamltext import comment, definition_yaml
from tests.generation.wire_server import VALID, envelope


def test_envelope_bare_definition_and_prose_wrapped_json() -> None:
    assert read_answer(json.dumps(envelope(VALID))).document == VALID
    assert read_answer(json.dumps(VALID)).document == VALID
    assert read_answer("Here:\n" + json.dumps(envelope(VALID)) + "\nDone.").document == VALID


def test_definition_sent_as_a_string_is_read() -> None:
    answer = read_object({"definition": json.dumps(VALID), "assumptions": []})
    assert answer.document == VALID


def test_notes_are_printable_short_and_only_text() -> None:
    answer = read_object({"definition": VALID, "assumptions": [
        "plain", "\x1b[31mred\x1b[0m\nand\tmore", 42, "x" * 1000, "   "],
        "warnings": "one warning"})
    assert answer.assumptions[:2] == ("plain", "[31mred [0m and more")
    assert len(answer.assumptions) == 3 and len(answer.assumptions[2]) == 400
    assert answer.warnings == ("one warning",)


def test_duplicate_keys_in_yaml_are_not_silently_merged() -> None:
    answer = read_answer("```yaml\napp: a\napp: b\nentities: {}\n```")
    assert answer.document is None and answer.problem


TRICKY = ["1e3", "1.0", "no", "yes", "on", "null", "~", "", "true", "0x10", "010", "1_000",
          "a: b", "x #y", "!internal", "[a]", "{b}", "'q'", '"dq"', "- item", "trailing ",
          "line\nbreak", "tab\there", "ünïcödé", "end.", "@at", "%pct", "`tick`", "*star",
          "&amp", "? q", "|pipe", ">gt", "1:20", ".inf", "-", "2024-01-31"]


def test_tricky_strings_read_back_as_strings() -> None:
    document: dict[str, Any] = {"app": "x", "values": TRICKY,
                                "map": {s: s for s in TRICKY if s}}
    assert parse_text(definition_yaml(document)).data == document


def test_characters_yaml_refuses_or_reads_as_line_breaks_read_back_as_written() -> None:
    # DEL and C1 controls, NEL, the Unicode line and paragraph separators, a non-character
    odd = ["a\x7fb", "\x85", "x\x9fy", "p\u2028q", "\u2029", "\uffff"]
    document: dict[str, Any] = {"app": "x", "values": odd, "map": {s: s for s in odd}}
    assert parse_text(definition_yaml(document)).data == document


@given(st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False, width=32),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3), max_leaves=12))
def test_any_plain_data_reads_back_as_written(value: Any) -> None:
    document = {"app": "x", "value": value}
    assert parse_text(definition_yaml(document)).data == json.loads(json.dumps(document))


def test_comment_prefixes_every_line() -> None:
    assert comment(["a\nb", "", "c"]) == "# a\n# b\n#\n# c\n"
