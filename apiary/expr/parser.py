"""A hand-written recursive-descent parser for the expression language.

Grammar (CEL precedence, lowest first)::

    expr     = or ["?" or ":" expr]
    or       = and {"||" and}
    and      = relation {"&&" relation}
    relation = addition {("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") addition}
    addition = product {("+" | "-") product}
    product  = unary {("*" | "/" | "%") unary}
    unary    = {"!" | "-"} member
    member   = primary {"." NAME ["(" [expr {"," expr}] ")"]}
    primary  = literal | NAME ["(" [expr {"," expr}] ")"] | "(" expr ")" | "[" [expr {"," expr}] "]"

Binary chains are built in loops, so only brackets, calls and ``?:`` recurse; both the bracket
nesting and the depth of the finished tree are capped so that a hostile or generated expression
gets a clean :class:`ExprSyntaxError` (APY-E310) instead of exhausting the stack here or in a back
end later.
"""

from __future__ import annotations

from decimal import Decimal

from apiary.expr import ast
from apiary.expr.errors import TOO_COMPLEX, ExprSyntaxError
from apiary.expr.lexer import Tok, Token, tokenize

MAX_NESTING = 32
"""Deepest bracket/call/``?:`` nesting accepted (CEL asks implementations for at least 12)."""

MAX_DEPTH = 40
"""Deepest syntax tree accepted, counting every operator (``a+b+c`` has depth 3); chosen so
that SQLAlchemy compiles the deepest SQL well inside Python's default recursion limit."""

_RELATIONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})
_KEYWORD_VALUES: dict[str, ast.LiteralValue] = {"true": True, "false": False, "null": None}
_WORD_OPERATORS = {"and": "&&", "or": "||", "not": "!"}


def parse(text: str) -> ast.Expr:
    """Parse ``text`` into a syntax tree; raises :class:`ExprSyntaxError` with its position."""
    if not text.strip():
        raise ExprSyntaxError("the expression is empty", 0, len(text), "write a value or a rule")
    parser = _Parser(text, tokenize(text))
    tree = parser.expression()
    parser.expect_end()
    level, deepest = ast.depth(tree)
    if level > MAX_DEPTH:
        raise ExprSyntaxError(
            f"the expression is too deeply nested ({level} levels, at most {MAX_DEPTH})",
            deepest.offset, deepest.length, "split it into simpler computed fields or rules",
            code=TOO_COMPLEX)
    return tree


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self._text = text
        self._tokens = tokens
        self._pos = 0
        self._nesting = 0

    # -- token helpers -------------------------------------------------------------------------

    @property
    def _tok(self) -> Token:
        return self._tokens[self._pos]

    def _advance(self) -> Token:
        token = self._tokens[self._pos]
        self._pos += 1
        return token

    def _at(self, op: str) -> bool:
        token = self._tok
        return token.kind is Tok.OP and token.text == op

    def _prev_end(self) -> int:
        return self._tokens[self._pos - 1].end

    def _span(self, start: int) -> dict[str, int]:
        return {"offset": start, "length": self._prev_end() - start}

    def _fail(self, message: str, token: Token, hint: str | None = None) -> ExprSyntaxError:
        return ExprSyntaxError(message, token.offset, len(token.text), hint)

    def _describe(self, token: Token) -> str:
        return "the end of the expression" if token.kind is Tok.END else repr(token.text)

    def expect_end(self) -> None:
        token = self._tok
        if token.kind is Tok.END:
            return
        hint = None
        if token.kind is Tok.NAME and token.text in _WORD_OPERATORS:
            hint = f"use {_WORD_OPERATORS[token.text]} for '{token.text}'"
        elif token.kind is not Tok.OP:
            hint = "join conditions with && or ||"
        raise self._fail(f"unexpected {self._describe(token)} after a complete expression",
                         token, hint)

    def _close(self, op: str, opener: Token) -> None:
        if self._at(op):
            self._advance()
            return
        token = self._tok
        if token.kind is Tok.END:
            raise ExprSyntaxError(f"this {opener.text!r} is never closed", opener.offset, 1,
                                  f"add a matching {op!r}")
        raise self._fail(f"expected {op!r} to close the {opener.text!r} at character "
                         f"{opener.offset + 1} but found {self._describe(token)}", token)

    # -- grammar -------------------------------------------------------------------------------

    def expression(self) -> ast.Expr:
        self._nesting += 1
        if self._nesting > MAX_NESTING:
            raise ExprSyntaxError(
                f"the expression is nested too deeply (more than {MAX_NESTING} levels of "
                "brackets, calls or ?:)", self._tok.offset, len(self._tok.text),
                "split it into simpler computed fields or rules", code=TOO_COMPLEX)
        start = self._tok.offset
        cond = self._logical("||")
        if self._at("?"):
            self._advance()
            then = self._logical("||")
            if not self._at(":"):
                raise self._fail(f"expected ':' but found {self._describe(self._tok)}", self._tok,
                                 "write condition ? value_if_true : value_if_false")
            self._advance()
            otherwise = self.expression()
            cond = ast.Conditional(cond=cond, then=then, otherwise=otherwise, **self._span(start))
        self._nesting -= 1
        return cond

    def _logical(self, op: str) -> ast.Expr:
        operand = self._logical("&&") if op == "||" else self._binary(0)
        start = operand.offset
        operands = [operand]
        while self._at(op):
            self._advance()
            operands.append(self._logical("&&") if op == "||" else self._binary(0))
        if len(operands) == 1:
            return operand
        return ast.Logical(op=op, operands=tuple(operands), **self._span(start))

    _LEVELS: tuple[frozenset[str], ...] = (
        _RELATIONS, frozenset({"+", "-"}), frozenset({"*", "/", "%"}))

    def _binary(self, level: int) -> ast.Expr:
        if level == len(self._LEVELS):
            return self._unary()
        left = self._binary(level + 1)
        ops = self._LEVELS[level]
        while self._tok.kind in (Tok.OP, Tok.NAME) and self._tok.text in ops:
            op = self._advance()
            if self._tokens[self._pos].kind is Tok.END:
                raise ExprSyntaxError(f"the expression ends after {op.text!r}", op.offset,
                                      len(op.text), "add the value that should follow it")
            right = self._binary(level + 1)
            left = ast.Binary(op=op.text, op_offset=op.offset, left=left, right=right,
                              offset=left.offset, length=right.offset + right.length - left.offset)
        return left

    def _unary(self) -> ast.Expr:
        ops: list[Token] = []
        while self._at("!") or self._at("-"):
            ops.append(self._advance())
        if ops and self._tok.kind is Tok.END:
            raise ExprSyntaxError(f"the expression ends after {ops[-1].text!r}", ops[-1].offset,
                                  1, "add the value that should follow it")
        node = self._member()
        end = node.offset + node.length
        for op in reversed(ops):
            span = {"offset": op.offset, "length": end - op.offset}
            value = node.value if isinstance(node, ast.Literal) else None
            if op.text == "-" and isinstance(value, Decimal):
                node = ast.Literal(value=value.copy_negate(), **span)
            elif op.text == "-" and isinstance(value, int) and not isinstance(value, bool):
                node = ast.Literal(value=-value, **span)
            else:
                node = ast.Unary(op=op.text, operand=node, **span)
        return node

    def _member(self) -> ast.Expr:
        node = self._primary()
        while True:
            if self._at("["):
                raise self._fail("indexing with [...] is not supported", self._tok)
            if not self._at("."):
                return node
            self._advance()
            name = self._tok
            if name.kind is not Tok.NAME:
                raise self._fail(f"expected a name after '.' but found {self._describe(name)}",
                                 name)
            self._advance()
            if self._at("("):
                args = self._arguments()
                node = ast.Call(name=name.text, name_offset=name.offset, args=(node, *args),
                                method=True, **self._span(node.offset))
            else:
                node = ast.Member(target=node, name=name.text, name_offset=name.offset,
                                  **self._span(node.offset))

    def _arguments(self) -> list[ast.Expr]:
        opener = self._advance()
        return self._items(")", opener)

    def _items(self, closer: str, opener: Token) -> list[ast.Expr]:
        items: list[ast.Expr] = []
        if not self._at(closer):
            items.append(self.expression())
            while self._at(","):
                self._advance()
                if self._at(closer):
                    break
                items.append(self.expression())
        self._close(closer, opener)
        return items

    def _primary(self) -> ast.Expr:
        token = self._tok
        if token.kind in (Tok.INT, Tok.DECIMAL, Tok.STRING):
            self._advance()
            return ast.Literal(value=token.value, offset=token.offset, length=len(token.text))
        if token.kind is Tok.NAME:
            return self._name(token)
        if self._at("("):
            self._advance()
            inner = self.expression()
            self._close(")", token)
            return inner
        if self._at("["):
            self._advance()
            items = self._items("]", token)
            return ast.ListLit(items=tuple(items), **self._span(token.offset))
        if token.kind is Tok.END:
            raise self._fail("the expression ends where a value is expected", token,
                             "add a value, a field name or a function call")
        raise self._fail(f"expected a value but found {self._describe(token)}", token)

    def _name(self, token: Token) -> ast.Expr:
        self._advance()
        if token.text in _KEYWORD_VALUES:
            return ast.Literal(value=_KEYWORD_VALUES[token.text], offset=token.offset,
                               length=len(token.text))
        if token.text == "in":
            raise self._fail("expected a value but found the operator 'in'", token)
        if token.text == "not" and self._tok.kind not in (Tok.OP, Tok.END):
            raise self._fail("'not' is not an operator", token, "use ! for 'not'")
        if self._at("("):
            args = self._arguments()
            return ast.Call(name=token.text, name_offset=token.offset, args=tuple(args),
                            method=False, **self._span(token.offset))
        return ast.Name(name=token.text, offset=token.offset, length=len(token.text))

