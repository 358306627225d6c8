"""Collects diagnostics while a definition is compiled, placing each one in the document."""

from __future__ import annotations

from apiary.definition.diagnostics import Diagnostic, Path, Severity
from apiary.definition.source import Positions


class Report:
    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.diagnostics: list[Diagnostic] = []

    def error(self, code: str, message: str, path: Path, hint: str | None = None) -> None:
        self.diagnostics.append(self.positions.diagnostic(code, message, path, hint))

    def warning(self, code: str, message: str, path: Path, hint: str | None = None) -> None:
        self.diagnostics.append(
            self.positions.diagnostic(code, message, path, hint, severity=Severity.WARNING))

    def error_at(self, code: str, message: str, path: Path, offset: int, text: str,
                 hint: str | None = None) -> None:
        """An error inside the expression text at ``path``, at character ``offset``."""
        line, column = self.positions.locate_offset(path, offset, text)
        self.diagnostics.append(Diagnostic(code=code, message=message, path=path, hint=hint,
                                           file=self.positions.file, line=line, column=column))

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)
