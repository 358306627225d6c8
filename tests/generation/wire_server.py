"""A loopback model server that speaks OpenAI's and Anthropic's wire formats.

A real HTTP server on 127.0.0.1 (http.server in a thread) that checks every request the way the
vendor would — path, headers, the JSON body's fields — and answers from a script of replies
shaped as the vendors document them. Tests read back what was asked (``requests``) and any
shape the vendor would have refused (``violations``, which must stay empty).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Vendor = Literal["openai", "anthropic"]
KEY = "sk-test-0123456789-SECRET-abcdef"

VALID: dict[str, Any] = {
    "app": {"name": "helpdesk", "title": "Helpdesk"},
    "roles": {"customer": "Raises tickets", "agent": "Resolves tickets"},
    "entities": {
        "Ticket": {
            "fields": {
                "subject": {"type": "string", "required": True},
                "description": "text",
                "priority": {"type": "enum", "values": ["low", "normal", "high"],
                             "default": "normal"},
                "customer_phone": {"type": "phone", "pii": True, "access": {"read": ["agent"]}},
            },
            "workflow": {"states": ["open", "resolved"],
                         "transitions": {"resolve": {"from": "open", "to": "resolved",
                                                     "roles": ["agent"]}}},
            "permissions": {"customer": {"read": "created_by == user.id", "create": True},
                            "agent": ["read", "update"]},
        },
    },
}
"""A definition the strict validator accepts: no errors, no warnings."""

INVALID: dict[str, Any] = json.loads(json.dumps(VALID))
INVALID["entities"]["Ticket"]["fields"]["subject"]["type"] = "strng"
"""One error: APY-E112 at entities.Ticket.fields.subject.type."""


def envelope(definition: Any, assumptions: tuple[str, ...] = (),
             warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"definition": definition, "assumptions": list(assumptions),
            "warnings": list(warnings)}


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    """A JSON value, or bytes sent as they are."""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: Any


def openai_completion(content: str | None, *, prompt_tokens: int = 1200,
                      completion_tokens: int = 300, model: str = "gpt-4o-mini-2024-07-18",
                      refusal: str | None = None) -> Reply:
    """A chat completion as https://platform.openai.com/docs/api-reference/chat documents it."""
    return Reply(body={
        "id": "chatcmpl-abc123", "object": "chat.completion", "created": 1_700_000_000,
        "model": model, "system_fingerprint": "fp_test",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content,
                                             "refusal": refusal},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    })


def openai_json(answer: Any, **kwargs: Any) -> Reply:
    return openai_completion(json.dumps(answer), **kwargs)


def openai_error(status: int, message: str, kind: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"error": {"message": message, "type": kind, "param": param,
                                    "code": code}}, headers or {})


def anthropic_message(tool_input: Any = None, *, text: str | None = None,
                      input_tokens: int = 2000, output_tokens: int = 500,
                      model: str = "claude-sonnet-4-20250514",
                      stop_reason: str | None = None) -> Reply:
    """A message as https://docs.anthropic.com/en/api/messages documents it."""
    content: list[dict[str, Any]] = []
    if text is not None:
        content.append({"type": "text", "text": text})
    if tool_input is not None:
        content.append({"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9",
                        "name": "write_definition", "input": tool_input})
    return Reply(body={
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
        "model": model, "content": content,
        "stop_reason": stop_reason or ("tool_use" if tool_input is not None else "end_turn"),
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    })


def anthropic_error(status: int, kind: str, message: str,
                    headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"type": "error", "error": {"type": kind, "message": message}},
                 headers or {})


class WireServer:
    def __init__(self, vendor: Vendor, key: str = KEY) -> None:
        self.vendor = vendor
        self.key = key
        self.script: list[Reply] = []
        self.requests: list[Request] = []
        self.violations: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """What APIARY_LLM_BASE_URL is set to for this vendor."""
        return self.root + ("/v1" if self.vendor == "openai" else "")

    def answer(self, *replies: Reply) -> WireServer:
        self.script.extend(replies)
        return self

    def start(self) -> WireServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def bodies(self) -> Iterator[Any]:
        return (r.body for r in self.requests)

    # --- the vendor's side -------------------------------------------------------------

    def check(self, path: str, headers: dict[str, str], body: Any) -> Reply | None:
        """The vendor's refusal of a malformed request, recorded as a violation."""
        problems: list[str] = []
        if not isinstance(body, dict):
            problems.append("body is not a JSON object")
            body = {}
        if headers.get("content-type", "").split(";")[0] != "application/json":
            problems.append(f"content-type {headers.get('content-type')!r}")
        if self.vendor == "openai":
            problems += self._check_openai(path, headers, body)
        else:
            problems += self._check_anthropic(path, headers, body)
        if not problems:
            return None
        self.violations.extend(problems)
        return Reply(400, {"error": {"message": "; ".join(problems),
                                     "type": "invalid_request_error"}})

    def _check_openai(self, path: str, headers: dict[str, str], body: dict[str, Any]
                      ) -> list[str]:
        problems = []
        if path != "/v1/chat/completions":
            problems.append(f"path {path}")
        expected = f"Bearer {self.key}" if self.key else None
        if headers.get("authorization") != expected:
            return ["authorization"]
        if not isinstance(body.get("model"), str) or not body["model"]:
            problems.append("model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return [*problems, "messages"]
        roles = [m.get("role") for m in messages]
        if roles[0] != "system" or roles[1] != "user" or any(
                r not in ("system", "user", "assistant") for r in roles):
            problems.append(f"message roles {roles}")
        if not all(isinstance(m.get("content"), str) for m in messages):
            problems.append("message content must be text")
        fmt = body.get("response_format")
        if not isinstance(fmt, dict):
            problems.append("response_format")
        elif fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema")
            if not (isinstance(spec, dict) and isinstance(spec.get("name"), str)
                    and isinstance(spec.get("schema"), dict) and spec.get("strict") is False):
                problems.append("response_format.json_schema {name, schema, strict}")
        elif fmt != {"type": "json_object"}:
            problems.append(f"response_format {fmt}")
        return problems

    def _check_anthropic(self, path: str, headers: dict[str, str], body: dict[str, Any]
                         ) -> list[str]:
        problems = []
        if path != "/v1/messages":
            problems.append(f"path {path}")
        if headers.get("x-api-key") != self.key:
            return ["x-api-key"]
        if headers.get("anthropic-version") != "2023-06-01":
            problems.append("anthropic-version")
        if "authorization" in headers:
            problems.append("authorization header sent to anthropic")
        for name, kind in (("model", str), ("max_tokens", int), ("system", str),
                           ("messages", list), ("tools", list), ("tool_choice", dict)):
            if not isinstance(body.get(name), kind):
                problems.append(name)
        if problems:
            return problems
        roles = [m.get("role") for m in body["messages"]]
        if roles[0] != "user" or any(a == b for a, b in itertools.pairwise(roles)) \
                or set(roles) - {"user", "assistant"}:
            problems.append(f"message roles {roles}")
        tool = body["tools"][0] if body["tools"] else {}
        if set(tool) != {"name", "description", "input_schema"} \
                or tool.get("input_schema", {}).get("type") != "object":
            problems.append("tools[0] {name, description, input_schema}")
        if body["tool_choice"] != {"type": "tool", "name": tool.get("name")}:
            problems.append("tool_choice")
        return problems

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = None
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append(Request(self.path, headers, body))
                reply = server.check(self.path, headers, body)
                if reply is None:
                    reply = server.script.pop(0) if server.script else Reply(
                        500, {"error": {"message": "no scripted reply left"}})
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.body if isinstance(reply.body, bytes) else \
                    json.dumps(reply.body).encode()
                self.send_response(reply.status)
                content_type = "text/html" if isinstance(reply.body, bytes) else \
                    "application/json"
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler
