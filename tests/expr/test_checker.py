from __future__ import annotations

import pytest

from apiary.expr import CheckResult, ExprError, Scope, Type, check, parse

SCOPE = Scope(fields={
    "id": Type.INT, "title": Type.STRING, "assignee": Type.INT, "estimate": Type.INT,
    "budget": Type.DECIMAL, "done": Type.BOOL, "due": Type.DATE, "created_at": Type.DATETIME,
    "priority": Type.enum(("low", "medium", "high")), "meta": Type.JSON,
    "tags": Type.list_of(Type.STRING),
})


def checked(text: str, scope: Scope = SCOPE) -> CheckResult:
    return check(parse(text), scope)


def only_error(text: str, scope: Scope = SCOPE) -> ExprError:
    errors = checked(text, scope).errors
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("1", Type.INT), ("1.5", Type.DECIMAL), ("'x'", Type.STRING), ("true", Type.BOOL),
    ("null", Type.NULL), ("estimate + 1", Type.INT), ("estimate + 1.5", Type.DECIMAL),
    ("estimate / 2", Type.INT), ("budget * estimate", Type.DECIMAL), ("title + '!'", Type.STRING),
    ("priority", Type.enum(("low", "medium", "high"))), ("priority + ''", Type.STRING),
    ("due", Type.DATE), ("now", Type.DATETIME), ("today", Type.DATE), ("user.id", Type.INT),
    ("user.email", Type.STRING), ("user.roles", Type.list_of(Type.STRING)),
    ("[1, 2.5]", Type.list_of(Type.DECIMAL)), ("[]", Type.list_of(Type.NULL)),
    ("done ? 1 : 2.5", Type.DECIMAL), ("done ? title : null", Type.STRING),
    ("coalesce(estimate, budget)", Type.DECIMAL), ("min(due, today)", Type.DATE),
    ("add_days(created_at, 1)", Type.DATETIME), ("date(created_at)", Type.DATE),
    ("date('2026-01-31')", Type.DATE), ("datetime('2026-01-31T09:00:00Z')", Type.DATETIME),
    ("round(estimate, 2)", Type.DECIMAL), ("abs(budget)", Type.DECIMAL), ("size(tags)", Type.INT),
    ("title.size()", Type.INT), ("due < today && !done", Type.BOOL),
    ("meta == null", Type.BOOL), ("null + 1", Type.INT),
])
def test_types(text: str, expected: Type) -> None:
    result = checked(text)
    assert result.errors == []
    assert result.type == expected


def test_names_and_time_use_are_reported() -> None:
    result = checked("assignee == user.id && due < add_days(today, 7) || title.contains('x')")
    assert result.names == frozenset({"assignee", "due", "title"})
    assert result.uses_time is True
    assert result.uses_user is True
    plain = checked("estimate > 1")
    assert plain.uses_time is False
    assert plain.uses_user is False


def test_unknown_names_suggest_the_closest_field() -> None:
    error = only_error("asignee == 1")
    assert error.code == "APY-E302"
    assert (error.offset, error.length) == (0, 7)
    assert error.hint == "did you mean `assignee`?"
    assert "asignee" in error.message


def test_unknown_names_without_a_close_match_list_the_fields() -> None:
    error = only_error("zzz", Scope(fields={"a": Type.INT, "b": Type.INT}))
    assert error.hint == "known fields: a, b"


def test_every_error_is_reported_not_only_the_first() -> None:
    result = checked("titel == 1 && estimate + 'x' > 2 && nope(1) && priority == 'hgh'")
    assert [e.code for e in result.errors] == ["APY-E302", "APY-E304", "APY-E303", "APY-E305"]
    assert result.type == Type.NULL


def test_errors_do_not_cascade() -> None:
    assert len(checked("(titel + 1) * 2 > size(titel)").errors) == 2


@pytest.mark.parametrize(("text", "words"), [
    ("size(title, 1)", "`size` takes 1 argument but was given 2"),
    ("size()", "`size` takes 1 argument but was given 0"),
    ("title.startsWith()", "`startsWith` takes 1 argument but was given 0"),
    ("coalesce(title)", "`coalesce` takes at least 2 arguments but was given 1"),
    ("sizee(title)", "unknown function `sizee`"),
    ("contains(title, 'x')", "`contains` is a method"),
    ("title.lower()", "`lower` is not a method"),
])
def test_function_calls(text: str, words: str) -> None:
    error = only_error(text)
    assert error.code == "APY-E303"
    assert words in error.message


def test_unknown_function_hint() -> None:
    assert only_error("sizee(title)").hint == "did you mean `size`?"
    assert only_error("contains(title, 'x')").hint == "write it as string.contains(string)"


@pytest.mark.parametrize(("text", "words", "hint"), [
    ("due < '2026-01-31'", "cannot compare date with string",
     "write a date as date('2026-01-31')"),
    ("created_at > '2026-01-31'", "cannot compare datetime with string",
     "write a date-time as datetime('2026-01-31T09:30:00Z')"),
    ("estimate == 'x'", "cannot compare int with string", None),
    ("done == 1", "cannot compare bool with int", None),
    ("done < true", "bool values have no order", "use == or != instead"),
    ("priority < 'high'", "choice values have no order", "list the wanted values: x in ['a', 'b']"),
    ("tags == ['a']", "cannot compare list of string with list of string",
     "use `in` to look for a value in a list"),
    ("meta == 'x'", "json values can only be compared with null", None),
    ("estimate in ['a']", "cannot look for int in a list of string", None),
    ("'x' in title", "`in` needs a list on its right, not a string",
     "to look for text inside text use text.contains(part)"),
    ("[1, 'a']", "list items must all have one type", None),
    ("estimate % 1.5", "cannot use % with int and decimal", "% works on whole numbers only"),
    ("due + 1", "cannot use + with date and int", "use add_days(date, n) to move a date"),
    ("due - today", "cannot use - with date and date",
     "use days_between(a, b) for the days between two dates"),
    ("title + 1", "cannot use + with string and int", "only text can be joined to text with +"),
    ("estimate && done", "both sides of && must be true or false, not a int", None),
    ("!title", "the value after ! must be true or false", None),
    ("title ? 1 : 2", "the condition before ? must be true or false", None),
    ("done ? 1 : 'x'", "the two results of ?: must have one type, not int and string", None),
    ("-title", "cannot negate a string", None),
    ("size(estimate)", "`size` cannot be used with (int)", "usage: size(string or list) -> int"),
    ("add_days(today, 1.5)", "`add_days` cannot be used with (date, decimal)", None),
])
def test_type_mismatches(text: str, words: str, hint: str | None) -> None:
    error = only_error(text)
    assert error.code == "APY-E304"
    assert words in error.message
    if hint is not None:
        assert error.hint == hint


def test_enum_values_are_checked_with_a_hint() -> None:
    error = only_error("priority == 'hgh'")
    assert error.code == "APY-E305"
    assert (error.offset, error.length) == (12, 5)
    assert error.hint == "did you mean `high`? (allowed values: 'low', 'medium', 'high')"
    assert only_error("'zzz' != priority").hint == "allowed values: 'low', 'medium', 'high'"
    assert only_error("priority in ['low', 'urgent']").offset == 20
    assert checked("priority in ['low', null] && priority != null").errors == []


def test_comparing_anything_with_null_is_allowed() -> None:
    for field in ("title", "assignee", "budget", "done", "due", "created_at", "priority", "meta"):
        assert checked(f"{field} == null && null != {field}").errors == []


@pytest.mark.parametrize(("text", "code", "words"), [
    ("assignee.name == 'x'", "APY-E307", "following a reference (`assignee.name`)"),
    ("user.name", "APY-E307", "user has no `name`"),
    ("user", "APY-E307", "`user` on its own"),
    ("title.x.y", "APY-E307", "following a reference"),
    ("(title + 'a').x", "APY-E307", "`.x` cannot be used here"),
    ("99999999999999999999 > 1", "APY-E309", "too large"),
    ("title.matches('[')", "APY-E309", "argument 1 of `matches` is not a valid regular"),
    ("title.matches(title)", "APY-E309", "must be a literal regular"),
    ("date('2026-02-30')", "APY-E309", "is not a valid date"),
    ("date(title)", "APY-E309", "must be a literal date"),
    ("datetime('yesterday')", "APY-E309", "is not a valid date-time"),
    ("round(budget, 5)", "APY-E309", "from 0 to 4"),
    ("round(budget, estimate)", "APY-E309", "from 0 to 4"),
])
def test_other_problems(text: str, code: str, words: str) -> None:
    error = only_error(text)
    assert error.code == code
    assert words in error.message


def test_reference_hint_shows_the_supported_form() -> None:
    assert only_error("assignee.name == 'x'").hint == "compare the reference itself, e.g. " \
        "`assignee == user.id`"
    assert only_error("user.mail").hint == "did you mean `email`?"


def test_user_and_time_can_be_forbidden() -> None:
    scope = Scope(fields=SCOPE.fields, allow_user=False, allow_time=False)
    result = checked("assignee == user.id && due < today && created_at < now", scope)
    assert [e.code for e in result.errors] == ["APY-E308"] * 3
    assert result.uses_time is True
    assert checked("estimate > 1", scope).errors == []
    assert "did you mean" not in (only_error("usr.id", scope).hint or "user")


def test_scope_is_frozen_and_copies_its_fields() -> None:
    fields = {"a": Type.INT}
    scope = Scope(fields=fields)
    fields["b"] = Type.INT
    assert "b" not in scope.fields
    with pytest.raises(AttributeError):
        scope.allow_user = False  # type: ignore[misc]


def test_types_print_plainly() -> None:
    assert str(Type.list_of(Type.DATE)) == "list of date"
    assert str(Type.enum(("a",))) == "string"
    assert Type.enum(["a", "b"]).enum_values == ("a", "b")


def test_check_never_raises_for_mistakes() -> None:
    for text in ["user.id.x", "size(user)", "user + 1", "now.x", "f(g(h(1)))", "[user]",
                 "coalesce(user, 1)", "tags.contains('a')", "meta < null", "[[1]]"]:
        result = checked(text)
        assert result.errors, text
