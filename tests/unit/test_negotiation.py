"""Accept headers pick the format a client asked for."""

import pytest

from interfaces.http.negotiation import best_match

OFFERED = ("text/markdown", "text/html", "application/pdf")


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("application/pdf", "application/pdf"),
        ("text/html", "text/html"),
        ("*/*", "text/markdown"),
        ("", "text/markdown"),
        ("text/*;q=0.5, application/pdf", "application/pdf"),
        ("text/html;q=0.9, text/markdown;q=0.8", "text/html"),
        ("text/*", "text/markdown"),
        ("image/png", None),
        ("application/pdf;q=0", None),
        ("text/html;q=abc, application/pdf;q=0.1", "application/pdf"),
    ],
)
def test_the_best_offered_type_is_chosen(accept: str, chosen: str | None) -> None:
    assert best_match(accept, OFFERED) == chosen
