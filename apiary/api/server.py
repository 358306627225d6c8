"""Running the API in a uvicorn server; called by ``apiary serve``.

uvicorn handles SIGTERM and SIGINT: it stops accepting connections, lets requests in flight finish
for up to ``graceful_timeout`` seconds, then exits -- what a container orchestrator expects on a
rolling update. Request logs come from :mod:`apiary.api.middleware` as JSON lines, so uvicorn's
own access log is switched off rather than written twice in two formats.
"""

from __future__ import annotations

from typing import Final

import uvicorn
from starlette.types import ASGIApp

from apiary.api.app import DEFAULT_MAX_BODY_BYTES, create_app
from apiary.api.logs import configure_logging
from apiary.engine import Runtime

DEFAULT_GRACEFUL_TIMEOUT: Final = 30


def serve(runtime: Runtime, host: str = "127.0.0.1", port: int = 8000, *,
          graceful_timeout: int = DEFAULT_GRACEFUL_TIMEOUT,
          max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, proxy_headers: bool = False) -> None:
    """Serve ``runtime`` until the process is told to stop; blocks.

    ``proxy_headers`` trusts ``X-Forwarded-*`` from the loopback address only (uvicorn's default
    ``forwarded_allow_ips``); turn it on when a reverse proxy runs on the same host.
    """
    run_asgi(create_app(runtime, max_body_bytes=max_body_bytes), host, port,
             graceful_timeout=graceful_timeout, proxy_headers=proxy_headers)


def run_asgi(app: ASGIApp, host: str, port: int, *,
             graceful_timeout: int = DEFAULT_GRACEFUL_TIMEOUT,
             proxy_headers: bool = False) -> None:
    """Run any ASGI app (the API alone, or the whole site) with these server settings."""
    configure_logging()
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        timeout_graceful_shutdown=graceful_timeout,
        access_log=False,
        proxy_headers=proxy_headers,
        server_header=False,
        lifespan="off",
    )
    uvicorn.Server(config).run()
