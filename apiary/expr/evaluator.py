"""The Python back end: a checked tree becomes nested closures, built once.

``compile_python`` is called by the definition compiler for computed fields, validation rules,
workflow guards and permission rules; the engine then calls the returned function for each record.
Each node becomes one closure specialised for its operator and types, so an evaluation is a few
plain function calls: no tree walk, no ``eval``, no attribute access on Python objects. Subtrees
that read neither the record nor the context are evaluated once, here.

Null rules (shared with the SQL back end): ``==``/``!=`` treat null as a value; ordering, ``in``
and the string predicates are false when an operand is null; arithmetic and other functions give
null; a null condition counts as false.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from apiary.expr import arith, ast
from apiary.expr.checker import check
from apiary.expr.context import EvalContext
from apiary.expr.functions import FUNCTIONS
from apiary.expr.types import Kind, Scope, Type

Record = Mapping[str, Any]
Fn = Callable[[Record, EvalContext], Any]

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_ARITHMETIC: dict[tuple[str, Kind], Callable[[Any, Any], Any]] = {
    ("+", Kind.INT): operator.add, ("-", Kind.INT): operator.sub,
    ("*", Kind.INT): operator.mul, ("/", Kind.INT): arith.int_div, ("%", Kind.INT): arith.int_mod,
    ("+", Kind.DECIMAL): arith.decimal_add, ("-", Kind.DECIMAL): arith.decimal_sub,
    ("*", Kind.DECIMAL): arith.decimal_mul, ("/", Kind.DECIMAL): arith.decimal_div,
    ("+", Kind.STRING): operator.add,
}


def compile_python(tree: ast.Expr, scope: Scope) -> Fn:
    """A function ``(record, context) -> value`` for ``tree``.

    Raises the first :class:`ExprError` if the expression does not check. A boolean expression's
    function returns True or False, never None (a null result counts as false).
    """
    result = check(tree, scope)
    if result.errors:
        raise result.errors[0]
    fn = Closures(result.node_types, result.node_deps).value(tree)
    if result.type.kind is Kind.BOOL:
        return _condition(fn)
    return fn


def _constant(value: Any) -> Fn:
    return lambda record, ctx: value


def _condition(fn: Fn) -> Fn:
    return lambda record, ctx: fn(record, ctx) is True


def _strict(op: Callable[[Any, Any], Any], left: Fn, right: Fn) -> Fn:
    """``op(a, b)``, or None when either operand is null."""

    def run(record: Record, ctx: EvalContext) -> Any:
        a = left(record, ctx)
        if a is None:
            return None
        b = right(record, ctx)
        return None if b is None else op(a, b)

    return run


def _to_decimal(fn: Fn) -> Fn:
    def run(record: Record, ctx: EvalContext) -> Any:
        value = fn(record, ctx)
        return Decimal(value) if type(value) is int else value

    return run


class Closures:
    """Builds the closure for each node; also used by the SQL compiler to fold constants."""

    def __init__(self, types: dict[int, Type], deps: dict[int, int]) -> None:
        self._types = types
        self._deps = deps

    def type_of(self, node: ast.Expr) -> Type:
        return self._types[id(node)]

    def value(self, node: ast.Expr) -> Fn:
        if self.type_of(node).kind is Kind.NULL:
            return _constant(None)
        fn = self._build(node)
        if self._deps[id(node)] == 0 and not isinstance(node, ast.Literal):
            return _constant(fn({}, _NO_CONTEXT))
        return fn

    def condition(self, node: ast.Expr) -> Fn:
        fn = self.value(node)
        if isinstance(node, ast.Binary | ast.Logical) or (
                isinstance(node, ast.Unary) and node.op == "!"):
            return fn
        return _condition(fn)

    def _build(self, node: ast.Expr) -> Fn:
        if isinstance(node, ast.Literal):
            return _constant(node.value)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Member):
            return _USER[node.name]
        if isinstance(node, ast.ListLit):
            return self._list(node)
        if isinstance(node, ast.Unary):
            return self._unary(node)
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Logical):
            return self._logical(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        assert isinstance(node, ast.Conditional)
        cond, then, otherwise = (self.condition(node.cond), self.value(node.then),
                                 self.value(node.otherwise))
        fn: Fn = lambda r, c: then(r, c) if cond(r, c) is True else otherwise(r, c)  # noqa: E731
        return self._promote(fn, node, node.then, node.otherwise)

    def _promote(self, fn: Fn, node: ast.Expr, *parts: ast.Expr) -> Fn:
        """Make an INT that flows into a DECIMAL result a Decimal, so results have one type."""
        if self.type_of(node).kind is Kind.DECIMAL and any(
                self.type_of(p).kind is Kind.INT for p in parts):
            return _to_decimal(fn)
        return fn

    def _name(self, node: ast.Name) -> Fn:
        name = node.name
        if name == "now":
            return lambda r, c: c.now_utc
        if name == "today":
            return lambda r, c: c.today
        kind = self.type_of(node).kind
        if kind is Kind.DATETIME:
            def moment(r: Record, c: EvalContext) -> Any:
                value = r.get(name)
                return None if value is None else arith.naive_utc(value)
            return moment
        if kind is Kind.DECIMAL:
            def number(r: Record, c: EvalContext) -> Any:
                value = r.get(name)
                return Decimal(repr(value)) if type(value) is float else value
            return number
        if kind is Kind.BOOL:
            def flag(r: Record, c: EvalContext) -> Any:
                value = r.get(name)
                return None if value is None else bool(value)
            return flag
        return lambda r, c: r.get(name)

    def _list(self, node: ast.ListLit) -> Fn:
        items = [self.value(item) for item in node.items]
        return lambda r, c: tuple(item(r, c) for item in items)

    def _unary(self, node: ast.Unary) -> Fn:
        if node.op == "!":
            operand = self.value(node.operand)
            return lambda r, c: operand(r, c) is not True
        operand = self.value(node.operand)

        def negate(r: Record, c: EvalContext) -> Any:
            value = operand(r, c)
            return None if value is None else -value

        return negate

    def _binary(self, node: ast.Binary) -> Fn:
        left, right = self.value(node.left), self.value(node.right)
        op = node.op
        if op == "==":
            return lambda r, c: left(r, c) == right(r, c)
        if op == "!=":
            return lambda r, c: left(r, c) != right(r, c)
        if op in _ORDER:
            compare = _ORDER[op]

            def order(r: Record, c: EvalContext) -> bool:
                a = left(r, c)
                if a is None:
                    return False
                b = right(r, c)
                return b is not None and compare(a, b)

            return order
        if op == "in":
            return self._membership(node, left, right)
        return _strict(_ARITHMETIC[op, self.type_of(node).kind], left, right)

    def _membership(self, node: ast.Binary, left: Fn, right: Fn) -> Fn:
        if self._deps[id(node.right)] == 0:
            items = right({}, _NO_CONTEXT)
            choices = frozenset(v for v in items if v is not None) if items is not None else None

            def among(r: Record, c: EvalContext) -> bool:
                value = left(r, c)
                return value is not None and choices is not None and value in choices

            return among

        def member(r: Record, c: EvalContext) -> bool:
            value = left(r, c)
            if value is None:
                return False
            values = right(r, c)
            return values is not None and value in values

        return member

    def _logical(self, node: ast.Logical) -> Fn:
        parts = [self.condition(operand) for operand in node.operands]
        if len(parts) == 2:
            a, b = parts
            if node.op == "&&":
                return lambda r, c: a(r, c) is True and b(r, c) is True
            return lambda r, c: a(r, c) is True or b(r, c) is True
        if node.op == "&&":
            return lambda r, c: all(part(r, c) is True for part in parts)
        return lambda r, c: any(part(r, c) is True for part in parts)

    def _call(self, node: ast.Call) -> Fn:
        function = FUNCTIONS[node.name]
        impl = function.python
        args = [self.value(arg) for arg in node.args]
        fn: Fn
        if function.on_null == "custom":
            fn = lambda r, c: impl(*(arg(r, c) for arg in args))  # noqa: E731
        else:
            fallback = False if function.on_null == "false" else None
            if len(args) == 1:
                (only,) = args

                def one(r: Record, c: EvalContext) -> Any:
                    value = only(r, c)
                    return fallback if value is None else impl(value)

                fn = one
            else:
                def many(r: Record, c: EvalContext) -> Any:
                    values = [arg(r, c) for arg in args]
                    return fallback if None in values else impl(*values)

                fn = many
        return self._promote(fn, node, *node.args)


_USER: dict[str, Fn] = {
    "id": lambda r, c: c.user_id,
    "email": lambda r, c: c.user_email,
    "roles": lambda r, c: c.user_roles,
}

_NO_CONTEXT: Any = None
"""Stands in for the context when folding subtrees that cannot read it."""
