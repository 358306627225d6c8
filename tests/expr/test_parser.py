from __future__ import annotations

import time
from decimal import Decimal

import pytest

from apiary.expr import ExprSyntaxError, parse
from apiary.expr import ast as nodes
from apiary.expr.parser import MAX_DEPTH, MAX_NESTING


def show(node: nodes.Expr) -> str:
    """A fully bracketed rendering, so that tests can state the grouping they expect."""
    if isinstance(node, nodes.Literal):
        return repr(node.value)
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Member):
        return f"{show(node.target)}.{node.name}"
    if isinstance(node, nodes.ListLit):
        return "[" + ", ".join(show(i) for i in node.items) + "]"
    if isinstance(node, nodes.Call):
        args = ", ".join(show(a) for a in node.args)
        return f"{'.' if node.method else ''}{node.name}({args})"
    if isinstance(node, nodes.Unary):
        return f"({node.op}{show(node.operand)})"
    if isinstance(node, nodes.Binary):
        return f"({show(node.left)} {node.op} {show(node.right)})"
    if isinstance(node, nodes.Logical):
        return "(" + f" {node.op} ".join(show(o) for o in node.operands) + ")"
    assert isinstance(node, nodes.Conditional)
    return f"({show(node.cond)} ? {show(node.then)} : {show(node.otherwise)})"


@pytest.mark.parametrize(("text", "expected"), [
    ("a + b * c", "(a + (b * c))"),
    ("a * b + c", "((a * b) + c)"),
    ("a - b - c", "((a - b) - c)"),
    ("a / b % c", "((a / b) % c)"),
    ("a + b < c * d", "((a + b) < (c * d))"),
    ("a < b == c", "((a < b) == c)"),
    ("a == b && c != d", "((a == b) && (c != d))"),
    ("a && b || c && d", "((a && b) || (c && d))"),
    ("a || b || c", "(a || b || c)"),
    ("a && b && c || d", "((a && b && c) || d)"),
    ("!a && b", "((!a) && b)"),
    ("!!a", "(!(!a))"),
    ("-a * b", "((-a) * b)"),
    ("- -a", "(-(-a))"),
    ("a in [1, 2] && b", "((a in [1, 2]) && b)"),
    ("a + 1 in b", "((a + 1) in b)"),
    ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
    ("a || b ? c + 1 : d", "((a || b) ? (c + 1) : d)"),
    ("(a + b) * c", "((a + b) * c)"),
    ("s.startsWith('x') && size(s) > 2", "(.startsWith(s, 'x') && (size(s) > 2))"),
    ("user.id == owner", "(user.id == owner)"),
    ("lower(s).contains(t)", ".contains(lower(s), t)"),
    ("f()", "f()"),
    ("[1, 2,]", "[1, 2]"),
    ("[]", "[]"),
])
def test_precedence(text: str, expected: str) -> None:
    assert show(parse(text)) == expected


@pytest.mark.parametrize(("text", "value"), [
    ("42", 42), ("0", 0), ("-7", -7), ("12.50", Decimal("12.50")), ("-0.5", Decimal("-0.5")),
    ("'single'", "single"), ('"double"', "double"), ("'say \"hi\"'", 'say "hi"'),
    ("'a\\'b'", "a'b"), ("'\\\\'", "\\"), ("'\\n\\t\\r'", "\n\t\r"),
    ("'\\u00e9\\U0001F600'", "é😀"),
    ("'\\x41'", "A"), ("''", ""), ("'héllo'", "héllo"), ("true", True), ("false", False),
    ("null", None),
])
def test_literals(text: str, value: object) -> None:
    tree = parse(text)
    assert isinstance(tree, nodes.Literal)
    assert tree.value == value
    assert type(tree.value) is type(value)


def test_decimal_literals_keep_their_digits() -> None:
    tree = parse("0.10000000000000000000000000000001")
    assert isinstance(tree, nodes.Literal)
    assert tree.value == Decimal("0.10000000000000000000000000000001")


def test_positions_cover_the_source_text() -> None:
    text = "priority == 'high' && size(title) > 3"
    tree = parse(text)
    assert isinstance(tree, nodes.Logical)
    first, second = tree.operands
    assert text[first.offset:first.offset + first.length] == "priority == 'high'"
    assert text[second.offset:second.offset + second.length] == "size(title) > 3"
    assert isinstance(first, nodes.Binary)
    assert first.op_offset == 9


def test_comments_and_whitespace_are_ignored() -> None:
    assert show(parse("a // first\n  &&\tb // second")) == "(a && b)"


@pytest.mark.parametrize(("text", "offset", "words"), [
    ("'abc", 0, "never closed"),
    ("title == 'abc", 9, "never closed"),
    ("'line\nbreak'", 0, "never closed"),
    ("a +", 2, "ends after '+'"),
    ("a ==", 2, "ends after '=='"),
    ("!", 0, "ends after '!'"),
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ("a = 1", 2, "'=' is not an operator"),
    ("a & b", 2, "'&'"),
    ("a | b", 2, "'|'"),
    ("a # b", 2, "unexpected character '#'"),
    ("prioritä", 7, "unexpected character 'ä'"),
    ("(a + b", 0, "never closed"),
    ("f(a, b", 1, "never closed"),
    ("[1, 2", 0, "never closed"),
    ("(a + b]", 6, "expected ')'"),
    ("a b", 2, "after a complete expression"),
    ("a and b", 2, "after a complete expression"),
    ("a ? b", 5, "expected ':'"),
    ("1e5", 1, "after the number"),
    ("0x1F", 1, "after the number"),
    ("1.", 0, "needs digits after the point"),
    ("'\\q'", 1, "unknown escape"),
    ("'\\uD800'", 1, "not a valid character"),
    ("a[0]", 1, "indexing"),
    ("a.", 2, "expected a name after '.'"),
    ("a + )", 4, "expected a value"),
    ("not a", 0, "'not' is not an operator"),
    ("x in", 2, "ends after 'in'"),
    ("in", 0, "the operator 'in'"),
])
def test_syntax_errors_say_where_and_what(text: str, offset: int, words: str) -> None:
    with pytest.raises(ExprSyntaxError) as caught:
        parse(text)
    error = caught.value
    assert error.code == "APY-E301"
    assert error.offset == offset, error
    assert words in error.message, error
    assert 0 <= error.offset <= len(text)


def test_syntax_errors_carry_hints() -> None:
    with pytest.raises(ExprSyntaxError) as caught:
        parse("a and b")
    assert caught.value.hint == "use && for 'and'"
    with pytest.raises(ExprSyntaxError) as caught:
        parse("status = 'open'")
    assert caught.value.hint == "use == to compare two values"


def test_ten_thousand_brackets_give_a_clean_error() -> None:
    text = "(" * 10_000 + "a" + ")" * 10_000
    with pytest.raises(ExprSyntaxError) as caught:
        parse(text)
    assert caught.value.code == "APY-E310"
    assert caught.value.offset == MAX_NESTING


def test_long_operator_chains_give_a_clean_error() -> None:
    with pytest.raises(ExprSyntaxError) as caught:
        parse(" + ".join(["a"] * 20_000))
    assert caught.value.code == "APY-E310"
    with pytest.raises(ExprSyntaxError):
        parse("-" * 10_000 + "a")
    with pytest.raises(ExprSyntaxError):
        parse("!" * 10_000 + "a")


def test_the_limits_themselves_are_accepted() -> None:
    parse("(" * (MAX_NESTING - 1) + "a" + ")" * (MAX_NESTING - 1))
    parse(" + ".join(["a"] * (MAX_DEPTH - 1)))


def test_a_100_kb_expression_parses_quickly() -> None:
    text = " || ".join(f"status == 'value {n}'" for n in range(5000))
    assert len(text) > 100_000
    start = time.perf_counter()
    tree = parse(text)
    assert time.perf_counter() - start < 2.0
    assert isinstance(tree, nodes.Logical)
    assert len(tree.operands) == 5000


def test_nodes_are_immutable() -> None:
    tree = parse("a")
    with pytest.raises(AttributeError):
        tree.offset = 3  # type: ignore[misc]
