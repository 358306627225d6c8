"""Compile an expression found in the document, reporting its problems at the right spot."""

from __future__ import annotations

from apiary.definition.compiled import CompiledExpr
from apiary.definition.diagnostics import Path
from apiary.definition.report import Report
from apiary.expr import ExprError, Scope, Type, check, compile_python, parse, sql_support
from apiary.expr.types import Kind


def compile_expression(report: Report, text: str, path: Path, scope: Scope, *,
                       want: Type | None = None, what: str = "expression",
                       need_sql: bool = False) -> CompiledExpr | None:
    """Parse, type-check and prepare one expression; None (with diagnostics) when it is wrong.

    ``want`` is the type the place requires (e.g. BOOL for a rule); ``need_sql`` marks places
    that run inside database queries (row-level rules, view filters), which must compile to SQL.
    """
    try:
        ast = parse(text)
    except ExprError as exc:
        _report(report, exc, path, text)
        return None
    result = check(ast, scope)
    for err in result.errors:
        _report(report, err, path, text)
    if result.errors:
        return None
    if want is not None and not accepts(want, result.type):
        report.error("APY-E304", f"this {what} must be {describe_type(want)}, but it gives "
                     f"{describe_type(result.type)}", path,
                     "compare values, e.g. `amount > 0` or `state == 'open'`"
                     if want == Type.BOOL else None)
        return None
    sql_ok = True
    problems = sql_support(ast, scope)
    if problems:
        sql_ok = False
        if need_sql:
            for err in problems:
                _report(report, err, path, text)
            return None
    return CompiledExpr(source=text, ast=ast, type=result.type, names=result.names,
                        uses_time=result.uses_time, evaluate=compile_python(ast, scope),
                        sql_ok=sql_ok)


def accepts(want: Type, got: Type) -> bool:
    """Whether a value of type ``got`` may be stored where ``want`` is expected."""
    if got == Type.NULL or got == want:
        return True
    if want == Type.DECIMAL and got == Type.INT:
        return True
    return want.kind is got.kind and want.kind is not Kind.LIST


def describe_type(t: Type) -> str:
    return "true or false" if t.kind is Kind.BOOL else f"a {t}"


def _report(report: Report, err: ExprError, path: Path, text: str) -> None:
    report.error_at(err.code, err.message, path, err.offset, text, err.hint)
