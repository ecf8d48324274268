"""A TCP proxy in front of PostgreSQL whose line can be cut and restored.

Cutting it does to the service what a database outage does: connections in use
break, and new ones are refused, until it is restored on the same port. The shared
test cluster keeps running for every other test meanwhile.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator

from sqlalchemy.engine import make_url


class CuttableProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._at_commit: tuple[bytes, bool] | None = None
        self.commits_cut = 0
        self.restore()

    def url_for(self, database_url: str) -> str:
        """The same database URL, reached through this proxy."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    def cut(self) -> None:
        """Break every connection and refuse new ones."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, []
        for s in [*([listener] if listener else []), *sockets]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def cut_at_commit(self, after: bytes, *, once_committed: bool) -> None:
        """Break the next connection that sends COMMIT after sending `after` (text of a
        statement in its transaction): before the COMMIT reaches the server, or, with
        `once_committed`, once the server has answered it (the client never hears)."""
        self._at_commit = (after, once_committed)

    def restore(self) -> None:
        """Accept connections again, on the same port."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    client.close()
                    upstream.close()
                    return
                self._sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        sent = b""  # what the client sent in its transaction so far, while a cut is armed
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    if s is a and self._at_commit is not None:
                        sent += data
                        if self._commit_cut(sent, data, b):
                            return
                    peers[s].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def _commit_cut(self, sent: bytes, data: bytes, upstream: socket.socket) -> bool:
        """Whether this client data is the armed COMMIT, cut here."""
        armed = self._at_commit
        if armed is None or b"COMMIT" not in data or armed[0] not in sent:
            return False
        with self._lock:
            if self._at_commit is None:
                return False
            self._at_commit = None
        if armed[1]:
            upstream.sendall(data)
            upstream.settimeout(10)
            upstream.recv(65536)  # the server's answer to COMMIT: it has committed
        self.commits_cut += 1
        return True


@contextlib.contextmanager
def cuttable_proxy(database_url: str) -> Iterator[CuttableProxy]:
    url = make_url(database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield proxy
    finally:
        proxy.close()
