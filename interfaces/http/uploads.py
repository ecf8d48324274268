"""Uploads streamed into the file store as they arrive, never held in memory.

Two ways to send a file: a raw body (`Content-Disposition: attachment; filename=...`,
RFC 6266, `filename*` for any letters) or `multipart/form-data` with one part named
`file` that has a filename. Either way the bytes go to the store's `incoming/` chunk by
chunk, hashed and counted; past the limit, on a refusal or when the client goes away,
what was received is removed."""

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
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file's bytes

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file: a raw body with `Content-Disposition: attachment; "
        "filename=\"Ansökan.pdf\"` (or `filename*=UTF-8''...`), or multipart/form-data "
        "with one part named `file`. The media type is sniffed from the content.",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
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
    return _refused(detail, "MultipartBodyMustHoldOneWholeFile", "file")


async def receive_upload(
    request: Request, store: FileStore, limit: int
) -> tuple[str, ReceivedFile]:
    """The upload's file name and its bytes, received into the store aside."""
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        return await _multipart(request, store, limit, content_type)
    raw = disposition_filename(request.headers.get("content-disposition"))
    if raw is None:
        raise _missing_name('Name the file: Content-Disposition: attachment; filename="...".')
    name = file_name(raw)
    receiving = store.receive(limit)
    return name, await _stream(request, receiving)


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
    """The multipart body's parts as they stream by: one file, the rest ignored."""

    store: FileStore
    limit: int
    receiving: Receiving | None = None
    in_file: bool = False
    file_ended: bool = False
    names: list[str] = field(default_factory=list)
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
        self.headers, self.in_file = {}, False

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
        if self.receiving is not None:
            raise _malformed("Send one file per upload: one part named `file`.")
        raw = disposition_filename(disposition.decode("utf-8", errors="replace"))
        if raw is None:
            raise _missing_name("The part named `file` needs a filename.")
        self.names.append(file_name(raw))
        self.receiving = self.store.receive(self.limit)
        self.in_file = True

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file and self.receiving is not None:
            self.receiving.write(data[start:end])

    def part_end(self) -> None:
        if self.in_file:
            self.file_ended, self.in_file = True, False


async def _multipart(
    request: Request, store: FileStore, limit: int, content_type: str
) -> tuple[str, ReceivedFile]:
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
    except FileTooLarge as refusal:
        raise _too_large(refusal) from None
    except ClientDisconnect:
        if parts.receiving is not None:
            await run_in_threadpool(parts.receiving.discard)
        raise _cut_off() from None
    except MultipartParseError:
        if parts.receiving is not None:
            await run_in_threadpool(parts.receiving.discard)
        raise _malformed("The multipart/form-data body is malformed.") from None
    except BaseException:
        if parts.receiving is not None:
            await run_in_threadpool(parts.receiving.discard)
        raise
    if parts.receiving is None:
        raise _missing_name("The multipart body has no part named `file` with a filename.")
    if not parts.file_ended:  # the body stopped inside the file: it is not whole
        await run_in_threadpool(parts.receiving.discard)
        raise _malformed("The multipart body ended before the file's part did.")
    try:
        return parts.names[0], await run_in_threadpool(parts.receiving.finish)
    except BaseException:
        await run_in_threadpool(parts.receiving.discard)
        raise
