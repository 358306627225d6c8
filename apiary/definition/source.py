"""Read a definition document into plain data while remembering where every node came from.

YAML (and JSON, which is read by the same composer) is composed into nodes, never constructed
with PyYAML's resolvers: scalars are typed by the YAML 1.2 core rules (so ``no`` stays a string,
the "Norway problem"), duplicate keys are errors, and each node's line and column is kept in a
``Positions`` map keyed by its path so that any later diagnostic can point at the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

from apiary.definition.diagnostics import DefinitionError, Diagnostic, Path

MAX_BYTES = 2 * 1024 * 1024
"""A definition is a readable document; anything larger is a mistake or an attack."""
MAX_NODES = 100_000
MAX_DEPTH = 64

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}

try:
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass
class Positions:
    """Path -> (line, column), both 1-based, for every key and value in the document."""

    file: str
    spots: dict[Path, tuple[int, int]] = field(default_factory=dict)
    scalars: dict[Path, tuple[int, int, str]] = field(default_factory=dict)
    """Where each scalar value itself starts, and its YAML style (for expression offsets)."""

    def locate_offset(self, path: Path, offset: int, text: str) -> tuple[int | None, int | None]:
        """The position of character ``offset`` inside the scalar at ``path``."""
        if path not in self.scalars:
            return self.locate(path)
        line, column, style = self.scalars[path]
        if style in ("|", ">"):
            before = text[:offset]
            return line + 1 + before.count("\n"), None
        if style in ("'", '"'):
            column += 1
        return line, column + offset

    def locate(self, path: Path) -> tuple[int | None, int | None]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while True:
            if probe in self.spots:
                return self.spots[probe]
            if not probe:
                return None, None
            probe = probe[:-1]

    def diagnostic(self, code: str, message: str, path: Path, hint: str | None = None,
                   **kwargs: Any) -> Diagnostic:
        line, column = self.locate(path)
        return Diagnostic(code=code, message=message, path=path, hint=hint, file=self.file,
                          line=line, column=column, **kwargs)


@dataclass
class Document:
    data: Any
    positions: Positions
    text: str


def read_file(path: str | FsPath) -> Document:
    """Read and parse a definition file; raises DefinitionError naming the file."""
    p = FsPath(path)
    name = str(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise _error(name, "APY-E101", f"the file is {size:,} bytes; a definition may be at "
                         f"most {MAX_BYTES:,}", "split very large apps or remove generated data")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise _error(name, "APY-E100", "file not found", "check the path") from None
    except IsADirectoryError:
        raise _error(name, "APY-E100", "this is a directory, not a definition file",
                     "pass the .yaml or .json file itself") from None
    except PermissionError:
        raise _error(name, "APY-E100", "permission denied reading the file", None) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(name, "APY-E101", f"the file is not UTF-8 text (byte {exc.start})",
                     "save the definition as UTF-8") from None
    return parse_text(text, name)


def parse_text(text: str, file: str = "<definition>") -> Document:
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise _error(file, "APY-E101", f"the document is larger than {MAX_BYTES:,} bytes", None)
    if "\x00" in text:
        raise _error(file, "APY-E101", "the document contains NUL bytes; it is not text", None)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid syntax"
        raise DefinitionError([Diagnostic(
            code="APY-E102", message=f"the document is not valid YAML/JSON: {problem}",
            file=file, line=line, column=col,
            hint="check indentation and quoting near this line")]) from None
    except yaml.YAMLError as exc:
        raise _error(file, "APY-E102", f"the document is not valid YAML/JSON: {exc}",
                     None) from None
    except RecursionError:
        raise _error(file, "APY-E103", "the document is nested too deeply", None) from None
    positions = Positions(file)
    if node is None:
        raise _error(file, "APY-E104", "the document is empty",
                     "start with `app:` and `entities:`; see docs/definition.md")
    builder = _Builder(positions)
    data = builder.build(node, ())
    if builder.problems:
        raise DefinitionError(builder.problems)
    return Document(data=data, positions=positions, text=text)


def _error(file: str, code: str, message: str, hint: str | None) -> DefinitionError:
    return DefinitionError([Diagnostic(code=code, message=message, file=file, hint=hint)])


class _Builder:
    """Turns composed YAML nodes into dicts, lists and scalars, recording positions."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.count = 0
        self.problems: list[Diagnostic] = []

    def build(self, node: yaml.Node, path: Path, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _error(self.positions.file, "APY-E103",
                         f"the document has more than {MAX_NODES:,} nodes", None)
        if depth > MAX_DEPTH:
            message = f"the document is nested deeper than {MAX_DEPTH} levels"
            raise DefinitionError([self._at(node, path, "APY-E103", message, None)])
        self.positions.spots.setdefault(path, (node.start_mark.line + 1,
                                               node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(self._at(key_node, path, "APY-E105",
                                                  "a key must be a plain name", None))
                    continue
                key = str(key_node.value)
                if key == "<<":
                    self.problems.append(self._at(key_node, path, "APY-E105",
                                                  "YAML merge keys (`<<`) are not supported",
                                                  "write the keys out"))
                    continue
                child = (*path, key)
                if key in out:
                    self.problems.append(self._at(key_node, child, "APY-E106",
                                                  f"`{key}` is defined twice",
                                                  "remove or rename one of them"))
                    continue
                self.positions.spots[child] = (key_node.start_mark.line + 1,
                                               key_node.start_mark.column + 1)
                out[key] = self.build(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        self.positions.scalars[path] = (node.start_mark.line + 1, node.start_mark.column + 1,
                                        node.style or "")
        return _scalar(node)

    def _at(self, node: yaml.Node, path: Path, code: str, message: str,
            hint: str | None) -> Diagnostic:
        return Diagnostic(code=code, message=message, path=path, hint=hint,
                          file=self.positions.file, line=node.start_mark.line + 1,
                          column=node.start_mark.column + 1)


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.style in ("'", '"', "|", ">"):
        return value
    if node.tag == "tag:yaml.org,2002:str":
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value) and any(ch.isdigit() for ch in value):
        return float(value)
    return value
