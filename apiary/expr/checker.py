"""Static checking: names, function calls and types, reporting every problem found.

``check`` is what the definition compiler calls for each expression in a definition. It never
raises for a user's mistake; problems come back as :class:`ExprError` values with positions and
hints. The per-node types it computes are kept on the result for the two back ends (they are not
part of the public API), which call ``check`` themselves so that they can never compile an
expression that does not check.
A node whose type could not be worked out is recorded as unknown and errors about it are not
repeated further up the tree.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from apiary.expr import ast
from apiary.expr import errors as codes
from apiary.expr.errors import ExprError
from apiary.expr.functions import FUNCTIONS
from apiary.expr.types import TIME_NAMES, USER_MEMBERS, Kind, Scope, Type, unify

INT64 = (-(2**63), 2**63 - 1)
ORDERED = frozenset({Kind.INT, Kind.DECIMAL, Kind.STRING, Kind.DATE, Kind.DATETIME, Kind.NULL})
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%"})
_WRITE_AS = {
    Kind.DATE: "write a date as date('2026-01-31')",
    Kind.DATETIME: "write a date-time as datetime('2026-01-31T09:30:00Z')",
}


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found.

    ``type`` is the expression's static type (Type.NULL when it has errors); ``errors`` lists
    every problem; ``names`` are the record fields it reads (for indexes and the order in which
    computed fields are evaluated); ``uses_time``/``uses_user`` say whether it reads
    ``now``/``today`` or ``user``, i.e. whether its value can change without the record changing.
    """

    type: Type
    errors: list[ExprError]
    names: frozenset[str]
    uses_time: bool
    uses_user: bool = False
    node_types: dict[int, Type] = field(default_factory=dict, repr=False, compare=False)
    node_deps: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    """For the back ends: each node's type and ``ast.dependencies``, keyed by ``id(node)``."""

    @property
    def ok(self) -> bool:
        return not self.errors


def check(tree: ast.Expr, scope: Scope) -> CheckResult:
    """Type ``tree`` against ``scope`` and report every problem."""
    checker = _Checker(scope)
    result = checker.visit(tree)
    return CheckResult(
        type=result if result is not None and not checker.errors else Type.NULL,
        errors=checker.errors, names=frozenset(checker.names), uses_time=checker.uses_time,
        uses_user=checker.uses_user, node_types=checker.types,
        node_deps=ast.dependencies(tree))


def _suggest(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(repr(v) for v in values)


class _Checker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.errors: list[ExprError] = []
        self.names: set[str] = set()
        self.types: dict[int, Type] = {}
        self.uses_time = False
        self.uses_user = False

    def error(self, code: str, message: str, node: ast.Expr, hint: str | None = None) -> None:
        self.errors.append(ExprError(message, node.offset, node.length, hint, code))

    def visit(self, node: ast.Expr) -> Type | None:
        result = self._visit(node)
        if result is not None:
            self.types[id(node)] = result
        return result

    def _visit(self, node: ast.Expr) -> Type | None:
        if isinstance(node, ast.Literal):
            return self._literal(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Member):
            return self._member(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.ListLit):
            return self._list(node)
        if isinstance(node, ast.Unary):
            return self._unary(node)
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Logical):
            for operand in node.operands:
                self._condition(operand, f"both sides of {node.op}")
            return Type.BOOL
        assert isinstance(node, ast.Conditional)
        return self._conditional(node)

    def _literal(self, node: ast.Literal) -> Type | None:
        value = node.value
        if value is None:
            return Type.NULL
        if isinstance(value, bool):
            return Type.BOOL
        if isinstance(value, int):
            if not INT64[0] <= value <= INT64[1]:
                self.error(codes.BAD_CONSTANT, "this number is too large", node,
                           "whole numbers must lie between -2^63 and 2^63-1")
                return None
            return Type.INT
        return Type.DECIMAL if isinstance(value, Decimal) else Type.STRING

    def _name(self, node: ast.Name) -> Type | None:
        name = node.name
        if name == "user":
            self.error(codes.NO_MEMBER, "`user` on its own is not a value", node,
                       "use user.id, user.email or user.roles")
            return None
        if name in TIME_NAMES:
            self.uses_time = True
            if not self.scope.allow_time:
                self.error(codes.NOT_ALLOWED, f"`{name}` cannot be used here", node,
                           "this expression must not change with the time of day")
                return None
            return TIME_NAMES[name]
        if name in self.scope.fields:
            self.names.add(name)
            return self.scope.fields[name]
        known = list(self.scope.fields)
        known += ["now", "today"] if self.scope.allow_time else []
        known += ["user"] if self.scope.allow_user else []
        hint = _suggest(name, known)
        if hint is None and self.scope.fields:
            hint = "known fields: " + ", ".join(sorted(self.scope.fields))
        self.error(codes.UNKNOWN_NAME, f"unknown name `{name}`", node, hint)
        return None

    def _member(self, node: ast.Member) -> Type | None:
        target = node.target
        if isinstance(target, ast.Name) and target.name == "user":
            self.uses_user = True
            if not self.scope.allow_user:
                self.error(codes.NOT_ALLOWED, "`user` cannot be used here", node,
                           "this expression must not depend on who is looking")
                return None
            if node.name in USER_MEMBERS:
                return USER_MEMBERS[node.name]
            hint = _suggest(node.name, USER_MEMBERS) or "use user.id, user.email or user.roles"
            self.error(codes.NO_MEMBER, f"user has no `{node.name}`", node, hint)
            return None
        if isinstance(target, ast.Name) and target.name in self.scope.fields:
            self.names.add(target.name)
            self.error(codes.NO_MEMBER,
                       f"following a reference (`{target.name}.{node.name}`) is not supported yet",
                       node, f"compare the reference itself, e.g. `{target.name} == user.id`")
            return None
        if self.visit(target) is not None:
            self.error(codes.NO_MEMBER, f"`.{node.name}` cannot be used here", node,
                       "only user.id, user.email and user.roles use a dot")
        return None

    def _call(self, node: ast.Call) -> Type | None:
        types = [self.visit(arg) for arg in node.args]
        function = FUNCTIONS.get(node.name)
        shown = ast.Name(name=node.name, offset=node.name_offset, length=len(node.name))
        if function is None:
            self.error(codes.UNKNOWN_FUNCTION, f"unknown function `{node.name}`", shown,
                       _suggest(node.name, FUNCTIONS) or "see the function list in the docs")
            return None
        if function.style == "global" and node.method:
            self.error(codes.UNKNOWN_FUNCTION, f"`{node.name}` is not a method", shown,
                       f"write it as {function.signature.split(' ->')[0]}")
            return None
        if function.style == "method" and not node.method:
            self.error(codes.UNKNOWN_FUNCTION, f"`{node.name}` is a method", shown,
                       f"write it as {function.signature.split(' ->')[0]}")
            return None
        low, high = function.arity
        count, shift = len(node.args), (1 if node.method else 0)
        if count < low or (high is not None and count > high):
            wanted = str(low - shift) if low == high else f"at least {low - shift}"
            self.error(codes.UNKNOWN_FUNCTION,
                       f"`{node.name}` takes {wanted} argument{'s' if wanted != '1' else ''} "
                       f"but was given {count - shift}", node, f"usage: {function.signature}")
            return None
        if any(t is None for t in types):
            return None
        known = [t for t in types if t is not None]
        result = function.typer(known)
        if result is None:
            got = ", ".join(str(t) for t in known)
            self.error(codes.TYPE_MISMATCH, f"`{node.name}` cannot be used with ({got})", node,
                       f"usage: {function.signature}")
            return None
        problem = function.literals(node.args, known) if function.literals else None
        if problem is not None:
            index, text = problem
            self.error(codes.BAD_CONSTANT, f"argument {index + 1 - shift} of `{node.name}` {text}",
                       node.args[index], f"usage: {function.signature}")
            return None
        return result

    def _list(self, node: ast.ListLit) -> Type | None:
        element: Type | None = Type.NULL
        for item in node.items:
            item_type = self.visit(item)
            if item_type is None or element is None:
                element = None
                continue
            common = unify(element, item_type)
            if common is None or common.kind in (Kind.LIST, Kind.USER):
                self.error(codes.TYPE_MISMATCH,
                           f"list items must all have one type, but this {item_type} follows "
                           f"a {element}", item)
                return None
            element = common
        return None if element is None else Type.list_of(element)

    def _condition(self, node: ast.Expr, where: str) -> None:
        found = self.visit(node)
        if found is not None and found.kind not in (Kind.BOOL, Kind.NULL):
            self.error(codes.TYPE_MISMATCH, f"{where} must be true or false, not a {found}", node,
                       "compare it with something, e.g. `x == 1`")

    def _unary(self, node: ast.Unary) -> Type | None:
        if node.op == "!":
            self._condition(node.operand, "the value after !")
            return Type.BOOL
        found = self.visit(node.operand)
        if found is None or found.is_numeric or found.kind is Kind.NULL:
            return found
        self.error(codes.TYPE_MISMATCH, f"cannot negate a {found}", node)
        return None

    def _conditional(self, node: ast.Conditional) -> Type | None:
        self._condition(node.cond, "the condition before ?")
        then, otherwise = self.visit(node.then), self.visit(node.otherwise)
        if then is None or otherwise is None:
            return None
        common = unify(then, otherwise)
        if common is None or common.kind is Kind.USER:
            self.error(codes.TYPE_MISMATCH, f"the two results of ?: must have one type, not "
                       f"{then} and {otherwise}", node)
        return common

    def _binary(self, node: ast.Binary) -> Type | None:
        left, right = self.visit(node.left), self.visit(node.right)
        if left is None or right is None:
            return None
        if node.op in _ARITHMETIC:
            return self._arithmetic(node, left, right)
        if node.op == "in":
            return self._membership(node, left, right)
        return self._comparison(node, left, right)

    def _arithmetic(self, node: ast.Binary, left: Type, right: Type) -> Type | None:
        op, kinds = node.op, {left.kind, right.kind}
        if kinds <= {Kind.INT, Kind.NULL}:
            return Type.NULL if kinds == {Kind.NULL} else Type.INT
        if kinds <= {Kind.INT, Kind.DECIMAL, Kind.NULL} and op != "%":
            return Type.DECIMAL
        if op == "+" and kinds <= {Kind.STRING, Kind.NULL}:
            return Type.STRING
        hint = None
        if op == "%" and Kind.DECIMAL in kinds:
            hint = "% works on whole numbers only"
        elif op in "+-" and kinds & {Kind.DATE, Kind.DATETIME}:
            hint = ("use days_between(a, b) for the days between two dates" if op == "-"
                    and left.kind is right.kind else "use add_days(date, n) to move a date")
        elif op == "+" and Kind.STRING in kinds:
            hint = "only text can be joined to text with +"
        self.error(codes.TYPE_MISMATCH, f"cannot use {op} with {left} and {right}", node, hint)
        return None

    def _membership(self, node: ast.Binary, left: Type, right: Type) -> Type | None:
        if right.kind is Kind.NULL:
            return Type.BOOL
        if right.kind is not Kind.LIST:
            hint = "to look for text inside text use text.contains(part)" if (
                right.kind is Kind.STRING) else "write the values as a list: x in ['a', 'b']"
            self.error(codes.TYPE_MISMATCH, f"`in` needs a list on its right, not a {right}",
                       node.right, hint)
            return None
        assert right.element is not None
        if self._comparable(node, left, right.element, "look for", " in a list of"):
            items = node.right.items if isinstance(node.right, ast.ListLit) else ()
            for item in items:
                self._enum_literal(left, item)
        return Type.BOOL

    def _comparison(self, node: ast.Binary, left: Type, right: Type) -> Type | None:
        if not self._comparable(node, left, right, "compare", " with"):
            return Type.BOOL
        if node.op in ("==", "!="):
            self._enum_literal(left, node.right)
            self._enum_literal(right, node.left)
            return Type.BOOL
        kind = unify(left, right)
        assert kind is not None
        if kind.kind not in ORDERED:
            self.error(codes.TYPE_MISMATCH, f"{kind} values have no order, so {node.op} cannot "
                       "be used", node, "use == or != instead")
        elif left.enum_values or right.enum_values:
            self.error(codes.TYPE_MISMATCH, f"choice values have no order, so {node.op} cannot "
                       "be used", node, "list the wanted values: x in ['a', 'b']")
        return Type.BOOL

    def _comparable(self, node: ast.Binary, left: Type, right: Type, verb: str,
                    joiner: str) -> bool:
        common = unify(left, right)
        if Kind.JSON in (left.kind, right.kind) and Kind.NULL not in (left.kind, right.kind):
            self.error(codes.TYPE_MISMATCH, "json values can only be compared with null", node)
            return False
        if common is not None and common.kind not in (Kind.LIST, Kind.USER):
            return True
        hint = None
        if {left.kind, right.kind} & _WRITE_AS.keys() and Kind.STRING in (left.kind, right.kind):
            hint = _WRITE_AS[left.kind if left.kind in _WRITE_AS else right.kind]
        elif Kind.LIST in (left.kind, right.kind):
            hint = "use `in` to look for a value in a list"
        self.error(codes.TYPE_MISMATCH, f"cannot {verb} {left}{joiner} {right}", node, hint)
        return False

    def _enum_literal(self, declared: Type, node: ast.Expr) -> None:
        values = declared.enum_values
        if not values or not isinstance(node, ast.Literal) or not isinstance(node.value, str):
            return
        if node.value in values:
            return
        close = _suggest(node.value, values)
        allowed = f"allowed values: {_quoted(values)}"
        self.error(codes.UNKNOWN_ENUM_VALUE, f"{node.value!r} is not one of the allowed values",
                   node, f"{close} ({allowed})" if close else allowed)
