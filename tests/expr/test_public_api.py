from __future__ import annotations

import ast
from pathlib import Path

import apiary.expr
from apiary.expr import ExprError, ExprSyntaxError, parse
from apiary.expr.errors import CODES

PUBLIC = {"parse", "check", "compile_python", "compile_sql", "sql_support", "Expr", "Type",
          "Scope", "EvalContext", "CheckResult", "ExprError", "ExprSyntaxError"}
PACKAGE = Path(apiary.expr.__file__).parent


def test_exports_exactly_the_public_api() -> None:
    assert set(apiary.expr.__all__) == PUBLIC
    assert all(hasattr(apiary.expr, name) for name in PUBLIC)


def test_syntax_errors_are_expression_errors() -> None:
    assert issubclass(ExprSyntaxError, ExprError)
    try:
        parse("a ==")
    except ExprError as error:
        assert str(error).startswith("APY-E301: the expression ends after '=='")
        assert error.args == (error.message,)
    else:
        raise AssertionError("no error")


def test_error_codes_are_stable_and_in_the_300_range() -> None:
    assert sorted(CODES) == [f"APY-E3{n:02d}" for n in range(1, 11)]


def test_no_dynamic_evaluation_and_no_engine_imports() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile", "getattr", "__import__"}, (
                    path.name)
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("apiary.engine", "apiary.storage",
                                                   "apiary.api", "apiary.web")), path.name


def test_modules_stay_small() -> None:
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 420, path.name
