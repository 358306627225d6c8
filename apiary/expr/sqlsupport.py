"""Which expressions can become SQL, decided before any SQL is generated.

``sql_support`` is what the definition compiler calls for filters and row-level rules, and
``compile_sql`` calls it too, so that an expression is either refused up front with an
APY-E306 explaining why, or compiles to SQL that both databases accept. Besides Python-only
functions and list fields, two limits of SQL itself are enforced here:

* size: a few SQL forms repeat an argument (PostgreSQL's null-propagating ``min``/``max``,
  SQLite's ``add_days`` on date-times...); nested in each other they would double the SQL at
  every level;
* nesting: SQLite's parser gives up after about 100 levels of its own stack, which nested
  function calls and ``CASE`` reach after 20 to 30 levels. The weights below are what each
  construct, as this package writes it, costs that stack (measured by the tests).
"""

from __future__ import annotations

import math

from apiary.expr import ast
from apiary.expr import errors as codes
from apiary.expr.checker import CheckResult, check
from apiary.expr.errors import ExprError
from apiary.expr.functions import FUNCTIONS
from apiary.expr.types import Kind, Scope, Type

MAX_REPETITION = 32
"""How many copies of one sub-expression the SQL may hold (see ``Function.sql_repeats``)."""

MAX_SQL_NESTING = 80.0
"""Budget of SQLite parser stack (100 entries), keeping room for the query around the clause."""

_CALL = 3.4
_WEIGHTS = {"operand": 1.2, "bracketed": 3.4, "decimal": 3.4, "division": 5.6, "not": 1.0,
            "negate": 2.2, "condition": 6.8, "branch": 4.6, "logical": 1.4}
FAN_OUT = 32
"""Long ``&&``/``||`` chains are written as bracketed groups of this many (see sqlcompiler)."""


def sql_support(tree: ast.Expr, scope: Scope) -> list[ExprError]:
    """The parts of ``tree`` that cannot become SQL (APY-E306); empty when it compiles.

    Type errors are not repeated here: ``check`` reports them.
    """
    return problems(tree, check(tree, scope))


def problems(tree: ast.Expr, result: CheckResult) -> list[ExprError]:
    """``sql_support`` for a tree already checked (``result``)."""
    types = result.node_types
    deps = result.node_deps
    found: list[ExprError] = []
    if result.type.kind is Kind.LIST:
        found.append(ExprError("a list cannot be computed in the database", tree.offset,
                                  tree.length, "use the list with `in`", codes.NOT_SQL))
    for node in ast.walk(tree):
        if not deps[id(node)] & ast.RECORD:
            continue
        if isinstance(node, ast.Call) and node.name in FUNCTIONS and (
                FUNCTIONS[node.name].sql is None):
            found.append(ExprError(
                f"`{node.name}` cannot be used in a database filter", node.offset, node.length,
                "use it in validation rules, or use contains/startsWith/endsWith here",
                codes.NOT_SQL))
        elif isinstance(node, ast.Name) and id(node) in types and (
                types[id(node)].kind is Kind.LIST):
            found.append(ExprError(
                f"the list field `{node.name}` cannot be used in a database filter",
                node.offset, node.length, None, codes.NOT_SQL))
    if found or result.errors:
        return found
    return _repetition(tree, deps) or _nesting(tree, types, deps)


def _repeats(node: ast.Expr, deps: dict[int, int]) -> dict[int, int]:
    """How many copies of each child (by index) the SQL of ``node`` holds, where more than one."""
    if isinstance(node, ast.Call):
        return dict.fromkeys(FUNCTIONS[node.name].sql_repeats, 2)
    # PostgreSQL rewrites `x IN (a, b)` with non-constant items into `x = a OR x = b`.
    if (isinstance(node, ast.Binary) and node.op == "in" and isinstance(node.right, ast.ListLit)
            and any(deps[id(item)] & ast.RECORD for item in node.right.items)):
        return {0: len(node.right.items)}
    return {}


def _repetition(tree: ast.Expr, deps: dict[int, int]) -> list[ExprError]:
    copies: dict[int, int] = {id(tree): 1}
    for node in ast.walk(tree):
        repeats = _repeats(node, deps)
        for index, child in enumerate(node.children()):
            folded = not deps[id(child)] & ast.RECORD
            count = copies[id(node)] * (repeats.get(index, 1) if not folded else 1)
            if count > MAX_REPETITION:
                return [ExprError(
                    "this expression repeats a part too often to run in the database (min, "
                    "max, add_days, startsWith, endsWith and `in` a list of fields repeat their "
                    "arguments)", node.offset, node.length,
                    "compute the inner part in a separate computed field", codes.NOT_SQL)]
            copies[id(child)] = count
    return []


def _child_weights(node: ast.Expr, types: dict[int, Type]) -> list[float]:
    """What each child of ``node`` adds to the SQL parser's stack."""
    children = node.children()
    w = _WEIGHTS
    if isinstance(node, ast.Binary):
        kind = types[id(node)].kind
        if kind is Kind.DECIMAL:
            return [w["division"] if node.op == "/" else w["decimal"]] * 2
        if kind in (Kind.INT, Kind.STRING):
            return [w["operand"], w["bracketed"]]
        return [w["bracketed"]] * 2
    if isinstance(node, ast.Logical):
        groups = max(0, math.ceil(math.log(len(children), FAN_OUT)) - 1)
        return [w["logical"] * (1 + groups)] * len(children)
    if isinstance(node, ast.Unary):
        return [w["not"] if node.op == "!" else w["negate"]]
    if isinstance(node, ast.Conditional):
        return [w["condition"], w["branch"], w["branch"]]
    if isinstance(node, ast.Call):
        return [_CALL * FUNCTIONS[node.name].sql_depth] * len(children)
    return [w["bracketed"]] * len(children)


def _nesting(tree: ast.Expr, types: dict[int, Type], deps: dict[int, int]) -> list[ExprError]:
    cost: dict[int, float] = {id(tree): 0.0}
    for node in ast.walk(tree):
        for child, weight in zip(node.children(), _child_weights(node, types), strict=True):
            if not deps[id(child)] & ast.RECORD:
                continue
            cost[id(child)] = cost[id(node)] + weight
            if cost[id(child)] > MAX_SQL_NESTING:
                return [ExprError(
                    "this expression is nested too deeply to run in the database", node.offset,
                    node.length, "compute the inner part in a separate computed field",
                    codes.NOT_SQL)]
    return []
