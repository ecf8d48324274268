"""Pages from Jinja2 templates, under one layout and one Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from interfaces.web import formatting
from interfaces.web.session import (
    CSRF_FIELD,
    csrf_cookie,
    csrf_token,
    remember_csrf,
    signed_in,
)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# The pages' own style sheet and script (served from /static), nothing inline and
# nothing from elsewhere; forms post only here (docs/adr/0023).
WEB_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["datum"] = formatting.swedish_date
environment.filters["belopp"] = formatting.swedish_amount
environment.filters["status"] = formatting.status_name
environment.filters["riktning"] = formatting.direction_name
environment.filters["slag"] = formatting.kind_name
environment.filters["roll"] = formatting.role_name


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    private: bool = False,
    **context: Any,
) -> HTMLResponse:
    """The template under the layout; `private` pages (staff) are never stored."""
    cookie, new = csrf_cookie(request)
    claims = signed_in(request)
    html = environment.get_template(template).render(
        request=request,
        user=claims,
        roles={r.value for r in claims.roles} if claims else set(),
        csrf_field=CSRF_FIELD,
        csrf_token=csrf_token(request, cookie),
        path=request.url.path,
        **context,
    )
    headers = {"Content-Security-Policy": WEB_POLICY}
    if private or claims is not None:
        headers["Cache-Control"] = "no-store"
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if new:
        remember_csrf(request, response, cookie)
    return response
