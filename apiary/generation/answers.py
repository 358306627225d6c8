"""Read a model's answer into a definition, tolerating the ways models wrap JSON.

An answer is the envelope of prompts.py, or a bare definition, as a JSON object — or either of
them inside a fenced block (```json / ```yaml) in prose, which is what models without a JSON mode
write. YAML is read by the definition reader itself (YAML 1.2 scalars, no duplicate keys). What
cannot be read is not an error here: it is a bad answer, and the reason goes back to the model.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from apiary.definition import DefinitionError
from apiary.definition.source import MAX_BYTES, parse_text

MAX_NOTES = 20
MAX_NOTE_LENGTH = 400
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\r?\n(.*?)```", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Answer:
    document: dict[str, Any] | None
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    problem: str | None = None
    """Why there is no document, in words the model can act on."""


def read_answer(text: str) -> Answer:
    """The definition in an answer's text, or the reason there is none."""
    if not text.strip():
        return Answer(None, problem="the answer was empty; answer with the JSON object")
    if len(text.encode("utf-8")) > MAX_BYTES:
        return Answer(None, problem="the answer is larger than a definition may be (2 MB)")
    candidates = [text.strip()]
    candidates += [body for _, body in _FENCE.findall(text)]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first:last + 1])
    problem = "the answer is not a JSON object"
    for candidate in candidates:
        data, error = _load(candidate)
        if error is None:
            answer = read_object(data)
            if answer.document is not None:
                return answer
            problem = answer.problem or problem
        elif candidate is candidates[0]:
            problem = error
    return Answer(None, problem=problem + "; answer with exactly one JSON object")


def read_object(data: Any) -> Answer:
    """The definition in an already-decoded answer (a tool call's input, a parsed body)."""
    if not isinstance(data, dict):
        return Answer(None, problem=f"the answer is a JSON {_kind(data)}, not an object")
    if "definition" in data:
        definition = data["definition"]
        if isinstance(definition, str):  # some models send the document as a string
            definition, _ = _load(definition)
        if not isinstance(definition, dict):
            return Answer(None, problem="`definition` in the answer must be an object holding "
                                        "the whole definition")
        return Answer(definition, _notes(data.get("assumptions")), _notes(data.get("warnings")))
    if "app" in data or "entities" in data:
        return Answer(data)
    return Answer(None, problem="the answer's object has no `definition` key")


def _load(text: str) -> tuple[Any, str | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        json_error = f"the answer is not valid JSON ({exc.msg} at line {exc.lineno} column " \
                     f"{exc.colno})"
    except RecursionError:
        return None, "the answer is nested too deeply"
    try:
        data = parse_text(text, "<answer>").data
    except DefinitionError:
        return None, json_error
    # prose reads as one YAML string: only a mapping makes YAML the better reading
    return (data, None) if isinstance(data, dict) else (None, json_error)


def _kind(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


def _notes(value: Any) -> tuple[str, ...]:
    """Assumptions or warnings as short printable lines; anything else in them is dropped."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    out = []
    for item in value[:MAX_NOTES]:
        if isinstance(item, str) and (line := printable(item)):
            out.append(line[:MAX_NOTE_LENGTH])
    return tuple(out)


def printable(text: str) -> str:
    """``text`` on one line without control characters: a model's words reach a terminal."""
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(cleaned.split())
