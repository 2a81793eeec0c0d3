"""A raw TCP server on 127.0.0.1 for the faults an ``http.server`` cannot produce.

Each connection is handed to a *behaviour*, a function ``(sock) -> None`` that writes whatever
bytes it likes (a truncated chunked body, a lying Content-Length, a reset mid-body, a 64 KB
header, silence...).  The behaviour is looked up by the first path segment of the request line
when the request is read, or chosen per server with :meth:`RawServer.always` (for faults that
strike before any request is read, e.g. a reset during the TLS handshake).
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections.abc import Callable

Behaviour = Callable[[socket.socket], None]


def read_request(sock: socket.socket, limit: int = 65536) -> bytes:
    data = b""
    sock.settimeout(5)
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER 0)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class RawServer:
    def __init__(self, tls_context: ssl.SSLContext | None = None) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(32)
        self._sock.settimeout(0.1)
        self.port: int = self._sock.getsockname()[1]
        self.tls_context = tls_context
        self.routes: dict[str, Behaviour] = {}
        self.before_request: Behaviour | None = None
        self.stop = threading.Event()
        self.connections = 0
        self._thread = threading.Thread(target=self._loop, name="rawserver", daemon=True)
        self._thread.start()

    def route(self, name: str, behaviour: Behaviour) -> str:
        self.routes[name] = behaviour
        return f"/{name}"

    def always(self, behaviour: Behaviour) -> None:
        self.before_request = behaviour

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.before_request is not None:
                self.before_request(conn)
                return
            if self.tls_context is not None:
                conn = self.tls_context.wrap_socket(conn, server_side=True)
            request = read_request(conn)
            parts = request.split(b" ", 2)
            path = parts[1].decode("latin-1") if len(parts) > 1 else "/"
            name = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
            behaviour = self.routes.get(name)
            if behaviour is None:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            else:
                behaviour(conn)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=2)
        self._sock.close()
