"""The SQL back end: a checked tree becomes a SQLAlchemy Core expression.

The storage and engine layers call ``compile_sql`` for list filters and row-level permission
rules. The result must select exactly the rows for which the Python evaluator says true, so the
compiler works around SQL's three-valued logic: every boolean fragment it produces is *definite*
(true or false, never NULL), using ``IS [NOT] DISTINCT FROM`` for ``==``/``!=`` and ``IS NOT
NULL`` guards for ordering, which keeps ``col < :x`` usable by an index, or ``COALESCE(x,
false)`` where no guard fits. Every fragment records whether it may be NULL so that guards are
only added where needed.

Anything that does not read the record (literals, ``user.*``, ``now``, ``today`` and whatever is
computed from them alone) is evaluated once in Python by the evaluator's closures and bound as a
parameter, so those parts agree with Python by construction.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.sql.elements import Case, Cast, Grouping, TypeCoerce
from sqlalchemy.sql.functions import FunctionElement

from apiary.expr import ast
from apiary.expr.checker import check
from apiary.expr.context import EvalContext
from apiary.expr.evaluator import Closures
from apiary.expr.functions import FUNCTIONS, Sql, SqlCall
from apiary.expr.sqlsupport import FAN_OUT, problems
from apiary.expr.types import Kind, Scope, Type

DIALECTS = ("sqlite", "postgresql")


class Columns(Protocol):
    """The columns ``compile_sql`` reads fields from: a ``Mapping`` or a ``Table.c``."""

    def __getitem__(self, key: str, /) -> Sql: ...

    def __contains__(self, key: str, /) -> bool: ...


_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def sql_type(t: Type) -> sa.types.TypeEngine[Any]:
    """The SQLAlchemy type used for parameters and results of type ``t``."""
    types: dict[Kind, sa.types.TypeEngine[Any]] = {
        Kind.BOOL: sa.Boolean(), Kind.INT: sa.BigInteger(), Kind.DECIMAL: sa.Numeric(),
        Kind.STRING: sa.String(), Kind.DATE: sa.Date(), Kind.DATETIME: sa.DateTime(),
    }
    return types.get(t.kind, sa.types.NullType())


def compile_sql(tree: ast.Expr, scope: Scope, columns: Mapping[str, Sql] | Columns,
                ctx: EvalContext, dialect: str) -> Sql:
    """A SQLAlchemy expression for ``tree`` over ``columns`` (field name -> column).

    ``dialect`` is "sqlite" or "postgresql". A boolean expression gives a definite boolean that is
    safe in WHERE and under NOT. Raises the first :class:`ExprError` if the expression does not
    check or cannot become SQL.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unsupported dialect {dialect!r}; expected one of {DIALECTS}")
    result = check(tree, scope)
    refused = result.errors or problems(tree, result)
    if refused:
        raise refused[0]
    missing = sorted(name for name in result.names if name not in columns)
    if missing:
        raise ValueError(f"no column given for field(s) {', '.join(missing)}")
    compiler = _Compiler(result.node_types, result.node_deps, columns, ctx, dialect)
    fragment = compiler.value(tree)
    if result.type.kind is Kind.BOOL:
        return compiler.definite(fragment)
    if fragment.constant and fragment.value is None:
        return sa.null()
    result_type = sa.Numeric(18, 4) if result.type.kind is Kind.DECIMAL else sql_type(result.type)
    if dialect == "postgresql" and not fragment.column and \
            not isinstance(result_type, sa.types.NullType):
        # PostgreSQL types a bare NULL (e.g. from CASE WHEN ... THEN NULL) as text; the cast
        # makes the value arrive with the type the checker promised.
        return sa.cast(fragment.expr, result_type)
    return sa.type_coerce(fragment.expr, result_type)


_MAX_BOUND_ITEMS = 1000


def _balanced(join: Callable[..., Sql], parts: list[Sql]) -> Sql:
    """``a OR b OR ...`` with long chains split into bracketed groups.

    SQLite parses a flat chain into a tree as deep as the chain is long and refuses more than
    1000 levels; groups of at most FAN_OUT keep the depth logarithmic. (SQLAlchemy would merge
    a bare bracketed group back into the chain; the type coercion keeps it separate.)
    """
    while len(parts) > FAN_OUT:
        parts = [sa.type_coerce(Grouping(join(*parts[i:i + FAN_OUT])), sa.Boolean)
                 for i in range(0, len(parts), FAN_OUT)]
    return join(*parts)


@dataclass(frozen=True, eq=False)
class _Frag:
    """A compiled node: its SQL, whether it may be NULL, and its value if it is a constant."""

    expr: Sql
    nullable: bool
    constant: bool = False
    value: Any = None
    column: bool = False
    """A bare column: an ``IS NOT NULL`` guard on it keeps a comparison usable by an index."""


_ATOMIC = (FunctionElement, Grouping, Case, Cast, TypeCoerce)
_FALSE = _Frag(sa.false(), False, True, False)
_TRUE = _Frag(sa.true(), False, True, True)
_NULL = _Frag(sa.null(), True, True, None)


class _Compiler:
    def __init__(self, types: dict[int, Type], deps: dict[int, int],
                 columns: Mapping[str, Sql] | Columns, ctx: EvalContext, dialect: str) -> None:
        self._types = types
        self._deps = deps
        self._columns = columns
        self._ctx = ctx
        self._pg = dialect == "postgresql"
        self._dialect = dialect
        self._closures = Closures(types, deps)

    def _type(self, node: ast.Expr) -> Type:
        return self._types[id(node)]

    def constant(self, value: Any, t: Type) -> _Frag:
        if value is None:
            return _NULL
        if t.kind is Kind.BOOL:
            return _Frag(sa.true() if value else sa.false(), False, True, value)
        if isinstance(value, bool | int | Decimal | str | date | datetime):
            return _Frag(sa.literal(value, sql_type(t)), False, True, value)
        return _Frag(sa.null(), False, True, value)

    def definite(self, frag: _Frag) -> Sql:
        """``frag`` as a boolean that is never NULL (NULL counts as false)."""
        if frag.constant:
            return sa.true() if frag.value is True else sa.false()
        if not frag.nullable:
            return frag.expr
        return sa.func.coalesce(frag.expr, sa.false(), type_=sa.Boolean)

    def value(self, node: ast.Expr) -> _Frag:
        if self._type(node).kind is Kind.NULL:
            # Always null (`b ? null : null`); an untyped NULL would confuse PostgreSQL.
            return _NULL
        if not self._deps[id(node)] & ast.RECORD:
            return self.constant(self._closures.value(node)({}, self._ctx), self._type(node))
        if isinstance(node, ast.Name):
            return _Frag(self._columns[node.name], True, column=True)
        if isinstance(node, ast.ListLit):
            return _Frag(sa.null(), False)
        if isinstance(node, ast.Unary):
            return self._unary(node)
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Logical):
            parts = [self.definite(self.value(operand)) for operand in node.operands]
            return _Frag(_balanced(sa.and_ if node.op == "&&" else sa.or_, parts), False)
        if isinstance(node, ast.Call):
            return self._call(node)
        assert isinstance(node, ast.Conditional), node
        cond = self.definite(self.value(node.cond))
        then, otherwise = self.value(node.then), self.value(node.otherwise)
        return _Frag(sa.case((cond, then.expr), else_=otherwise.expr),
                     then.nullable or otherwise.nullable)

    @staticmethod
    def _operand(frag: _Frag) -> Sql:
        """``frag`` in brackets unless it is a column or a parameter.

        SQLAlchemy does not always bracket a NOT or a function-valued comparison used as an
        operand (``NOT x IS NULL`` means ``NOT (x IS NULL)`` to PostgreSQL), so compound operands
        are always bracketed.
        """
        if frag.column or frag.constant or isinstance(frag.expr, _ATOMIC):
            return frag.expr
        return Grouping(frag.expr)

    def _int(self, frag: _Frag) -> Sql:
        """On PostgreSQL, integer arithmetic runs in BIGINT so INTEGER columns cannot overflow."""
        if self._pg and not frag.constant and not isinstance(frag.expr.type, sa.BigInteger):
            return sa.cast(frag.expr, sa.BigInteger)
        return self._operand(frag)

    def _unary(self, node: ast.Unary) -> _Frag:
        operand = self.value(node.operand)
        if node.op == "!":
            return _Frag(sa.not_(self.definite(operand)), False)
        if operand.constant and operand.value is None:
            return _NULL
        expr = self._int(operand) if self._type(node).kind is Kind.INT else self._operand(operand)
        return _Frag(-expr, operand.nullable)

    def _binary(self, node: ast.Binary) -> _Frag:
        left, right = self.value(node.left), self.value(node.right)
        if node.op in ("==", "!="):
            return self._equality(node.op, left, right)
        if node.op in _ORDER:
            return self._order(node, left, right)
        if node.op == "in":
            return self._membership(node, left)
        if _NULL in (left, right):
            return _NULL
        kind = self._type(node).kind
        if kind is Kind.STRING:
            return _Frag(self._operand(left).op("||", return_type=sa.String)(self._operand(right)),
                         left.nullable or right.nullable)
        safe_divisor = right.constant and right.value != 0
        nullable = left.nullable or right.nullable or (node.op in "/%" and not safe_divisor)
        if kind is Kind.INT:
            a, b = self._int(left), self._int(right)
            if node.op in "/%" and not safe_divisor:
                b = sa.func.nullif(b, 0, type_=sa.BigInteger)
            expr = a % b if node.op == "%" else a.op(node.op, return_type=sa.BigInteger)(b)
            return _Frag(expr, nullable)
        a, b = self._operand(left), self._operand(right)
        if node.op == "/":
            if not self._pg:
                a = sa.cast(a, sa.REAL)
            if not safe_divisor:
                b = sa.func.nullif(b, 0, type_=sa.Numeric)
        raw = a.op(node.op, return_type=sa.Numeric)(b)
        return _Frag(sa.func.round(raw, 4, type_=sa.Numeric(18, 4)), nullable)

    def _equality(self, op: str, left: _Frag, right: _Frag) -> _Frag:
        if left.constant:
            left, right = right, left
        a = self._operand(left)
        if right.constant and right.value is None:
            if not left.nullable:
                return _FALSE if op == "==" else _TRUE
            return _Frag(a.is_(None) if op == "==" else a.is_not(None), False)
        if right.constant and isinstance(right.value, bool) and not left.nullable:
            return _Frag(a if right.value == (op == "==") else sa.not_(a), False)
        if right.constant:
            if not left.nullable:
                return _Frag(a == right.expr if op == "==" else a != right.expr, False)
            if op == "==":
                return self._guarded(a == right.expr, [left])
            return _Frag(a.is_distinct_from(right.expr), False)
        b = self._operand(right)
        if left.nullable or right.nullable:
            expr = a.is_not_distinct_from(b) if op == "==" else a.is_distinct_from(b)
        else:
            expr = a == b if op == "==" else a != b
        return _Frag(expr, False)

    def _order(self, node: ast.Binary, left: _Frag, right: _Frag) -> _Frag:
        if _NULL in (left, right):
            return _FALSE
        a, b = self._operand(left), self._operand(right)
        if self._pg and self._type(node.left).kind is Kind.STRING:
            a = sa.collate(a, "C")
        return self._guarded(_ORDER[node.op](a, b), [left, right])

    def _guarded(self, compare: Sql, operands: list[_Frag]) -> _Frag:
        """``compare`` made definite when an operand is NULL: false in both forms."""
        nullable = [f for f in operands if f.nullable]
        if not nullable:
            return _Frag(compare, False)
        if all(f.column for f in nullable):
            return _Frag(sa.and_(compare, *(f.expr.is_not(None) for f in nullable)), False)
        return _Frag(sa.func.coalesce(compare, sa.false(), type_=sa.Boolean), False)

    def _membership(self, node: ast.Binary, left: _Frag) -> _Frag:
        if left.constant and left.value is None:
            return _FALSE
        right_type = self._type(node.right)
        element = right_type.element or Type.NULL
        if not self._deps[id(node.right)] & ast.RECORD:
            values = self._closures.value(node.right)({}, self._ctx)
            items = list(dict.fromkeys(v for v in values or () if v is not None))
            if not items:
                return _FALSE
            # Long lists are rendered into the SQL text (escaped by SQLAlchemy) rather than
            # bound, since SQLite accepts at most 32766 parameters per statement.
            param = sa.bindparam(None, items, type_=sql_type(element), expanding=True,
                                 literal_execute=len(items) > _MAX_BOUND_ITEMS)
            expr, nullable_items = self._operand(left).in_(param), False
        else:
            assert isinstance(node.right, ast.ListLit)
            frags = [self.value(item) for item in node.right.items]
            frags = [f for f in frags if not (f.constant and f.value is None)]
            expr = self._operand(left).in_([self._operand(f) for f in frags])
            nullable_items = any(f.nullable for f in frags)
        if nullable_items:
            return _Frag(sa.func.coalesce(expr, sa.false(), type_=sa.Boolean), False)
        return self._guarded(expr, [left])

    def _call(self, node: ast.Call) -> _Frag:
        function = FUNCTIONS[node.name]
        frags = [self.value(arg) for arg in node.args]
        if function.on_null == "custom":
            kept: list[_Frag] = []
            for frag in frags:
                if frag is not _NULL:
                    kept.append(frag)
                    if not frag.nullable:
                        break
            if len(kept) <= 1:
                return kept[0] if kept else _NULL
            return _Frag(sa.func.coalesce(*(f.expr for f in kept)),
                         all(f.nullable for f in kept))
        if _NULL in frags:
            return _FALSE if function.on_null == "false" else _NULL
        assert function.sql is not None
        call = SqlCall(tuple(self._operand(f) for f in frags),
                       tuple(self._type(a) for a in node.args), node.args, self._type(node),
                       self._dialect)
        expr = function.sql(call)
        nullable = any(f.nullable for f in frags)
        if function.on_null == "false":
            return _Frag(sa.func.coalesce(expr, sa.false(), type_=sa.Boolean) if nullable
                         else expr, False)
        return _Frag(expr, nullable or node.name == "add_days")
