"""Turn pydantic's structural errors into diagnostics a business builder can act on."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from apiary.definition import format as fmt
from apiary.definition.diagnostics import Diagnostic, Path, did_you_mean
from apiary.definition.format import DefinitionSpec
from apiary.definition.source import Document

_TYPE_WORDS = {
    "string_type": "text", "int_type": "a whole number", "bool_type": "true or false",
    "float_type": "a number", "dict_type": "a mapping (key: value)", "list_type": "a list",
    "model_type": "a mapping (key: value)", "literal_error": "one of the allowed values",
}


def check_structure(doc: Document) -> tuple[DefinitionSpec | None, list[Diagnostic]]:
    try:
        return DefinitionSpec.model_validate(doc.data), []
    except ValidationError as exc:
        return None, [_diagnostic(doc, err) for err in exc.errors(include_url=False)]


def _diagnostic(doc: Document, err: Any) -> Diagnostic:
    path, model = _document_path(doc.data, tuple(err["loc"]))
    kind: str = err["type"]
    last = path[-1] if path else ""
    value = err.get("input")
    hint: str | None = None
    if kind == "extra_forbidden":
        code, message = "APY-E110", f"unknown key `{last}`"
        known = [f.alias or name for name, f in model.model_fields.items()] if model else []
        hint = did_you_mean(str(last), known)
    elif kind == "missing":
        code, message = "APY-E111", f"`{last}` is required here"
    elif kind in ("literal_error", "union_tag_invalid"):
        ctx = err.get("ctx", {})
        expected = ctx.get("expected", ctx.get("expected_tags", ""))
        code, message = "APY-E112", f"`{value if kind == 'literal_error' else err['ctx']['tag']}`" \
            " is not allowed here"
        choices = [c.strip(" '") for c in str(expected).replace(" or ", ",").split(",")
                   if c.strip(" '")]
        hint = did_you_mean(str(value if kind == "literal_error" else err["ctx"]["tag"]), choices)
    elif kind == "union_tag_not_found":
        code, message = "APY-E111", "`type` is required for a view"
        hint = "one of: list, detail, form, board, dashboard"
    elif kind in _TYPE_WORDS:
        code = "APY-E113"
        message = f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}"
    else:
        code, message = "APY-E113", f"{err['msg'][:1].lower()}{err['msg'][1:]}"
    line, column = doc.positions.locate(path)
    return Diagnostic(code=code, message=message, path=path, hint=hint, file=doc.positions.file,
                      line=line, column=column)


def _document_path(data: Any, loc: tuple[Any, ...]) -> tuple[Path, type[BaseModel] | None]:
    """Map pydantic's location to the document's path, dropping the union tags pydantic adds,
    and find the model that owns the last key (for did-you-mean on unknown keys)."""
    path: list[str | int] = []
    node = data
    view_type: str | None = None
    for i, part in enumerate(loc):
        is_last = i == len(loc) - 1
        if len(path) == 2 and path[0] == "views" and part in _VIEWS and not is_last:
            view_type = str(part)
            continue
        path.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(path), _owner(tuple(path[:-1]), view_type)


_VIEWS: dict[str, type[BaseModel]] = {
    "list": fmt.ListView, "detail": fmt.DetailView, "form": fmt.FormView,
    "board": fmt.BoardView, "dashboard": fmt.DashboardView,
}
_SHAPES: tuple[tuple[tuple[str | type, ...], type[BaseModel]], ...] = (
    ((), fmt.DefinitionSpec),
    (("app",), fmt.AppSpec),
    (("roles", "*"), fmt.RoleSpec),
    (("entities", "*"), fmt.EntitySpec),
    (("entities", "*", "fields", "*"), fmt.FieldSpec),
    (("entities", "*", "fields", "*", "access"), fmt.AccessSpec),
    (("entities", "*", "validations", int), fmt.ValidationSpec),
    (("entities", "*", "workflow"), fmt.WorkflowSpec),
    (("entities", "*", "workflow", "states", "*"), fmt.StateSpec),
    (("entities", "*", "workflow", "transitions", "*"), fmt.TransitionSpec),
    (("entities", "*", "permissions", "*"), fmt.PermissionSpec),
    (("views", "*", "widgets", int), fmt.WidgetSpec),
)


def _owner(parent: Path, view_type: str | None) -> type[BaseModel] | None:
    """The model describing the mapping at ``parent``."""
    if len(parent) == 2 and parent[0] == "views":
        return _VIEWS.get(view_type or "")
    for shape, model in _SHAPES:
        if len(shape) == len(parent) and all(
            want == got or want == "*" or (want is int and isinstance(got, int))
            for want, got in zip(shape, parent, strict=True)
        ):
            return model
    return None


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return f"`{text[:40]}{'…' if len(text) > 40 else ''}`"
