"""What a model is told: the format, the rules a good definition follows, and the answer's shape.

Every provider sends the same words, so a model's answers differ by the model, not by the
adapter. The answer is an *envelope*, ``{"definition": {...}, "assumptions": [...],
"warnings": [...]}``: the definition itself has no room for notes (unknown keys are errors), and
the user should see what the model assumed. A bare definition is accepted too (see answers.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from apiary.generation.provider import DraftRequest

ENVELOPE_NAME = "apiary_definition"
MAX_PROBLEMS = 40
"""Problems listed in one repair round: enough to fix, without paying for a wall of text."""

RULES = """\
You write application definitions for Apiary. An Apiary application is one YAML/JSON document,
the definition, that states the app's entities and fields, roles, permissions, workflows and
views; one engine runs it (database, REST API, web UI, row- and field-level permissions, audit).
You never write code: only the definition.

Rules for a good definition:
- Secure by default, least privilege: grant each role only the operations it needs. Anything not
  granted is denied. Prefer row-level rules such as "created_by == user.id" for people who
  should only see or change their own records.
- No `delete` for ordinary roles unless the request asks for it; admins can always delete.
- Never declare or grant the `admin` role: it exists implicitly and may do everything.
- Mark personal data (names of private persons, personal email, phone, address, date of birth,
  national ids, health or salary data) with `pii: true` and restrict who reads it with
  `access: {read: [roles...]}`.
- Every entity gets `permissions` for at least one role.
- Use workflows (states and transitions with the roles that may take them) for records that move
  through stages, e.g. draft -> submitted -> approved/rejected.
- Names: app is a lowercase slug (`expense-claims`); entities are CapitalisedWords; fields, roles,
  states and transitions are lower_snake_case. Do not declare system fields (id, created_at,
  updated_at, created_by, updated_by, row_version): every record has them.
- Expressions (rules, guards, computed values, filters) are CEL-like strings, e.g.
  "state == 'draft' && created_by == user.id", "'finance' in user.roles", "amount * quantity".

Answer with one JSON object and nothing else:
{"definition": <the whole definition, following the JSON Schema below>,
 "assumptions": [<short sentences: what you assumed where the request was silent>],
 "warnings": [<short sentences: anything the user must review, e.g. a permission wider than
  least privilege that the request asked for>]}
"""


def envelope_schema(definition_schema: Mapping[str, Any]) -> dict[str, Any]:
    """The answer's JSON Schema: the definition schema as the ``definition`` property.

    The definition schema's ``$defs`` move to the envelope's root so its ``#/$defs/...``
    references still resolve.
    """
    inner = {k: v for k, v in definition_schema.items()
             if k not in ("$defs", "$schema", "$id")}
    notes = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "properties": {"definition": inner, "assumptions": notes, "warnings": notes},
        "required": ["definition", "assumptions", "warnings"],
        "additionalProperties": False,
        "$defs": dict(definition_schema.get("$defs", {})),
    }


def system_prompt(request: DraftRequest) -> str:
    schema = json.dumps(request.schema, separators=(",", ":"), sort_keys=True)
    return f"{RULES}\nThe JSON Schema of a definition:\n{schema}\n"


def task_message(request: DraftRequest) -> str:
    """The first user message: the prompt, or the current definition and the instruction."""
    if request.task == "refine":
        current = json.dumps(request.document or {}, indent=1, ensure_ascii=False, default=str)
        return ("Here is the current definition:\n" + current + "\n\n"
                "Change it as follows, keeping everything else as it is, and answer with the "
                "whole changed definition:\n" + request.text)
    return "Write the definition of this application:\n" + request.text


def repair_message(request: DraftRequest) -> str:
    """What a repair round says after the previous answer: every problem, one per line."""
    shown = request.problems[:MAX_PROBLEMS]
    problems = "\n".join(f"- {p}" for p in shown) or "- the answer was not usable"
    if len(request.problems) > MAX_PROBLEMS:
        problems += f"\n- ... and {len(request.problems) - MAX_PROBLEMS} more like these"
    return ("Apiary's validator rejected that answer:\n" + problems + "\n\n"
            "Fix every problem and answer again with the whole corrected JSON object "
            "(definition, assumptions, warnings).")


def conversation(request: DraftRequest) -> list[dict[str, str]]:
    """The user/assistant turns, without the system prompt (vendors place it differently)."""
    turns = [{"role": "user", "content": task_message(request)}]
    if request.previous is not None:
        turns.append({"role": "assistant", "content": request.previous or "(empty answer)"})
        turns.append({"role": "user", "content": repair_message(request)})
    return turns
