"""The web UI: server-rendered pages over the engine, beside the REST API.

    create_site(runtime, secret_key, api) -> Starlette   the API app + web UI (docs/web.md)
    secret_key(settings) -> str                          the session signing key

Pages hold no rules: every read and write is an engine call for the signed-in user, whose
refusals and field problems are shown on the page.
"""

from apiary.web.secrets import secret_key
from apiary.web.site import create_site

__all__ = ["create_site", "secret_key"]
