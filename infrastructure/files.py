"""Files' bytes in a folder on disk, each kept once under its SHA-256 (docs/adr/0017).

    FUNDCASE_FILES_DIR/
        sha256/ab/ab12…ef      the bytes of every file whose hash begins ab12…ef
        incoming/              uploads being received, under names of their own

An upload is written into `incoming/` as it streams in, hashed and counted as it goes.
Only when the event that attaches it has been saved is it renamed to its hash (a
rename within one file system: it is there whole or not at all); if those bytes are
kept already, the copy received is removed. A refused, too large or interrupted upload
is removed from `incoming/`, so nothing of it stays.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import filetype

from application.cases.files import FileCheck, FileStore, FileTooLarge, StoredFileMissing

CHUNK = 1 << 16
SNIFFED_BYTES = 8192  # what media types are sniffed from

# What the archive keeps by default: documents, images and plain text, as registrars
# receive them. Executables, scripts and unknown binaries are refused.
ARCHIVABLE = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "image/gif",
    "text/plain",
    "application/xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/msword",
    "application/vnd.ms-excel",
)


def sniff(head: bytes) -> str:
    """The media type of content beginning with `head`, judged by the content alone."""
    found = filetype.guess_mime(head)
    if found:
        return str(found)
    if head.startswith(b"#!"):
        return "text/x-script"
    try:
        # The head may end inside a character: decode it as the start of a text.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "application/octet-stream"
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return "application/octet-stream"
    if text.lstrip("\ufeff \t\r\n").startswith("<?xml"):
        return "application/xml"
    return "text/plain"


class KeptFiles(FileStore, Protocol):
    """A file store that can also list what it holds (the check command, the tests)."""

    def stored(self) -> Sequence[object]: ...
    def received_aside(self) -> Sequence[object]: ...


class DiskFileStore:
    """The embedded default: a folder, which must be on one file system."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming = root / "incoming"
        self.kept = root / "sha256"

    def path_of(self, sha256: str) -> Path:
        return self.kept / sha256[:2] / sha256

    def receive(self, limit: int) -> DiskReceiving:
        self.incoming.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.incoming, prefix="upload-")
        return DiskReceiving(self, Path(name), os.fdopen(handle, "wb"), Tally(limit))

    def read(self, sha256: str) -> Iterator[bytes]:
        try:
            stream = self.path_of(sha256).open("rb")
        except FileNotFoundError:
            raise StoredFileMissing(sha256) from None
        return _chunks(stream)

    def verify(self, sha256s: Iterable[str]) -> Iterator[FileCheck]:
        for sha256 in sha256s:
            path = self.path_of(sha256)
            if not path.is_file():
                yield FileCheck(sha256, "missing")
                continue
            digest = hashlib.sha256()
            with path.open("rb") as stream:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
            found = digest.hexdigest()
            yield FileCheck(sha256, "intact" if found == sha256 else "differs", found)

    def received_aside(self) -> list[Path]:
        """Uploads in `incoming/`: none unless one is being received now."""
        return sorted(self.incoming.glob("*")) if self.incoming.is_dir() else []

    def stored(self) -> list[Path]:
        return sorted(p for p in self.kept.glob("*/*") if p.is_file())


def _chunks(stream: Any) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK):
            yield chunk


@dataclass
class Tally:
    """What an upload has brought so far, whatever keeps it: its size (held to the
    limit), its first bytes (to sniff the media type from) and its hash."""

    limit: int
    size: int = 0
    head: bytes = b""
    digest: Any = field(default_factory=hashlib.sha256)

    def counted(self, chunk: bytes) -> bool:
        """Take the chunk into account; False once the upload is over its limit."""
        self.size += len(chunk)
        if self.size > self.limit:
            return False
        if len(self.head) < SNIFFED_BYTES:
            self.head += chunk[: SNIFFED_BYTES - len(self.head)]
        self.digest.update(chunk)
        return True

    @property
    def sha256(self) -> str:
        return str(self.digest.hexdigest())

    @property
    def media_type(self) -> str:
        return sniff(self.head)


@dataclass
class DiskReceiving:
    store: DiskFileStore
    path: Path
    stream: Any
    tally: Tally

    def write(self, chunk: bytes) -> None:
        if not self.tally.counted(chunk):
            self.discard()
            raise FileTooLarge(self.tally.limit)
        self.stream.write(chunk)

    def finish(self) -> DiskReceived:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        tally = self.tally
        return DiskReceived(self.store, self.path, tally.sha256, tally.size, tally.media_type)

    def discard(self) -> None:
        self.stream.close()
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class DiskReceived:
    store: DiskFileStore
    path: Path
    sha256: str
    size: int
    media_type: str

    def keep(self) -> None:
        target = self.store.path_of(self.sha256)
        if target.is_file():  # the same bytes are kept already: once is enough
            self.path.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path, target)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
