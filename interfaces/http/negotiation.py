"""Content negotiation: the offered media type the client's Accept header likes best."""

from __future__ import annotations

from collections.abc import Sequence


def best_match(accept: str, offered: Sequence[str]) -> str | None:
    """The offered type with the highest quality (ties: the first offered), or None.

    Each offered type takes the quality of the most specific range that matches it
    (`text/html` over `text/*` over `*/*`), as RFC 9110 §12.5.1 says.
    """
    ranges = [_parse(part) for part in accept.split(",") if part.strip()] or [("*/*", 1.0)]
    best: tuple[float, int] | None = None
    chosen = None
    for order, media_type in enumerate(offered):
        quality = _quality(media_type, ranges)
        if quality > 0 and (best is None or (quality, -order) > best):
            best, chosen = (quality, -order), media_type
    return chosen


def _parse(part: str) -> tuple[str, float]:
    media_range, *params = (p.strip() for p in part.split(";"))
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = min(max(float(value), 0.0), 1.0)
            except ValueError:
                quality = 0.0
    return media_range.lower(), quality


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    kind = media_type.split("/")[0]
    for candidate in (media_type, f"{kind}/*", "*/*"):
        qualities = [q for r, q in ranges if r == candidate]
        if qualities:
            return max(qualities)
    return 0.0
