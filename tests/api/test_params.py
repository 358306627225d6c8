"""Query parameters and If-Match: syntax checked by the API, meaning left to the engine."""

from __future__ import annotations

import pytest

from apiary.api.params import ListParams, expand_param, if_match, list_params, no_params
from apiary.api.problems import Problem


def issues(exc: pytest.ExceptionInfo[Problem]) -> list[tuple[str, str]]:
    assert exc.value.status == 400
    return [(i.field, i.code) for i in exc.value.errors]


def test_defaults() -> None:
    assert list_params([]) == ListParams()


def test_every_parameter() -> None:
    params = list_params([("filter", "priority == 'high'"), ("state", "open"),
                          ("sort", "-priority,title"), ("limit", "200"), ("after", "abc"),
                          ("count", "true"), ("expand", "assignee,account")])
    assert params == ListParams(filter="priority == 'high'", equals={"state": "open"},
                                sort=("-priority", "title"), limit=200, after="abc", count=True,
                                expand=("assignee", "account"))


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5", "", "٣"])
def test_limit_out_of_range_names_limit(limit: str) -> None:
    with pytest.raises(Problem) as exc:
        list_params([("limit", limit)])
    assert issues(exc) == [("limit", "out_of_range")]


def test_other_parameters_are_shortcuts_left_for_the_engine_to_judge() -> None:
    assert list_params([("bogus", "1"), ("state", "")]).equals == {"bogus": "1", "state": ""}


def test_repeated_parameters_are_all_named() -> None:
    with pytest.raises(Problem) as exc:
        list_params([("state", "a"), ("limit", "3"), ("state", "b"), ("limit", "4")])
    assert issues(exc) == [("state", "repeated_parameter"), ("limit", "repeated_parameter")]
    assert "state, limit" in exc.value.detail


@pytest.mark.parametrize("value", ["title;drop table x", "-", "a,,b", "Title", "a b"])
def test_sort_must_be_field_names(value: str) -> None:
    with pytest.raises(Problem) as exc:
        list_params([("sort", value)])
    assert issues(exc) == [("sort", "invalid_list")]


def test_count_must_be_a_boolean() -> None:
    with pytest.raises(Problem) as exc:
        list_params([("count", "yes")])
    assert issues(exc) == [("count", "invalid_boolean")]


def test_expand_and_no_params() -> None:
    assert expand_param([("expand", "assignee")]) == ("assignee",)
    assert expand_param([]) == ()
    assert expand_param([("expand", "assignee,account,assignee")]) == ("assignee", "account")
    with pytest.raises(Problem):
        expand_param([("limit", "3")])
    with pytest.raises(Problem):
        expand_param([("expand", "a"), ("expand", "b")])
    no_params([])
    with pytest.raises(Problem) as exc:
        no_params([("x", "1")])
    assert issues(exc) == [("x", "unknown_parameter")]


@pytest.mark.parametrize(("header", "version"), [
    ('"3"', 3), ("3", 3), ('W/"3"', 3), (' "12" ', 12), ("*", None)])
def test_if_match_forms(header: str, version: int | None) -> None:
    assert if_match({"if-match": header}) == version


def test_if_match_absent_or_malformed() -> None:
    assert if_match({}) is None
    for bad in ('"abc"', '"3", "4"', "W/", "", "1e3"):
        with pytest.raises(Problem) as exc:
            if_match({"if-match": bad})
        assert issues(exc) == [("If-Match", "invalid_header")]
