"""One JSON POST to a model server, with the failures every vendor shares turned into words.

Rate limits (429) and server errors (5xx, 529) are retried with back-off, honouring
``Retry-After``, within a bounded number of attempts and a bounded total wait; a refused key,
a timeout, a body that is not JSON or one larger than :data:`MAX_RESPONSE_BYTES` (read no
further, so a wrong address cannot fill the memory) becomes a :class:`ProviderError` that names
the server and what to check. Every message passes through ``mask`` so the API key never
reaches the user's terminal, even when a server echoes it.
"""

from __future__ import annotations

import functools
import json
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from apiary.generation.answers import printable
from apiary.generation.errors import ProviderError

MAX_ATTEMPTS = 4
MAX_TOTAL_WAIT = 60.0
"""Seconds of back-off one call may spend in all; beyond that the user hears about it."""
BACKOFF = 1.0
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""Far more than any definition a model writes; a larger answer is not a model's answer."""


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every call: building it (loading the CA bundle) takes longer than a
    loopback request, and the repair loop makes several."""
    return httpx.create_ssl_context()


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    data: Any
    """The decoded JSON body (any JSON value; the caller checks its shape)."""
    latency_s: float
    """Seconds the answering attempt took, without the waits before it."""


def shown_url(url: str) -> str:
    """The address as messages may show it: without a user name, password or query string,
    where some servers take credentials (``https://user:secret@host/v1?key=...``)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an address that cannot be read)"
    if ":" in host:
        host = f"[{host}]"
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


class Transport:
    def __init__(self, *, server: str, base_url: str, timeout: float,
                 mask: Callable[[str], str], sleep: Callable[[float], None] | None = None,
                 max_attempts: int = MAX_ATTEMPTS, max_total_wait: float = MAX_TOTAL_WAIT,
                 max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.server = server
        self.base_url = base_url
        self.timeout = timeout
        self.mask = mask
        self.sleep = sleep if sleep is not None else _sleep
        self.max_attempts = max_attempts
        self.max_total_wait = max_total_wait
        self.max_bytes = max_bytes

    @property
    def where(self) -> str:
        return f"the {self.server} server at {shown_url(self.base_url)}"

    def post(self, path: str, headers: Mapping[str, str], body: Mapping[str, Any]) -> Reply:
        """POST ``body``; a 2xx or 4xx reply (other than 401/403/429) is returned decoded."""
        url = self.base_url + path
        waited = 0.0
        with httpx.Client(timeout=httpx.Timeout(self.timeout), verify=_tls()) as client:
            for attempt in range(1, self.max_attempts + 1):
                started = time.monotonic()
                response = self._send(client, url, headers, body)
                latency = time.monotonic() - started
                status = response.status_code
                if status in (401, 403):
                    raise ProviderError(
                        f"{self.where} refused the API key (HTTP {status}: "
                        f"{self.message(response)}); check APIARY_LLM_API_KEY")
                if status == 429 or status >= 500:
                    wait = retry_after(response.headers, BACKOFF * 2 ** (attempt - 1))
                    what = "is rate limiting requests" if status == 429 else \
                        f"failed (HTTP {status}: {self.message(response)})"
                    if attempt == self.max_attempts:
                        raise ProviderError(f"{self.where} {what}; gave up after {attempt} "
                                            "attempts, try again later")
                    if waited + wait > self.max_total_wait:
                        raise ProviderError(f"{self.where} {what} and asks to wait {wait:g} s, "
                                            f"longer than the {self.max_total_wait:g} s Apiary "
                                            "waits; try again later")
                    self.sleep(wait)
                    waited += wait
                    continue
                return Reply(status, self.decode(response), latency)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _send(self, client: httpx.Client, url: str, headers: Mapping[str, str],
              body: Mapping[str, Any]) -> httpx.Response:
        try:
            deadline = time.monotonic() + self.timeout
            request = client.build_request("POST", url, headers=dict(headers), json=body)
            response = client.send(request, stream=True)
            try:
                return self._read(response, deadline)
            finally:
                response.close()
        except httpx.TimeoutException:
            raise ProviderError(f"{self.where} did not answer within {self.timeout:g} s "
                                "(APIARY_LLM_TIMEOUT); try again, or allow longer") from None
        except httpx.ConnectError as exc:
            raise ProviderError(f"cannot connect to {self.where}: {self.mask(str(exc))}; check "
                                "APIARY_LLM_BASE_URL and that the server is running") from None
        except httpx.HTTPError as exc:
            raise ProviderError(f"the request to {self.where} failed: "
                                f"{self.mask(str(exc)) or type(exc).__name__}") from None

    def _read(self, response: httpx.Response, deadline: float) -> httpx.Response:
        """The response with its body read, refused as soon as it passes ``max_bytes`` or
        ``deadline`` (httpx's timeout bounds each read, not a body that trickles in)."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("the answer took too long", request=response.request)
            size += len(chunk)
            if size > self.max_bytes:
                raise ProviderError(f"{self.where} answered with more than {self.max_bytes:,} "
                                    "bytes, far more than a definition; check that "
                                    "APIARY_LLM_BASE_URL points at the API itself")
            chunks.append(chunk)
        # The body is decoded already, so the headers that describe its encoding go.
        kept = [(k, v) for k, v in response.headers.multi_items()
                if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=kept, content=b"".join(chunks),
                              request=response.request)

    def decode(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            start = printable(response.content[:80].decode("utf-8", "replace"))
            raise ProviderError(
                f"{self.where} answered HTTP {response.status_code} with a body that is not "
                f"JSON ({self.mask(start)!r}...); check that APIARY_LLM_BASE_URL points at "
                f"the API itself") from None

    def message(self, response: httpx.Response) -> str:
        """The vendor's error message (``{"error": {"message": ...}}``), masked and short."""
        text = response.text
        try:
            data = json.loads(text)
            error = data.get("error") if isinstance(data, dict) else None
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                text = error["message"]
            elif isinstance(error, str):
                text = error
        except (json.JSONDecodeError, RecursionError):
            pass
        text = printable(self.mask(text))
        return (text[:300] + "...") if len(text) > 300 else (text or "no message")

    def refuse(self, response: Reply) -> ProviderError:
        """The error for a 4xx this module did not handle (bad model name, bad request)."""
        detail = _error_message(response.data)
        return ProviderError(f"{self.where} rejected the request (HTTP {response.status}: "
                             f"{printable(self.mask(detail))[:300]}); check APIARY_LLM_MODEL "
                             "and APIARY_LLM_BASE_URL")


def _error_message(data: Any) -> str:
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    return json.dumps(data)[:300]


def retry_after(headers: Mapping[str, str], default: float) -> float:
    """Seconds to wait before the next attempt: ``retry-after-ms``, ``Retry-After`` (seconds
    or an HTTP date), else ``default``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        if "retry-after-ms" in lowered:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
        value = lowered.get("retry-after")
        if value is None:
            return default
        try:
            return max(0.0, float(value))
        except ValueError:
            when = parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (ValueError, TypeError, OverflowError):
        return default


def token_count(value: Any) -> int:
    """A token count from a usage object; anything but a non-negative integer counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
