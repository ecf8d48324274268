"""Answers of read-model queries kept as bytes while the read models stand still.

Read models change only when the projector commits, so a page asked for again at the
same read-model position is the same page: it is served from memory, without a query.
The position is what `Freshness` knows the read models have reached, so a reader that
must see a later write waits first, and its page is made afresh.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import parse_qsl

from fastapi import Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.values import Role
from infrastructure.system import System
from infrastructure.tokens import TokenClaims, TokenRefused, Tokens
from interfaces.http.deps import POSITION_COOKIE
from interfaces.http.negotiation import best_match
from interfaces.http.spreadsheets import LIST_TYPES

MAX_PAGES = 2048


Key = tuple[str, ...]
P = TypeVar("P", bound=BaseModel)
# Who may have a page: the roles of its route, or None for the public.
Readers = frozenset[Role] | None


@functools.lru_cache(maxsize=4096)
def page_key(path: str, query_string: bytes) -> Key:
    """The same key for the same question, however its parameters are ordered."""
    asked = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return (path, *sorted(f"{k}={v}" for k, v in asked))


class PageCache:
    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self._pages: OrderedDict[Key, tuple[bytes, Readers]] = OrderedDict()
        self._making: dict[tuple[int, Key], asyncio.Future[bytes | None]] = {}
        self._position = -1
        self._lock = threading.Lock()
        self.max_pages = max_pages

    def get(self, position: int, key: Key) -> tuple[bytes, Readers] | None:
        with self._lock:
            if position != self._position:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    async def made_once(
        self,
        position: int,
        key: Key,
        readers: Readers,
        query: Callable[[], P],
        keep: Callable[[P], bool] = lambda _: True,
    ) -> bytes:
        """The page made by one query, however many requests ask for it at once; a page
        `keep` refuses is neither kept nor shared (each request makes its own)."""
        making = self._making.get((position, key))
        if making is not None:
            shared = await asyncio.shield(making)
            if shared is not None:
                return shared
            return (await run_in_threadpool(query)).model_dump_json().encode()
        making = asyncio.get_running_loop().create_future()
        self._making[(position, key)] = making
        try:
            answer = await run_in_threadpool(query)
            page, kept = answer.model_dump_json().encode(), keep(answer)
        except BaseException as error:
            making.set_exception(error)
            making.exception()  # retrieved: the waiters get it, nobody else must
            raise
        finally:
            del self._making[(position, key)]
        making.set_result(page if kept else None)
        if kept:
            self.put(position, key, page, readers)
        return page

    def put(self, position: int, key: Key, page: bytes, readers: Readers) -> None:
        with self._lock:
            if position > self._position:
                self._pages.clear()
                self._position = position
            if position == self._position:
                self._pages[key] = (page, readers)
                if len(self._pages) > self.max_pages:
                    self._pages.popitem(last=False)


async def cached_page(
    request: Request,
    readers: Readers,
    query: Callable[[], P],
    keep: Callable[[P], bool] = lambda _: True,
) -> Response:
    """The query's answer as JSON, from memory when the read models have not moved.

    `readers` are the roles the route admits (None: the public); a page is served from
    memory, ahead of the route, only to a caller the route would admit. A signed-in
    caller's pages are their own (what they may read depends on who they are), and a
    page that `keep` refuses (one showing secret parts, which each read must log) is
    made afresh every time."""
    system: System = request.app.state.system
    pages: PageCache = request.app.state.pages
    freshness = system.freshness
    if freshness.claim_a_look():
        await run_in_threadpool(freshness.look)
    position = freshness.projected
    key = page_key(request.url.path, request.scope["query_string"])
    if readers is not None:
        tokens: Tokens = request.app.state.tokens
        key = (*key, _reader_key(Headers(scope=request.scope), tokens) or "")
    found = pages.get(position, key)
    page = found[0] if found else await pages.made_once(position, key, readers, query, keep)
    return Response(page, media_type="application/json")


class KnownPages:
    """Answer a GET from memory when the page is known at the read models' position and
    the caller may have it; everything else goes on to the routes, which check and make
    the page. Skipping the routing and the dependencies is what makes a repeated read
    nearly as fast as the framework itself (BENCHMARKS.md)."""

    def __init__(self, app: ASGIApp, pages: PageCache, system: Callable[[], System]) -> None:
        self.app = app
        self.pages = pages
        self.system = system

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = self._known(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if page is None:
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(page)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": page})

    def _known(self, scope: Scope) -> bytes | None:
        try:
            system = self.system()
        except AttributeError:  # not started yet
            return None
        freshness = system.freshness
        if freshness.claim_a_look():
            # Meanwhile the pages known stand: what this process wrote, and what its
            # callers carry, is checked below against what the read models hold.
            asyncio.get_running_loop().run_in_executor(None, freshness.look_quietly)
        key = page_key(scope["path"], scope["query_string"])
        asked = _Asked.of(scope)
        if asked.accept is not None and not _asks_for_json(asked.accept):
            return None  # a spreadsheet of the list: the route makes it
        claims = None
        if asked.authorization is not None:
            claims = _bearer_claims(asked.authorization, scope["app"].state.tokens)
        reader = _reader_of(claims) if claims is not None else None
        found = self.pages.get(freshness.projected, key if reader is None else (*key, reader))
        if found is None:
            return None
        page, readers = found
        carried = _carried(asked.positions, key)
        if any(c < 0 for c in carried) or freshness.projected < max([freshness.head, *carried]):
            return None
        if readers is not None:
            if claims is None or not readers.intersection(claims.roles):
                return None
            scope.setdefault("state", {})["actor"] = claims.subject
        return page


@dataclass
class _Asked:
    """What a kept page depends on in a request's headers, read in one pass."""

    accept: str | None = None
    authorization: str | None = None
    positions: list[str] = field(default_factory=list)  # header first, then cookies

    @classmethod
    def of(cls, scope: Scope) -> _Asked:
        asked, cookies = cls(), []
        for name, value in scope["headers"]:
            if name == b"accept" and asked.accept is None:
                asked.accept = value.decode("latin-1")
            elif name == b"authorization" and asked.authorization is None:
                asked.authorization = value.decode("latin-1")
            elif name == b"fundcase-position" and not asked.positions:
                asked.positions.append(value.decode("latin-1"))
            elif name == b"cookie":
                cookies.append(value.decode("latin-1"))
        asked.positions += _cookie(cookies, POSITION_COOKIE)
        return asked


@functools.lru_cache(maxsize=256)
def _asks_for_json(accept: str) -> bool:
    return best_match(accept, LIST_TYPES) == "application/json"


def _carried(given: list[str], key: Key) -> list[int]:
    """Positions the caller asks to see (-1 for anything the routes must judge)."""
    given = given + [part.split("=", 1)[1] for part in key[1:] if part.startswith("min_position=")]
    return [int(g) if g.isdigit() and len(g) <= 18 else -1 for g in given]


def _cookie(cookies: list[str], name: str) -> list[str]:
    found = []
    for cookie in cookies:
        for part in cookie.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                found.append(value)
    return found


def _reader_key(headers: Headers, tokens: Tokens) -> str | None:
    """Who the signed-in caller is, as far as what they may read depends on it."""
    claims = _bearer_claims(headers.get("authorization", ""), tokens)
    return _reader_of(claims) if claims is not None else None


def _bearer_claims(authorization: str, tokens: Tokens) -> TokenClaims | None:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return tokens.verify(token.strip())
    except TokenRefused:
        return None


@functools.lru_cache(maxsize=1024)
def _reader_of(claims: TokenClaims) -> str:
    return "reader=" + json.dumps([claims.subject, claims.unit, sorted(claims.roles)])
