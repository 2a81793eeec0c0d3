"""Shared fixtures: the simulated web, a ready-made fetcher, and the no-internet guard.

* ``simweb`` (session): one :class:`kzwatch.sim.simweb.SimWeb` (HTTP + HTTPS on 127.0.0.1).
* ``web`` (function): the same SimWeb with routes, names, failures and logs cleared.
* ``fetcher`` (function): a factory ``fetcher(**overrides) -> Fetcher`` wired to ``web``: its
  resolver, its CA, every simulated name allow-listed (computed when called, so add routes
  first), no politeness delay, short timeouts, no retries, proxy variables removed.
  Overrides may be any FetchSettings field or ``resolver``/``now``/``sleep``/``monotonic``.
* ``sentinel``: a :class:`kzwatch.sim.simweb.Sentinel` counting connections.
* ``forward_proxy``: a recording HTTP forward proxy on loopback (see :class:`RecordingProxy`).
* ``shared_path``: ``shared_path("corpora", "x.txt") -> Path`` inside ``../shared`` (the folder
  of real texts beside the repository, never copied into it).  Absent, the test is skipped with
  a reason naming the path; under CI (``CI`` set) it fails instead, so CI cannot go green by
  silently skipping the tests that read real texts.
* ``kz_config``: a factory ``kz_config(hosts=[...], **sections) -> Config`` that writes a
  kzwatch config for an end-to-end test on ``web`` into ``tmp_path`` and loads it: test-speed
  fetch settings, the simulated hosts resolved to loopback and allowed, archive off, no
  canaries unless given; ``sections`` are laid over that table by table (``article`` and
  ``feed`` are lists of tables).  One place for what every end-to-end test used to write.
* ``claims`` (module): the packaged claims of the default article, for the relevance rule tests
  (a test module that needs other claims defines its own ``claims``).
* ``no_internet`` (autouse): any connection or name lookup that would leave the machine fails
  the test.  The SSRF guard of the fetcher stays on in every test; this is a second net.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from relevance_helpers import packaged_claims

from kzwatch.config import Config, load_config
from kzwatch.fetch import Fetcher, FetchSettings
from kzwatch.model import Claim
from kzwatch.sim.sentinel import Sentinel
from kzwatch.sim.simweb import SimWeb


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    return packaged_claims()


# --- ../shared: real texts read in place ---------------------------------------------------------

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared_path() -> Callable[..., Path]:
    def find(*parts: str) -> Path:
        path = SHARED_DIR.joinpath(*parts)
        if not path.exists():
            reason = f"needs {path} (the shared/ folder beside the repository)"
            if os.environ.get("CI"):
                pytest.fail(f"{reason}; CI always has it, so this is an error", pytrace=False)
            pytest.skip(reason)
        return path
    return find


# --- end-to-end configs -----------------------------------------------------------------------


def toml_text(tables: dict[str, Any]) -> str:
    """A TOML document from {section: {key: value}}; list-of-dict values become [[arrays]]."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + " }"
        return "[" + ", ".join(value(x) for x in v) + "]"

    out = []
    for name, table in tables.items():
        for entry in table if isinstance(table, list) else [table]:
            out.append(f"[[{name}]]" if isinstance(table, list) else f"[{name}]")
            out += [f"{key} = {value(v)}" for key, v in entry.items()]
            out.append("")
    return "\n".join(out)


@pytest.fixture
def kz_config(web: SimWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Config]:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    monkeypatch.delenv("KZWATCH_RESOLVE", raising=False)

    def make(*, hosts: list[str] | tuple[str, ...] = (), name: str = "kzwatch.toml", **sections: Any) -> Config:
        for host in hosts:
            web.add_name(host)
        tables: dict[str, Any] = {
            "warehouse": {"path": "w.duckdb", "lock_wait_s": 2},
            "fetch": {"per_host_delay_s": 0, "timeout_s": 3, "connect_timeout_s": 2, "retries": 0,
                      "canary_urls": [], "allow_private_hosts": list(hosts),
                      "resolve": {host: "127.0.0.1" for host in hosts}},
            "archive": {"enabled": False},
        }
        for key, table in sections.items():
            tables[key] = {**tables[key], **table} if isinstance(table, dict) and key in tables else table
        path = tmp_path / name
        path.write_text(toml_text(tables), encoding="utf-8")
        return load_config(path)

    return make


# --- no internet ---------------------------------------------------------------------------------

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
                    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class InternetAccessBlocked(RuntimeError):
    """Raised by the guard.  Not an OSError, so no code under test can mistake it for an
    ordinary network failure and quietly carry on."""


def _is_local(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    violations: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: object) -> None:
        if sock.family == getattr(socket, "AF_UNIX", None):
            return
        host = address[0] if isinstance(address, tuple) else address
        if not _is_local(host):
            violations.append(f"connect to {address!r}")
            raise InternetAccessBlocked(f"test tried to connect to {address!r}")

    def guarded_connect(self: socket.socket, address: object) -> None:
        check(self, address)
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host is not None and not _is_local(host.decode() if isinstance(host, bytes) else host):
            violations.append(f"name lookup of {host!r}")
            raise InternetAccessBlocked(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield violations
    if violations:
        pytest.fail("network access outside loopback: " + "; ".join(violations))


# --- the simulated web ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def simweb() -> Iterator[SimWeb]:
    web = SimWeb()
    web.start()
    yield web
    web.stop()


@pytest.fixture
def web(simweb: SimWeb) -> Iterator[SimWeb]:
    simweb.reset()
    yield simweb
    simweb.reset()


@pytest.fixture
def sentinel() -> Iterator[Sentinel]:
    with Sentinel() as s:
        yield s


_SETTING_NAMES = {f.name for f in fields(FetchSettings)}


@pytest.fixture
def fetcher(web: SimWeb, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Fetcher]]:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    made: list[Fetcher] = []

    def make(**overrides: object) -> Fetcher:
        settings = {
            "per_host_delay_s": 0.0,
            "timeout_s": 3.0,
            "connect_timeout_s": 2.0,
            "retries": 0,
            "retry_backoff_s": 0.05,
            "allow_private_hosts": web.hosts,
            "ca_bundle": web.ca_path,
        }
        extra = {k: overrides.pop(k) for k in list(overrides) if k not in _SETTING_NAMES}
        settings.update(overrides)
        extra.setdefault("resolver", web.resolver)
        instance = Fetcher(FetchSettings(**settings), **extra)  # type: ignore[arg-type]
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.close()


# --- a recording forward proxy -------------------------------------------------------------------


class RecordingProxy:
    """An HTTP forward proxy on 127.0.0.1 that records every request line.

    Plain-HTTP requests (absolute-form) are forwarded to the simulated web, resolving the
    target with ``web.resolver``; ``CONNECT`` (HTTPS) is recorded and refused with 403."""

    def __init__(self, web: SimWeb):
        self.lines: list[str] = []
        proxy = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_CONNECT(self) -> None:  # noqa: N802
                proxy.lines.append(self.requestline)
                self.send_response(403)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True

            def do_GET(self) -> None:  # noqa: N802
                proxy.lines.append(self.requestline)
                target = urlsplit(self.path)
                address = web.resolver(target.hostname or "", target.port or 80)[0]
                upstream = http.client.HTTPConnection(address, target.port or 80, timeout=5)
                path = target.path + (f"?{target.query}" if target.query else "")
                headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
                upstream.request(self.command, path or "/", headers=headers)
                response = upstream.getresponse()
                body = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Via", "1.1 recording-proxy")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True
                upstream.close()

            do_HEAD = do_GET

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def forward_proxy(web: SimWeb) -> Iterator[RecordingProxy]:
    proxy = RecordingProxy(web)
    yield proxy
    proxy.close()


# --- PostgreSQL for the DuckLake tests ------------------------------------------------------------
# One throwaway cluster per session (tests/pg_cluster.py): initdb in a temp dir, a loopback port.
# Absent server binaries skip the tests locally, and fail them under CI (.ci/run installs them).


@pytest.fixture(scope="session")
def pg_cluster_dsn() -> Iterator[str]:
    import pg_cluster

    try:
        pg_cluster.find_bindir()
    except pg_cluster.PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc}; CI installs postgresql (.ci/run), so this is an error", pytrace=False)
        pytest.skip(str(exc))
    with pg_cluster.throwaway_cluster() as dsn:
        yield dsn
