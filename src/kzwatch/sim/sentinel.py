"""A listener that only counts the connections it accepts: the SSRF tests' witness."""

from __future__ import annotations

import socket
import threading


class Sentinel:
    """A bare listener on 127.0.0.1 that only counts the connections it accepts.

    SSRF tests point a redirect or a name at it and assert ``connections == 0``; reading
    :attr:`connections` first accepts anything still waiting in the listen backlog, so a
    connection made just before the assertion is counted, not missed."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.setblocking(False)
        self.port: int = self._sock.getsockname()[1]
        self._count = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="sentinel", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def connections(self) -> int:
        self._drain()
        return self._count

    def _drain(self) -> None:
        with self._lock:
            while True:
                try:
                    conn, _ = self._sock.accept()
                except (BlockingIOError, OSError):
                    return
                self._count += 1
                conn.close()

    def _accept_loop(self) -> None:
        while not self._stop.wait(0.05):
            self._drain()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._drain()
        self._sock.close()

    def __enter__(self) -> Sentinel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
