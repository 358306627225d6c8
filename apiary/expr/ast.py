"""The expression syntax tree shared by the checker and both back ends.

The parser builds these nodes once; the checker types them, the evaluator turns them into Python
closures and the SQL compiler into SQLAlchemy clauses. Nodes are immutable and carry their place
in the source text (``offset``, ``length``) so that every later error can point at the text.
``&&`` and ``||`` chains are kept flat (:class:`Logical` holds all operands) because long
generated filters are mostly such chains and a flat node keeps the tree shallow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

LiteralValue = None | bool | int | Decimal | str


@dataclass(frozen=True, kw_only=True, slots=True)
class Expr:
    """Base of every node: where it is in the expression text."""

    offset: int
    length: int

    def children(self) -> tuple[Expr, ...]:
        """The direct sub-expressions, in source order."""
        return ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Literal(Expr):
    """``1``, ``12.50`` (a Decimal), ``'text'``, ``true``, ``false`` or ``null``."""

    value: LiteralValue


@dataclass(frozen=True, kw_only=True, slots=True)
class ListLit(Expr):
    """``[a, b, c]``."""

    items: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.items


@dataclass(frozen=True, kw_only=True, slots=True)
class Name(Expr):
    """A bare identifier: a record field, ``user``, ``now`` or ``today``."""

    name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Member(Expr):
    """``target.name`` without a call; only ``user.id``/``user.email``/``user.roles`` check."""

    target: Expr
    name: str
    name_offset: int

    def children(self) -> tuple[Expr, ...]:
        return (self.target,)


@dataclass(frozen=True, kw_only=True, slots=True)
class Call(Expr):
    """``name(args)`` or, when ``method`` is true, ``args[0].name(args[1:])``."""

    name: str
    name_offset: int
    args: tuple[Expr, ...]
    method: bool

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True, kw_only=True, slots=True)
class Unary(Expr):
    """``!x`` or ``-x``."""

    op: str
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, kw_only=True, slots=True)
class Binary(Expr):
    """Arithmetic, comparison and ``in``; ``op_offset`` locates the operator for errors."""

    op: str
    op_offset: int
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, kw_only=True, slots=True)
class Logical(Expr):
    """A flat chain of ``&&`` or ``||`` (``op`` is the operator) with two or more operands."""

    op: str
    operands: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.operands


@dataclass(frozen=True, kw_only=True, slots=True)
class Conditional(Expr):
    """``cond ? then : otherwise``."""

    cond: Expr
    then: Expr
    otherwise: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.cond, self.then, self.otherwise)


def walk(root: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children, without recursion."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


def depth(root: Expr) -> tuple[int, Expr]:
    """The tree's depth and its deepest node, computed without recursion."""
    best, deepest = 0, root
    stack = [(root, 1)]
    while stack:
        node, level = stack.pop()
        if level > best:
            best, deepest = level, node
        stack.extend((child, level + 1) for child in node.children())
    return best, deepest


RECORD = 1
CONTEXT = 2
_CONTEXT_NAMES = frozenset({"now", "today", "user"})


def dependencies(root: Expr) -> dict[int, int]:
    """For every node (by ``id``), whether its value depends on the RECORD and/or the CONTEXT.

    Both back ends fold nodes that depend on neither; the SQL compiler also evaluates nodes that
    depend only on the context (``user.id``, ``today``) in Python and binds the result.
    """
    found: dict[int, int] = {}
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if not ready:
            stack.append((node, True))
            stack.extend((child, False) for child in node.children())
            continue
        if isinstance(node, Name):
            mask = CONTEXT if node.name in _CONTEXT_NAMES else RECORD
        elif isinstance(node, Member):
            user = isinstance(node.target, Name) and node.target.name == "user"
            mask = CONTEXT if user else RECORD
        else:
            mask = 0
            for child in node.children():
                mask |= found[id(child)]
        found[id(node)] = mask
    return found
