"""The offline definition writer: no network, no model, the same answer every time.

``OfflineProvider`` is the default provider of ``apiary generate`` and ``apiary refine``. It
generates from a library of business blueprints laid over what the prompt names explicitly, and
refines by a fixed set of common edits; see docs/generation.md, "The offline generator".
"""

from __future__ import annotations

import json

from apiary.generation.offline.generate import OfflineGenerationError, generate
from apiary.generation.offline.refine import refine
from apiary.generation.provider import Draft, DraftRequest

__all__ = ["OfflineGenerationError", "OfflineProvider"]


class OfflineProvider:
    """Writes definitions with rules and a blueprint library; deterministic and free."""

    name = "offline"

    def draft(self, request: DraftRequest) -> Draft:
        if request.task == "generate":
            document, assumptions, warnings = generate(request.text)
        elif request.task == "refine":
            if request.document is None:
                raise OfflineGenerationError("Nothing to refine: give the definition to change.")
            document, assumptions, warnings = refine(request.document, request.text)
        else:
            raise OfflineGenerationError(f"Unknown task `{request.task}`: use generate or refine.")
        return Draft(document=document, raw=json.dumps(document, ensure_ascii=False),
                     assumptions=tuple(assumptions), warnings=tuple(warnings))
