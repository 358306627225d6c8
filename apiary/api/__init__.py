"""The REST API: HTTP in, one engine call, JSON or problem+json out.

    create_app(runtime, max_body_bytes=1_048_576) -> Starlette   the ASGI app (docs/api.md)
    openapi_document(app, server_url=None) -> dict                an app's OpenAPI 3.1 document
    serve(runtime, host, port)                                    run it in uvicorn; blocks

The API holds no rules: permissions, validation and workflows are the engine's. It owns the HTTP
shapes -- routes, parameters, problem+json errors, request ids and request logs.
"""

from apiary.api.app import create_app
from apiary.api.openapi import openapi_document
from apiary.api.server import serve

__all__ = ["create_app", "openapi_document", "serve"]
