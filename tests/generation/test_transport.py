"""The transport's limits: what a model server may send back before Apiary stops reading."""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from apiary.generation.errors import ProviderError
from apiary.generation.transport import Transport
from tests.generation.wire_server import KEY, Reply, WireServer, openai_completion

HEADERS = {"authorization": f"Bearer {KEY}"}
BODY = {"model": "gpt-4o-mini", "response_format": {"type": "json_object"},
        "messages": [{"role": "system", "content": "Write JSON."},
                     {"role": "user", "content": "A helpdesk"}]}


def transport(server: WireServer, max_bytes: int) -> Transport:
    return Transport(server="openai", base_url=server.base_url, timeout=5.0,
                     mask=lambda text: text.replace(KEY, "***"), sleep=lambda _: None,
                     max_bytes=max_bytes)


def test_an_answer_larger_than_the_limit_is_refused_not_buffered(
        openai_server: WireServer) -> None:
    openai_server.answer(Reply(200, {"padding": "x" * 50_000}))
    with pytest.raises(ProviderError, match="more than 10,000 bytes"):
        transport(openai_server, 10_000).post("/chat/completions", HEADERS, BODY)


def test_an_answer_within_the_limit_is_decoded(openai_server: WireServer) -> None:
    openai_server.answer(openai_completion("{}"))
    reply = transport(openai_server, 100_000).post("/chat/completions", HEADERS, BODY)
    assert reply.status == 200
    assert reply.data["choices"][0]["message"]["content"] == "{}"


def test_an_error_answer_larger_than_the_limit_is_refused_too(
        openai_server: WireServer) -> None:
    openai_server.answer(Reply(500, b"<html>" + b"x" * 50_000))
    with pytest.raises(ProviderError, match="more than 10,000 bytes"):
        transport(openai_server, 10_000).post("/chat/completions", HEADERS, BODY)


class Trickle(BaseHTTPRequestHandler):
    """Answers one byte at a time, each well within the read timeout."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b'{"padding": "' + b"x" * 40 + b'"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)


def test_an_answer_trickling_in_stops_at_the_timeout_in_all() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        slow = Transport(server="openai", base_url=f"http://{host!s}:{port}", timeout=1.0,
                         mask=str, sleep=lambda _: None)
        started = time.monotonic()
        with pytest.raises(ProviderError, match="did not answer within 1 s"):
            slow.post("/chat/completions", HEADERS, BODY)
        assert time.monotonic() - started < 3.0
    finally:
        server.shutdown()
        server.server_close()
