"""The expression language: one syntax tree, a Python evaluator and a SQL compiler.

Expressions are a documented subset of CEL (see ``docs/expressions.md``) used for computed fields,
validation rules, workflow guards, row-level permission rules and API list filters::

    tree = parse("priority == 'high' && assignee == user.id")
    result = check(tree, scope)            # every problem, the type, the fields read
    allowed = compile_python(tree, scope)  # (record, context) -> value
    clause = compile_sql(tree, scope, columns, context, "postgresql")
"""

from apiary.expr.ast import Expr
from apiary.expr.checker import CheckResult, check
from apiary.expr.context import EvalContext
from apiary.expr.errors import ExprError, ExprSyntaxError
from apiary.expr.evaluator import compile_python
from apiary.expr.parser import parse
from apiary.expr.sqlcompiler import compile_sql
from apiary.expr.sqlsupport import sql_support
from apiary.expr.types import Scope, Type

__all__ = [
    "CheckResult",
    "EvalContext",
    "Expr",
    "ExprError",
    "ExprSyntaxError",
    "Scope",
    "Type",
    "check",
    "compile_python",
    "compile_sql",
    "parse",
    "sql_support",
]
