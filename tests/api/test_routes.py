"""Path shapes: which route a path after ``/api/`` names."""

from __future__ import annotations

import pytest

from apiary.api.routes import Kind, Target, match


@pytest.mark.parametrize(("path", "target"), [
    ("helpdesk/openapi.json", Target(Kind.OPENAPI, "helpdesk")),
    ("helpdesk/Ticket", Target(Kind.COLLECTION, "helpdesk", "Ticket")),
    ("helpdesk/Ticket/7", Target(Kind.ITEM, "helpdesk", "Ticket", "7")),
    ("helpdesk/Ticket/7/history", Target(Kind.HISTORY, "helpdesk", "Ticket", "7")),
    ("helpdesk/Ticket/7/transitions/start",
     Target(Kind.TRANSITION, "helpdesk", "Ticket", "7", "start")),
])
def test_shapes(path: str, target: Target) -> None:
    assert match(path) == target


@pytest.mark.parametrize("path", ["", "helpdesk", "helpdesk/", "helpdesk/Ticket/",
                                  "helpdesk/Ticket/7/comments", "helpdesk/Ticket/7/transitions",
                                  "helpdesk//Ticket", "helpdesk/Ticket/7/x/start",
                                  "helpdesk/Ticket/' or 1=1", "../etc/passwd"])
def test_other_shapes_match_nothing(path: str) -> None:
    assert match(path) is None


@pytest.mark.parametrize(("record_id", "number"), [
    ("7", 7), ("007", None), ("0", None), ("-1", None), ("1" * 19, None), ("abc", None)])
def test_record_numbers(record_id: str, number: int | None) -> None:
    assert Target(Kind.ITEM, "a", "E", record_id).record_number() == number
