"""What goes wrong while a definition is written: the model's answers, or the model's server.

    GenerationError     no valid definition came out; ``diagnostics`` holds the validator's last
    │                   complaints and ``usages`` what the attempt cost, so both can be shown
    └── ProviderError   the server could not be asked: timeout, refused key, rate limit that
                        did not clear, an answer that is not the vendor's format
"""

from __future__ import annotations

from collections.abc import Sequence

from apiary.definition import Diagnostic
from apiary.errors import ApiaryError
from apiary.generation.provider import Usage


class GenerationError(ApiaryError):
    """No valid definition: the message says why, ``diagnostics`` lists what is still wrong."""

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = (),
                 usages: Sequence[Usage] = ()) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics)
        self.usages = list(usages)


class ProviderError(GenerationError):
    """The model's server could not be asked or did not answer in its documented format."""
