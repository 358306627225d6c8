"""Definition problems as data: every problem has a stable code, a place, a message and a hint.

The validator never stops at the first problem; it collects ``Diagnostic`` values and the CLI, the
API and the generator's repair loop all read the same list. Codes are explained in docs/errors.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from apiary.errors import ApiaryError

Path = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    path: Path = ()
    hint: str | None = None
    severity: Severity = Severity.ERROR
    file: str = "<definition>"
    line: int | None = None
    column: int | None = None

    @property
    def dotted_path(self) -> str:
        return format_path(self.path)

    def render(self) -> str:
        """One line per problem, ``file:line:col: error APY-E201 at path: message (hint)``."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity} {self.code}"
        if self.path:
            text += f" at {self.dotted_path}"
        text += f": {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "hint": self.hint,
            "path": self.dotted_path,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A ``did you mean`` hint when a close match exists, else the list of choices when short."""
    options = sorted(set(candidates))
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if not options:
        return None
    if len(options) <= 8:
        return "expected one of: " + ", ".join(f"`{o}`" for o in options)
    return None


class DefinitionError(ApiaryError):
    """A definition could not be loaded or compiled; ``diagnostics`` lists every problem."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity is Severity.ERROR]
        count = len(errors)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the definition:\n"
            + "\n".join(d.render() for d in errors)
        )
