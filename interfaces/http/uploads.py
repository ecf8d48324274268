"""Uploads streamed into the file store as they arrive, never held in memory.

Two ways to send files: a raw body, one file (`Content-Disposition: attachment;
filename=...`, RFC 6266, `filename*` for any letters), or `multipart/form-data` with one
or more parts named `file`, each with a filename. Either way the bytes go to the store's
`incoming/` chunk by chunk, hashed and counted, each file against the limit of one; past
the limit, on a refusal or when the client goes away, everything received is removed:
an upload is attached whole or not at all (docs/adr/0019)."""

from __future__ import annotations

import email.message
import re
from dataclasses import dataclass, field

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from application.cases.files import FileStore, FileTooLarge, ReceivedFile, Receiving, file_name
from interfaces.http.problems import Problem

UPLOAD_PATH = re.compile(r"/api/v1/cases/[^/]+/documents/[^/]+/files/?")
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around a file's bytes
MAX_FILES = 20  # files in one multipart upload, each up to the limit of one

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file: a raw body with `Content-Disposition: attachment; "
        "filename=\"Ansökan.pdf\"` (or `filename*=UTF-8''...`); or several files: "
        f"multipart/form-data with one or more (at most {MAX_FILES}) parts named `file`, "
        "each with a filename, attached all or none. Each file's media type is sniffed "
        "from its content.",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "maxItems": MAX_FILES,
                        }
                    },
                }
            },
        },
    }
}


def disposition_filename(value: str | None) -> str | None:
    if not value:
        return None
    header = email.message.Message()
    header["content-disposition"] = value
    found = header.get_filename()
    return None if found is None else str(found)


def _refused(detail: str, rule: str = "FileMustHaveAName", field: str = "name") -> Problem:
    return Problem(
        422, detail, kind="validation", rule=rule, errors=[{"field": field, "message": detail}]
    )


def _missing_name(detail: str) -> Problem:
    return _refused(detail)


def _malformed(detail: str) -> Problem:
    return _refused(detail, "MultipartBodyMustHoldWholeFiles", "file")


async def receive_upload(
    request: Request, store: FileStore, limit: int
) -> list[tuple[str, ReceivedFile]]:
    """The upload's files, each by name with its bytes, received into the store aside
    (each up to `limit`). A refusal or a cut-off removes every one of them."""
    content_type = request.headers.get("content-type", "")
    if is_multipart(content_type):
        return await _multipart(request, store, limit, content_type)
    raw = disposition_filename(request.headers.get("content-disposition"))
    if raw is None:
        raise _missing_name('Name the file: Content-Disposition: attachment; filename="...".')
    name = file_name(raw)
    receiving = store.receive(limit)
    return [(name, await _stream(request, receiving))]


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").lower().startswith("multipart/form-data")


async def _stream(request: Request, receiving: Receiving) -> ReceivedFile:
    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(receiving.write, chunk)
        return await run_in_threadpool(receiving.finish)
    except FileTooLarge as refusal:  # what was received is removed already
        raise _too_large(refusal) from None
    except ClientDisconnect:
        await run_in_threadpool(receiving.discard)
        raise _cut_off() from None
    except BaseException:  # refused, or failed
        await run_in_threadpool(receiving.discard)
        raise


def _cut_off() -> Problem:
    """The client went away before the body ended: nothing was kept (if anyone hears)."""
    return Problem(
        400, "The upload was cut off before it ended; nothing was kept.", kind="upload-cut-off"
    )


def _too_large(refusal: FileTooLarge) -> Problem:
    return Problem(
        413,
        f"The file is over the limit of {refusal.limit} bytes; nothing was kept.",
        kind="too-large",
    )


@dataclass
class _Parts:
    """The multipart body's parts as they stream by: each part named `file` is a file,
    received into the store as it comes; other parts are ignored."""

    store: FileStore
    limit: int
    received: list[tuple[str, ReceivedFile]] = field(default_factory=list)
    receiving: Receiving | None = None
    name: str = ""
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_field: bytes = b""
    header_value: bytes = b""

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.field_data,
            "on_header_value": self.value_data,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self.headers = {}

    def field_data(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def value_data(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def headers_finished(self) -> None:
        disposition = self.headers.get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        if options.get(b"name") != b"file":
            return
        if len(self.received) >= MAX_FILES:
            raise _refused(
                f"Send at most {MAX_FILES} files in one upload.",
                "UploadMustHoldAtMostTheFilesAllowed",
                "file",
            )
        raw = disposition_filename(disposition.decode("utf-8", errors="replace"))
        if raw is None:
            raise _missing_name(f"Part {len(self.received) + 1} named `file` needs a filename.")
        self.name = file_name(raw)
        self.receiving = self.store.receive(self.limit)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.receiving is not None:
            self.receiving.write(data[start:end])

    def part_end(self) -> None:
        if self.receiving is not None:
            receiving, self.receiving = self.receiving, None
            self.received.append((self.name, receiving.finish()))

    def discard(self) -> None:
        """Forget every file of the body: those received and the one arriving."""
        if self.receiving is not None:
            self.receiving.discard()
            self.receiving = None
        for _, received in self.received:
            received.discard()
        self.received.clear()


async def _multipart(
    request: Request, store: FileStore, limit: int, content_type: str
) -> list[tuple[str, ReceivedFile]]:
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise Problem(422, "A multipart/form-data body needs its boundary.", kind="validation")
    parts = _Parts(store, limit)
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(parser.write, chunk)
        parser.finalize()
    except FileTooLarge as refusal:  # the file over the limit is removed already
        await run_in_threadpool(parts.discard)
        raise _too_large(refusal) from None
    except ClientDisconnect:
        await run_in_threadpool(parts.discard)
        raise _cut_off() from None
    except MultipartParseError:
        await run_in_threadpool(parts.discard)
        raise _malformed("The multipart/form-data body is malformed.") from None
    except BaseException:
        await run_in_threadpool(parts.discard)
        raise
    if parts.receiving is not None:  # the body stopped inside a file: it is not whole
        await run_in_threadpool(parts.discard)
        raise _malformed("The multipart body ended before a file's part did.")
    if not parts.received:
        raise _missing_name("The multipart body has no part named `file` with a filename.")
    return list(parts.received)
