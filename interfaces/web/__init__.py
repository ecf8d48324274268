"""The web pages: the public e-diarium at /diarium and the staff pages at /app.

Server-rendered HTML (Jinja2) from the same use cases and read-model queries as the
API; forms post back to the page that shows them; no script is needed (docs/adr/0022).
"""
