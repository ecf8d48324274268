"""Cross-cutting HTTP behaviour: request ids and access log, body limit, idempotent POSTs."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import secrets
import time
from collections.abc import Callable

import structlog
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.idempotency import (
    Claim,
    IdempotencyStore,
    KeyTaken,
    Mismatch,
    Stored,
    current_claim,
)
from infrastructure.tokens import TokenRefused, Tokens
from interfaces.http.problems import internal_error, problem_response
from interfaces.http.uploads import UPLOAD_PATH, is_multipart

log = structlog.get_logger("fundcase.http")

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")
REPLAYED = "idempotent-replayed"


class RequestContext:
    """A request id for every request (given or made), in every log line and answer.

    One access-log line per request: method, path, status, time. The query string
    and headers are left out: they can carry search text or tokens. An error nobody
    foresaw is logged (with its stack) and answered 500 here, so that the log line,
    the problem body and the X-Request-ID header name the same request; the stack
    never reaches the client.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and REQUEST_ID.fullmatch(given) else new_request_id()
        # The service's own id for what it keeps (the read log): a client's may be anything.
        own_id = request_id if request_id != given else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        scope["state"]["own_request_id"] = own_id
        status, answering = 500, False
        started = time.perf_counter()
        id_header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status, answering
            if message["type"] == "http.response.start":
                status, answering = message["status"], True
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        ids = {"request_id": request_id} | (
            {"own_request_id": own_id} if own_id != request_id else {}
        )
        bound = structlog.contextvars.bind_contextvars(**ids)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            log.error("unexpected_error", exc_info=error)
            if answering:  # part of the answer is out: the server must cut it off
                raise
            await internal_error(request_id)(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                actor=scope["state"].get("actor"),
            )
            structlog.contextvars.reset_contextvars(**bound)


class _RequestIds:
    """Request ids as uuid4's hex is written, made without a system call each: 20 random
    hex digits per process, then a counter. Unique across processes (a process started
    by fork draws its own digits) and never repeated within one."""

    def __init__(self) -> None:
        self._pid = -1
        self._prefix = ""
        self._counter = itertools.count()

    def __call__(self) -> str:
        if self._pid != os.getpid():
            self._pid, self._prefix = os.getpid(), secrets.token_hex(10)
        return f"{self._prefix}{next(self._counter) % 16**12:012x}"


new_request_id = _RequestIds()


def _header(scope: Scope, name: bytes) -> str | None:
    """A request header's first value (`name` in lower case), without building Headers."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def is_upload(scope: Scope) -> bool:
    return scope["method"] == "POST" and UPLOAD_PATH.fullmatch(scope["path"]) is not None


class BodyLimit:
    """Refuse bodies over the limit, whether or not they say their length.

    An upload of a file (interfaces/http/uploads.py) has a limit of its own and is
    streamed on as it comes: the route counts it and removes what it received if it
    goes over. Other paths that take files (an import) have limits of their own."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_max_bytes: int,
        larger: dict[str, int] | None = None,
        multipart_upload_max_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        # A multipart upload may carry several files, each up to the limit of one.
        self.multipart_upload_max_bytes = multipart_upload_max_bytes or upload_max_bytes
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"].rstrip("/"), self.max_bytes)
        declared = Headers(scope=scope).get("content-length")
        if is_upload(scope):
            upload_limit = (
                self.multipart_upload_max_bytes
                if is_multipart(Headers(scope=scope).get("content-type"))
                else self.upload_max_bytes
            )
            if declared is not None and (not declared.isdigit() or int(declared) > upload_limit):
                await self._refuse(scope, receive, send, upload_limit)
                return
            await self.app(scope, receive, send)
            return
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, limit)
            return
        if declared is not None or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        # A body of unstated length (chunked): read it here, up to the limit, then pass it on.
        chunks, seen = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                await self._refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replayed_body(b"".join(chunks)), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        detail = f"The request body is over the limit of {limit} bytes."
        await problem_response(None, 413, detail, kind="too-large")(scope, receive, send)


class Idempotency:
    """A POST with an Idempotency-Key is done once per caller and key.

    A write's answer is kept in the transaction of its events (docs/adr/0025): the
    request runs with a `Claim`, and the event store keeps the answer with the events,
    or records nothing when another request with the key kept one first; this request
    then gives that answer. An answer that recorded nothing (a refusal) is kept after
    it is given, unless another was kept first. A retry gets the kept answer back (with
    `Idempotent-Replayed: true`); the same key with a different request is refused
    (422). Answers of 5xx are not kept, so a retry after a failure on our side does
    the work, unless the work had been recorded: then it gets that work's answer.
    """

    def __init__(
        self,
        app: ASGIApp,
        store: Callable[[Scope], IdempotencyStore],
        tokens: Callable[[Scope], Tokens],
    ) -> None:
        self.app = app
        self.store = store
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # An upload is not read twice (its own name and content make a retry harmless:
        # the same file sent again answers the file attached then).
        if scope["type"] != "http" or scope["method"] != "POST" or is_upload(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        if not IDEMPOTENCY_KEY.fullmatch(key):
            detail = "Idempotency-Key must be 1 to 200 visible ASCII characters."
            await problem_response(None, 400, detail, kind="idempotency-key")(scope, receive, send)
            return
        caller = _caller(self.tokens(scope), headers.get("authorization", ""))
        if caller is None:  # not authenticated: the route answers 401 as usual
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        fingerprint = hashlib.sha256(
            b"\n".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    body,
                ]
            )
        ).hexdigest()
        store = self.store(scope)
        kept = await run_in_threadpool(store.find, caller, key, fingerprint)
        if kept is not None:
            await _give(kept, scope, receive, send, replayed=True)
            return
        claim = Claim(caller, key, fingerprint)
        claimed = current_claim.set(claim)
        try:
            answer = await _capture(self.app, scope, _replayed_body(body))
        except KeyTaken:  # another request with this key recorded its work first
            first = await run_in_threadpool(store.find, caller, key, fingerprint)
            assert first is not None, "a kept answer is removed only after a day"
            await _give(first, scope, receive, send, replayed=True)
            return
        except Exception:
            if claim.recorded is None:
                raise  # answered 500 further out: a retry does the work
            answer = claim.recorded  # the work was recorded: its answer is the answer
        finally:
            current_claim.reset(claimed)
        if claim.recorded is not None:
            await _give(claim.recorded, scope, receive, send, replayed=False)
        elif answer.status >= 500:
            await _give(answer, scope, receive, send, replayed=False)
        else:
            first = await run_in_threadpool(store.keep, caller, key, fingerprint, answer)
            await _give(first, scope, receive, send, replayed=first is not answer)
        await run_in_threadpool(store.expire_sometimes)


def _caller(tokens: Tokens, authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return tokens.verify(token.strip()).subject
    except TokenRefused:
        return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replayed_body(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> Stored:
    """Run the request and keep its answer, to be given once it is known to be kept."""
    status, headers, chunks = 500, [], []

    async def keep(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = [
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])
            ]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    kept = [(k, v) for k, v in headers if k.lower() not in ("x-request-id", "content-length")]
    return Stored(status, kept, b"".join(chunks))


async def _give(
    answer: Stored | Mismatch, scope: Scope, receive: Receive, send: Send, *, replayed: bool
) -> None:
    if isinstance(answer, Mismatch):
        detail = "This Idempotency-Key was used for a different request."
        await problem_response(None, 422, detail, kind="idempotency-key")(scope, receive, send)
        return
    headers: list[tuple[bytes, bytes]] = [
        (k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers
    ]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    if replayed:
        headers.append((REPLAYED.encode(), b"true"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
