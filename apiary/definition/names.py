"""Naming rules: what a name may look like, which words are taken, and derived SQL names.

Names end up in URLs, expressions and SQL identifiers. They are restricted to a safe alphabet so
that no name can smuggle SQL or markup anywhere, and words the expression language or the engine
already use are reserved.
"""

from __future__ import annotations

import re

APP_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*\Z")
ENTITY_NAME = re.compile(r"[A-Z][A-Za-z0-9]*\Z")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
ROLE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
STATE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
VIEW_NAME = re.compile(r"[a-z][a-z0-9_-]*\Z")
CURRENCY = re.compile(r"[A-Z]{3}\Z")

MAX_APP_NAME = 30
MAX_NAME = 40
MAX_SQL_IDENTIFIER = 63
"""PostgreSQL truncates identifiers longer than this; we refuse them instead."""

EXPRESSION_WORDS = frozenset({
    "true", "false", "null", "in", "user", "now", "today",
    # reserved by CEL for future use
    "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
    "package", "namespace", "return", "var", "void", "while",
})
ENGINE_FIELDS = frozenset({"id", "created_at", "updated_at", "created_by", "updated_by",
                           "row_version"})
ENGINE_ENTITIES = frozenset({"User", "Role", "Membership", "Token", "Audit", "Migration"})
RESERVED_FIELDS = EXPRESSION_WORDS | ENGINE_FIELDS


def snake_case(name: str) -> str:
    """``ExpenseClaimLine`` -> ``expense_claim_line``."""
    out = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    out = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", out)
    return out.lower()


def humanize(name: str) -> str:
    """``due_date`` -> ``Due date``; ``ExpenseClaim`` -> ``Expense claim``."""
    words = snake_case(name).replace("-", "_").split("_")
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:]


def pluralize(label: str) -> str:
    if label.endswith(("s", "x", "z", "ch", "sh")):
        return label + "es"
    if label.endswith("y") and label[-2:-1] not in tuple("aeiou"):
        return label[:-1] + "ies"
    return label + "s"


def article(word: str) -> str:
    """``a decimal``, ``an integer``: messages name field types in running text."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def table_name(app: str, entity: str) -> str:
    """Tables of all apps share one database, so each is prefixed by its app."""
    return f"{app.replace('-', '_')}__{snake_case(entity)}"
