"""Files of documents: what the use cases need of the store that keeps their bytes.

The bytes are kept under their SHA-256 (the same file twice is kept once). An upload is
received into the store aside, hashed as it streams in, and kept under its hash only
after the event that attaches it is saved; a refused or interrupted upload is discarded
(docs/adr/0017). The store is infrastructure's (a folder on disk by default)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from domain.case import FileNameMustBeAPlainName
from domain.rules import check


class FileTooLarge(Exception):
    """The upload went over the store's limit; nothing of it is kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is over the limit of {limit} bytes")
        self.limit = limit


class StoredFileMissing(Exception):
    """The event names bytes the store does not hold (see `fundcase files verify`)."""


class ReceivedFile(Protocol):
    """An upload received in full and hashed, not yet kept under its hash."""

    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def media_type(self) -> str:
        """Sniffed from the content, never taken from the client."""
        ...

    def keep(self) -> None:
        """Keep the bytes under their hash (once; the same bytes are kept once)."""
        ...

    def discard(self) -> None:
        """Forget the bytes received: nothing of them stays."""
        ...


class Receiving(Protocol):
    """An upload as it streams in: written aside, hashed, counted against the limit."""

    def write(self, chunk: bytes) -> None:
        """Raises FileTooLarge (having discarded what it had) past the limit."""
        ...

    def finish(self) -> ReceivedFile: ...
    def discard(self) -> None: ...


@dataclass(frozen=True)
class FileCheck:
    """One stored file as `fundcase files verify` found it."""

    sha256: str
    state: str  # "intact", "differs" or "missing"
    found_sha256: str | None = None


class FileStore(Protocol):
    """Where files' bytes are kept, by SHA-256: a folder, PostgreSQL, an object store."""

    def receive(self, limit: int) -> Receiving: ...
    def read(self, sha256: str) -> Iterator[bytes]:
        """The bytes in chunks; raises StoredFileMissing if the store lacks them."""
        ...

    def verify(self, sha256s: Iterable[str]) -> Iterator[FileCheck]:
        """Rehash each file named: intact, differs or missing."""
        ...


def file_name(raw: str) -> str:
    """A file's name as given, if it is a plain name (no folders or control characters)."""
    check(FileNameMustBeAPlainName(raw), "name")
    return raw.strip()
