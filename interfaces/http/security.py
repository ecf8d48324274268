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
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi.openapi.docs import get_swagger_ui_html
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
        authenticated = any(name == b"authorization" for name, _ in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(
                    message.get("headers", ()), authenticated
                )
            await send(message)

        await self.app(scope, receive, send_with_headers)


RawHeaders = list[tuple[bytes, bytes]]
_EVERY_ANSWER = [(name.lower().encode(), value.encode()) for name, value in EVERY_ANSWER.items()]
_NO_STORE = (b"cache-control", NO_STORE.encode())
_HTML_POLICY = (b"content-security-policy", HTML_POLICY.encode())
_SET_HERE = {name for name, _ in _EVERY_ANSWER}
_SET_HERE_WITH_TOKEN = _SET_HERE | {_NO_STORE[0]}


def with_security_headers(
    headers: Iterable[tuple[bytes, bytes]], authenticated: bool
) -> RawHeaders:
    """An answer's headers with ours: ours replace any of the same name, and an HTML
    answer that brings no policy of its own gets ours (raw ASGI headers: a hot path)."""
    replaced = _SET_HERE_WITH_TOKEN if authenticated else _SET_HERE
    kept = [(name, value) for name, value in headers if name.lower() not in replaced]
    html = has_policy = False
    for name, value in kept:
        lowered = name.lower()
        html = html or (lowered == b"content-type" and value.startswith(b"text/html"))
        has_policy = has_policy or lowered == b"content-security-policy"
    kept += _EVERY_ANSWER
    if authenticated:
        kept.append(_NO_STORE)
    if html and not has_policy:
        kept.append(_HTML_POLICY)
    return kept
