"""Files' bytes in the database, in chunks, each file kept once under its SHA-256: the
store for several API processes on several hosts, which share the database but no
folder (`FUNDCASE_FILES_STORE=database`; docs/adr/0017).

An upload is written as it streams in, a chunk of at most 1 MiB a row, under a key of
its own (`upload-…`), each chunk in its own short transaction, so no transaction and
no process holds the whole file. Keeping it moves its chunks to the hash's key and
records the file, in one transaction; if the hash is kept already, the upload's chunks
are dropped instead. A refused or interrupted upload's chunks are deleted."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from application.cases.files import FileCheck, FileTooLarge, StoredFileMissing
from infrastructure.files import Tally
from infrastructure.readmodels import file_chunks, stored_files, writer

CHUNK = 1 << 20
UPLOAD = "upload-"


class DatabaseFileStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def receive(self, limit: int) -> DatabaseReceiving:
        return DatabaseReceiving(self, f"{UPLOAD}{uuid4().hex}", Tally(limit))

    def read(self, sha256: str) -> Iterator[bytes]:
        with self.engine.connect() as conn:
            chunks = conn.execute(
                select(stored_files.c.chunks).where(stored_files.c.sha256 == sha256)
            ).scalar()
        if chunks is None:
            raise StoredFileMissing(sha256)
        return self._chunks(sha256, chunks)

    def _chunks(self, key: str, count: int) -> Iterator[bytes]:
        for n in range(count):  # one chunk a query: never the whole file at once
            with self.engine.connect() as conn:
                data = conn.execute(
                    select(file_chunks.c.data).where(file_chunks.c.key == key, file_chunks.c.n == n)
                ).scalar()
            if data is None:
                raise StoredFileMissing(key)
            yield bytes(data)

    def verify(self, sha256s: Iterable[str]) -> Iterator[FileCheck]:
        for sha256 in sha256s:
            digest = hashlib.sha256()
            try:
                for chunk in self.read(sha256):
                    digest.update(chunk)
            except StoredFileMissing:
                yield FileCheck(sha256, "missing")
                continue
            found = digest.hexdigest()
            yield FileCheck(sha256, "intact" if found == sha256 else "differs", found)

    def received_aside(self) -> list[str]:
        """Uploads not (yet) kept: none unless one is being received now."""
        with self.engine.connect() as conn:
            keys = conn.execute(
                select(file_chunks.c.key).where(file_chunks.c.key.like(f"{UPLOAD}%")).distinct()
            ).scalars()
            return sorted(keys)

    def stored(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.execute(select(stored_files.c.sha256)).scalars())

    def drop(self, key: str) -> None:
        with writer(self.engine).begin() as conn:
            conn.execute(delete(file_chunks).where(file_chunks.c.key == key))


@dataclass
class DatabaseReceiving:
    store: DatabaseFileStore
    key: str
    tally: Tally
    chunks: int = 0
    pending: bytearray = field(default_factory=bytearray)

    def write(self, chunk: bytes) -> None:
        if not self.tally.counted(chunk):
            self.discard()
            raise FileTooLarge(self.tally.limit)
        self.pending += chunk
        while len(self.pending) >= CHUNK:
            self._flush(bytes(self.pending[:CHUNK]))
            del self.pending[:CHUNK]

    def _flush(self, data: bytes) -> None:
        with writer(self.store.engine).begin() as conn:
            conn.execute(insert(file_chunks).values(key=self.key, n=self.chunks, data=data))
        self.chunks += 1

    def finish(self) -> DatabaseReceived:
        if self.pending:
            self._flush(bytes(self.pending))
            self.pending.clear()
        tally = self.tally
        return DatabaseReceived(
            self.store, self.key, self.chunks, tally.sha256, tally.size, tally.media_type
        )

    def discard(self) -> None:
        self.pending.clear()
        self.store.drop(self.key)


@dataclass(frozen=True)
class DatabaseReceived:
    store: DatabaseFileStore
    key: str
    chunks: int
    sha256: str
    size: int
    media_type: str

    def keep(self) -> None:
        try:
            with writer(self.store.engine).begin() as conn:
                kept = conn.execute(
                    select(func.count()).where(stored_files.c.sha256 == self.sha256)
                ).scalar_one()
                if kept:
                    conn.execute(delete(file_chunks).where(file_chunks.c.key == self.key))
                    return
                conn.execute(
                    update(file_chunks).where(file_chunks.c.key == self.key).values(key=self.sha256)
                )
                conn.execute(
                    insert(stored_files).values(
                        sha256=self.sha256,
                        size=self.size,
                        chunks=self.chunks,
                        stored_at=datetime.now(UTC).replace(tzinfo=None),
                    )
                )
        except IntegrityError:  # another process kept the same bytes a moment before
            self.store.drop(self.key)

    def discard(self) -> None:
        self.store.drop(self.key)
