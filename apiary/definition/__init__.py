"""Definition documents: load, validate, compile, describe.

    compile_file(path) -> CompiledApp          raises DefinitionError listing every problem
    compile_text(text) / compile_data(data)    the same from text or from loaded data
    check_file(path) -> list[Diagnostic]       every problem and warning, for `apiary validate`
    diff(before, after) -> DefinitionDiff      what changed between two documents, semantically
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apiary.definition.compiled import CompiledApp
from apiary.definition.compiler import compile_document
from apiary.definition.describe import describe, describe_text
from apiary.definition.diagnostics import DefinitionError, Diagnostic, Severity
from apiary.definition.diff import DefinitionDiff, diff
from apiary.definition.schema import definition_schema
from apiary.definition.source import parse_text, read_file

__all__ = [
    "CompiledApp",
    "DefinitionDiff",
    "DefinitionError",
    "Diagnostic",
    "Severity",
    "check_file",
    "check_text",
    "compile_data",
    "compile_file",
    "compile_text",
    "definition_schema",
    "describe",
    "describe_text",
    "diff",
]


def check_text(text: str, filename: str = "<definition>") -> list[Diagnostic]:
    try:
        doc = parse_text(text, filename)
    except DefinitionError as exc:
        return exc.diagnostics
    return compile_document(doc)[1]


def check_file(path: str | Path) -> list[Diagnostic]:
    try:
        doc = read_file(path)
    except DefinitionError as exc:
        return exc.diagnostics
    return compile_document(doc)[1]


def compile_text(text: str, filename: str = "<definition>") -> CompiledApp:
    app, diagnostics = compile_document(parse_text(text, filename))
    if app is None:
        raise DefinitionError(diagnostics)
    return app


def compile_data(data: Any, source: str = "<definition>") -> CompiledApp:
    """Compile a document already loaded as plain data (e.g. a version kept in the database)."""
    return compile_text(json.dumps(data, default=str), source)


def compile_file(path: str | Path) -> CompiledApp:
    app, diagnostics = compile_document(read_file(path))
    if app is None:
        raise DefinitionError(diagnostics)
    return app
