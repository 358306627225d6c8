"""``serve``: a real uvicorn process on the loopback address, stopped with SIGTERM."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from apiary.definition import compile_file
from apiary.storage import apply, connect, plan
from tests.api.conftest import EXAMPLES

SCRIPT = """
import sys
import threading
from apiary.api import serve
from apiary.definition import compile_file
from apiary.engine import Runtime
from apiary.storage import connect
app = compile_file(sys.argv[1])
serve(Runtime(connect(sys.argv[2]), [app]), "127.0.0.1", 0, graceful_timeout=5)
"""


class Lines:
    """The server's stderr, read by a thread so that a test can wait for a line with a timeout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        self.queue: queue.Queue[str] = queue.Queue()
        self.stream = process.stderr
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.stream:
            self.queue.put(line)

    def close(self) -> None:
        self.thread.join(timeout=10)
        self.stream.close()

    def until(self, pattern: str, seconds: float) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                break
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"the server printed no {pattern!r} within {seconds} s")


def test_serve_answers_logs_json_and_stops_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'apiary.db'}"
    db = connect(url)
    apply(plan(compile_file(EXAMPLES / "helpdesk.yaml"), db), db)
    db.dispose()
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(EXAMPLES / "helpdesk.yaml"), url],
        stderr=subprocess.PIPE, text=True)
    lines = Lines(process)
    try:
        port = lines.until(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", 30).group(1)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert client.get("/healthz").json() == {"status": "ok"}
            assert client.get("/readyz").status_code == 200
            response = client.get("/api/helpdesk/Ticket?filter=secret",
                                  headers={"X-Request-ID": "served-1"})
        assert response.status_code == 401
        assert response.headers["x-request-id"] == "served-1"
        assert "server" not in response.headers
        line = lines.until(r'^\{.*"request_id": "served-1".*\}$', 10).group(0)
        logged = json.loads(line)
        assert logged["path"] == "/api/helpdesk/Ticket" and logged["status"] == 401
        assert "secret" not in line

        process.send_signal(signal.SIGTERM)
        lines.until("Finished server process", 15)
        # uvicorn finishes in-flight requests, then exits by the signal it was sent.
        assert process.wait(timeout=15) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        lines.close()
