"""Concurrent writers: optimistic locking holds when two requests race for the same record."""

from __future__ import annotations

import threading
from typing import Any

from apiary.engine import EngineError, PreconditionFailed
from tests.engine.worlds import World


def race(world: World, record_id: int, attempts: int) -> list[Any]:
    agent = world["agent"]
    start = threading.Barrier(attempts)
    results: list[Any] = [None] * attempts

    def update(n: int) -> None:
        start.wait()
        try:
            results[n] = world.svc.update(agent, "Ticket", record_id,
                                          {"internal_notes": f"writer {n}"}, if_match=1)
        except EngineError as exc:
            results[n] = exc

    threads = [threading.Thread(target=update, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_same_if_match_exactly_one_wins(helpdesk: World) -> None:
    ticket = helpdesk.svc.create(helpdesk["agent"], "Ticket", {
        "subject": "Two editors", "description": "x", "category": "question"})
    results = race(helpdesk, ticket["id"], 2)
    winners = [r for r in results if isinstance(r, dict)]
    losers = [r for r in results if isinstance(r, PreconditionFailed)]
    assert len(winners) == 1 and len(losers) == 1
    stored = helpdesk.svc.get(helpdesk["agent"], "Ticket", ticket["id"])
    assert stored["row_version"] == 2
    assert stored["internal_notes"] == winners[0]["internal_notes"]
    history = helpdesk.svc.history(helpdesk["agent"], "Ticket", ticket["id"])
    assert [e["action"] for e in history] == ["create", "update"]
