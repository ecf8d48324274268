"""Security headers on every answer, and the API reference page with its own policy.

Every answer says `nosniff` (a browser never guesses a type other than the one sent),
`no-referrer` and `DENY` (no page of ours is framed). An answer to a request that
carries a token (an Authorization header) says `no-store`: no browser or proxy keeps
case data. HTML gets a Content-Security-Policy: the decision documents may use their
own inline style and nothing else; `/docs` loads Swagger UI from its CDN package and
runs only its one inline script, allowed by hash. The headers are added on the way
out, so answers made ahead of routing (kept pages, refusals of middleware) get them
too (docs/adr/0014).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from fastapi.openapi.docs import get_swagger_ui_html
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EVERY_ANSWER = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
NO_STORE = "no-store"
# HTML of our own (decision documents): its inline <style>, nothing to load or run.
HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"
SWAGGER_FAVICON = "https://fastapi.tiangolo.com/img/favicon.png"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@dataclass(frozen=True)
class DocsPage:
    """The Swagger UI page and the policy that lets exactly it run."""

    html: bytes
    policy: str


def docs_page(openapi_url: str, title: str) -> DocsPage:
    """Swagger UI from its CDN package (that path only), its inline start-up script by
    hash, styles it sets inline, its SVG icons as data: URLs, and the OpenAPI document
    from here."""
    html = bytes(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{SWAGGER_UI}swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI}swagger-ui.css",
            swagger_favicon_url=SWAGGER_FAVICON,
        ).body
    )
    scripts = " ".join(f"'{script_hash(s)}'" for s in _INLINE_SCRIPT.findall(html.decode()))
    policy = (
        f"default-src 'none'; script-src {SWAGGER_UI} {scripts}; "
        f"style-src {SWAGGER_UI} 'unsafe-inline'; img-src 'self' data: {SWAGGER_FAVICON}; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return DocsPage(html, policy)


def script_hash(script: str) -> str:
    """A CSP hash source for an inline script, e.g. `sha256-...`."""
    digest = hashlib.sha256(script.encode()).digest()
    return f"sha256-{base64.b64encode(digest).decode()}"


class SecurityHeaders:
    """Adds the headers above to every HTTP answer on its way out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authenticated = "authorization" in Headers(scope=scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", []))
                _add(MutableHeaders(scope=message), authenticated)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _add(headers: MutableHeaders, authenticated: bool) -> None:
    for name, value in EVERY_ANSWER.items():
        headers[name] = value
    if authenticated:
        headers["Cache-Control"] = NO_STORE
    html = headers.get("content-type", "").startswith("text/html")
    if html and "content-security-policy" not in headers:
        headers["Content-Security-Policy"] = HTML_POLICY
