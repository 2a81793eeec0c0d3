"""The HTML report and HTML digest in headless Chromium, with a CSP violation listener.

The page is served from loopback with its own policy repeated as a header plus a ``report-uri``
pointing back at the test server, so every blocked attempt (an inline script, an event handler,
a ``javascript:`` URL, a remote image or stylesheet) arrives as a POSTed violation report; the
browser's console log is read too.  A hostile page (every injection payload at once) must cause
zero violations.  A control page with one inline script must cause at least one, so the
listener is shown to work.
"""

from __future__ import annotations

import os
import subprocess
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_rel_injection import PAYLOADS, T0, events_with, report_data

from kzwatch.alerts.digest import build_digest
from kzwatch.alerts.render import render_html
from kzwatch.report import render_report

CHROMIUM = "/usr/bin/chromium"
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; report-uri /csp-report"


class _PageServer:
    def __init__(self, pages: dict[str, str]):
        self.reports: list[bytes] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                body = pages.get(self.path, "").encode()
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", POLICY)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                server.reports.append(self.rfile.read(length))
                self.send_response(204)
                self.end_headers()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _chromium_or_skip() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: install the 'chromium' package")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); set CI=1 to make this a failure")


def _load(url: str, profile: Path) -> subprocess.CompletedProcess:
    cmd = [_chromium_or_skip(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
           f"--user-data-dir={profile}", "--dump-dom", url]
    # The timeout only stops a hung browser from hanging the suite; it asserts nothing.
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _violations(server: _PageServer, path: str, tmp_path: Path) -> list[str]:
    done = _load(server.base + path, tmp_path / path.strip("/"))
    assert done.returncode == 0 and "<html" in done.stdout.lower(), done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "Content Security Policy" in line or "Refused to" in line]
    return [r.decode(errors="replace") for r in server.reports] + console


def _everything() -> tuple[str, str]:
    payload = "\n".join(PAYLOADS)
    digest = build_digest([e for p in PAYLOADS for e in events_with(p)], generated_at=T0, since=T0 - timedelta(days=1))
    return render_report(report_data(payload)), render_html(digest)


@pytest.mark.browser
def test_hostile_report_and_digest_cause_no_csp_violation(tmp_path):
    _chromium_or_skip()
    report, digest = _everything()
    control = "<!doctype html><html><body><script>document.title='x'</script><p onclick='x()'>c</p></body></html>"
    server = _PageServer({"/report": report, "/digest": digest, "/control": control})
    try:
        assert _violations(server, "/control", tmp_path), "the listener saw nothing on the control page"
        server.reports.clear()
        assert _violations(server, "/report", tmp_path) == []
        server.reports.clear()
        assert _violations(server, "/digest", tmp_path) == []
    finally:
        server.close()
