from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.generation.wire_server import WireServer


@pytest.fixture
def openai_server() -> Iterator[WireServer]:
    server = WireServer("openai").start()
    yield server
    server.stop()


@pytest.fixture
def anthropic_server() -> Iterator[WireServer]:
    server = WireServer("anthropic").start()
    yield server
    server.stop()
