"""Delivery against real servers on loopback: SMTP (plain, STARTTLS, implicit TLS, AUTH),
webhooks (Slack/JSON, retries, failures), and the atomic file channel."""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import ssl
import sys
import threading
import types
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from kzwatch.alerts.channels import (
    DeliveryConfigError,
    FileSettings,
    SmtpSettings,
    WebhookSettings,
    all_delivered,
    deliver,
    delivery_failed_events,
    send_email,
    send_webhook,
    smtp_credentials,
    write_file,
)
from kzwatch.alerts.digest import build_digest
from kzwatch.alerts.render import build_email
from kzwatch.model import Event

T0 = datetime(2024, 3, 11, 6, 0, tzinfo=timezone.utc)
HOSTILE = "{{7*7}}<script>alert(1)</script>"
USER, PASSWORD = "kz-user", "s3cret-pass"


def make_digest():
    events = [
        Event("e1", "art", "citation_dead", "high", T0, f"Dead: {HOSTILE}", footnote=3,
              url="https://example.kz/a", details={"title": HOSTILE}),
        Event("e2", "art", "new_reporting", "low", T0, "New item", claim_id="C1",
              url="https://example.kz/n", details={"stance": "confirms", "score": 0.7}),
    ]
    return build_digest(events, generated_at=T0, since=T0 - timedelta(days=1))


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    # Loopback servers must never be reached through a proxy from the environment.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("KZWATCH_SMTP_USER", raising=False)
    monkeypatch.delenv("KZWATCH_SMTP_PASSWORD", raising=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope, session.auth_data))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(server_ctx)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server_ctx, str(ca_file)


@pytest.fixture
def smtp_server(tls):
    """Factory: start an aiosmtpd server on loopback in one of three modes."""
    started = []

    def start(mode: str):
        server_ctx, _ = tls
        handler = Recorder()
        port = free_port()
        kwargs = dict(hostname="127.0.0.1", port=port, authenticator=authenticator)
        if mode == "starttls":
            kwargs.update(tls_context=server_ctx, require_starttls=True, auth_require_tls=True)
        elif mode == "implicit":
            # With implicit TLS the whole session is encrypted; aiosmtpd only tracks STARTTLS.
            kwargs.update(ssl_context=server_ctx, auth_require_tls=False)
        controller = Controller(handler, **kwargs)
        controller.start()
        started.append(controller)
        return handler, port

    yield start
    for controller in started:
        controller.stop()


def settings(port: int, ca_file: str | None = None, **overrides) -> SmtpSettings:
    base = dict(
        host="127.0.0.1",
        port=port,
        sender="kzwatch@example.org",
        recipients=("maint@example.org",),
        starttls=False,
        ssl=False,
        timeout_s=10,
        ca_file=ca_file,
        helo_name="kzwatch-test",
    )
    base.update(overrides)
    return SmtpSettings(**base)


def received_message(handler: Recorder) -> email.message.EmailMessage:
    assert len(handler.envelopes) == 1
    envelope, _ = handler.envelopes[0]
    assert envelope.mail_from == "kzwatch@example.org"
    assert envelope.rcpt_tos == ["maint@example.org"]
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def assert_digest_mail(msg) -> None:
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    html_part = parts[1].get_content()
    assert "&lt;script&gt;" in html_part and "<script>" not in html_part
    assert "{{7*7}}" in html_part and "49" not in html_part
    assert "\n" not in str(msg["Subject"])


# --- SMTP ----------------------------------------------------------------------------------------


def test_plain_smtp_delivers_multipart_digest(smtp_server):
    handler, port = smtp_server("plain")
    msg = build_email(make_digest(), sender="kzwatch@example.org", recipients=["maint@example.org"])
    result = send_email(msg, settings(port))
    assert result.ok and result.attempts == 1, result
    assert_digest_mail(received_message(handler))


def test_starttls_with_auth_from_environment(smtp_server, tls, monkeypatch):
    handler, port = smtp_server("starttls")
    monkeypatch.setenv("KZWATCH_SMTP_USER", USER)
    monkeypatch.setenv("KZWATCH_SMTP_PASSWORD", PASSWORD)
    results = deliver(make_digest(), [settings(port, tls[1], starttls=True)], sleep=lambda s: None)
    assert [r.ok for r in results] == [True], results
    msg = received_message(handler)
    assert_digest_mail(msg)
    assert handler.envelopes[0][1] == USER.encode()  # the server saw our AUTH


def test_implicit_tls_with_auth(smtp_server, tls, monkeypatch):
    handler, port = smtp_server("implicit")
    monkeypatch.setenv("KZWATCH_SMTP_USER", USER)
    monkeypatch.setenv("KZWATCH_SMTP_PASSWORD", PASSWORD)
    result = deliver(make_digest(), [settings(port, tls[1], ssl=True)], sleep=lambda s: None)[0]
    assert result.ok, result
    assert_digest_mail(received_message(handler))
    assert handler.envelopes[0][1] == USER.encode()


def test_untrusted_certificate_is_refused_without_retries(smtp_server):
    handler, port = smtp_server("implicit")
    sleeps = []
    result = deliver(make_digest(), [settings(port, None, ssl=True)], sleep=sleeps.append)[0]
    assert not result.ok and result.attempts == 1 and "certificate" in result.detail
    assert sleeps == [] and handler.envelopes == []


def test_wrong_password_is_reported_not_retried(smtp_server, tls, monkeypatch):
    handler, port = smtp_server("starttls")
    monkeypatch.setenv("KZWATCH_SMTP_USER", USER)
    monkeypatch.setenv("KZWATCH_SMTP_PASSWORD", "wrong")
    result = deliver(make_digest(), [settings(port, tls[1], starttls=True)], sleep=lambda s: None)[0]
    assert not result.ok and result.attempts == 1 and "authentication" in result.detail
    assert "wrong" not in result.detail
    assert handler.envelopes == []


def test_credentials_are_never_sent_in_clear(smtp_server, monkeypatch):
    handler, port = smtp_server("plain")
    monkeypatch.setenv("KZWATCH_SMTP_USER", USER)
    monkeypatch.setenv("KZWATCH_SMTP_PASSWORD", PASSWORD)
    result = deliver(make_digest(), [settings(port)], sleep=lambda s: None)[0]
    assert not result.ok and result.attempts == 0 and "without TLS" in result.detail
    assert handler.envelopes == []


def test_closed_smtp_port_is_retried_then_reported():
    port = free_port()  # nothing listens there
    sleeps: list[float] = []
    results = deliver(make_digest(), [settings(port)], retries=2, sleep=sleeps.append, backoff_s=1.0)
    assert len(results) == 1
    result = results[0]
    assert not result.ok and result.attempts == 3
    assert sleeps == [1.0, 2.0]
    assert "ConnectionRefusedError" in result.detail


def test_half_configured_credentials_are_a_clear_error(monkeypatch):
    s = settings(25)
    assert smtp_credentials(s) is None
    monkeypatch.setenv("KZWATCH_SMTP_USER", USER)
    with pytest.raises(DeliveryConfigError, match="KZWATCH_SMTP_PASSWORD"):
        smtp_credentials(s)


def test_prefect_secret_block_supplies_the_password(monkeypatch):
    loaded = []

    class FakeSecret:
        @classmethod
        def load(cls, name):
            loaded.append(name)
            if name == "missing":
                raise ValueError("Unable to find block document named missing")
            return types.SimpleNamespace(get=lambda: PASSWORD)

    fake = types.ModuleType("prefect.blocks.system")
    fake.Secret = FakeSecret
    monkeypatch.setitem(sys.modules, "prefect.blocks.system", fake)
    monkeypatch.setenv("KZWATCH_SMTP_USER", USER)
    assert smtp_credentials(settings(25, secret_block="kz-smtp")) == (USER, PASSWORD)
    with pytest.raises(DeliveryConfigError, match="Prefect Secret block 'missing'"):
        smtp_credentials(settings(25, secret_block="missing"))
    assert loaded == ["kz-smtp", "missing"]


# --- Webhook -------------------------------------------------------------------------------------


@pytest.fixture
def webhook():
    """Factory: a loopback HTTP receiver answering the given status codes in turn."""
    servers = []

    def start(statuses: list[int]):
        received: list[dict] = []
        script = list(statuses)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                received.append(json.loads(self.rfile.read(length)))
                status = script.pop(0) if len(script) > 1 else script[0]
                body = b"ok" if status < 300 else b"oops"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/services/T000/SECRETPATH", received

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_slack_webhook_receives_escaped_payload(webhook):
    url, received = webhook([200])
    result = deliver(make_digest(), [WebhookSettings(url=url, kind="slack", timeout_s=5)])[0]
    assert result.ok and result.attempts == 1
    assert len(received) == 1
    blob = json.dumps(received[0], ensure_ascii=False)
    assert "&lt;script&gt;" in blob and "<script>" not in blob
    assert received[0]["text"].startswith("kzwatch digest: 2 alerts")
    assert "SECRETPATH" not in result.channel and "SECRETPATH" not in result.detail


def test_json_webhook_gets_the_stable_schema_from_env_url(webhook, monkeypatch):
    url, received = webhook([204])
    monkeypatch.setenv("KZWATCH_TEST_WEBHOOK", url)
    result = deliver(make_digest(), [WebhookSettings(url_env="KZWATCH_TEST_WEBHOOK", kind="json")])[0]
    assert result.ok
    assert received[0]["counts"]["total"] == 2 and received[0]["schema"] == 1


def test_webhook_500_twice_then_200_is_retried(webhook):
    url, received = webhook([500, 500, 200])
    sleeps: list[float] = []
    result = deliver(make_digest(), [WebhookSettings(url=url)], retries=2, sleep=sleeps.append, backoff_s=0.5)[0]
    assert result.ok and result.attempts == 3
    assert len(received) == 3 and sleeps == [0.5, 1.0]


def test_webhook_always_500_is_reported_failed(webhook):
    url, received = webhook([500])
    result = deliver(make_digest(), [WebhookSettings(url=url)], retries=2, sleep=lambda s: None)[0]
    assert not result.ok and result.attempts == 3 and "HTTP 500" in result.detail
    assert len(received) == 3
    assert "SECRETPATH" not in result.detail


def test_webhook_4xx_is_not_retried(webhook):
    url, received = webhook([400])
    result = send_webhook({"text": "x"}, WebhookSettings(url=url), retries=3, sleep=lambda s: None)
    assert not result.ok and result.attempts == 1 and len(received) == 1


def test_webhook_connection_error_hides_the_secret_url():
    url = f"http://127.0.0.1:{free_port()}/services/T000/SECRETPATH"
    result = send_webhook({"text": "x"}, WebhookSettings(url=url, timeout_s=5), retries=1, sleep=lambda s: None)
    assert not result.ok and result.attempts == 2
    assert "SECRETPATH" not in result.detail and "SECRETPATH" not in result.channel


@pytest.mark.parametrize("settings_", [WebhookSettings(), WebhookSettings(url="file:///etc/passwd"),
                                       WebhookSettings(url_env="KZWATCH_UNSET_VAR")])
def test_webhook_misconfiguration_is_reported(settings_):
    result = send_webhook({"text": "x"}, settings_)
    assert not result.ok and result.attempts == 0 and "configuration error" in result.detail


# --- File and the whole delivery ---------------------------------------------------------------------


def test_file_channel_writes_atomically(tmp_path, monkeypatch):
    target_dir = tmp_path / "digests"
    first = write_file("first", FileSettings(dir=str(target_dir)), "d.md")
    assert first.ok and (target_dir / "d.md").read_text() == "first"

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    failed = write_file("second", FileSettings(dir=str(target_dir)), "d.md")
    assert not failed.ok and "No space left" in failed.detail
    assert (target_dir / "d.md").read_text() == "first"  # old content intact
    assert sorted(p.name for p in target_dir.iterdir()) == ["d.md"]  # temp file cleaned up


@pytest.mark.parametrize("name", ["../escape.md", "a/b.md", ".hidden", "", "x" * 300, "bad\nname"])
def test_file_channel_refuses_unsafe_names(tmp_path, name):
    result = write_file("x", FileSettings(dir=str(tmp_path)), name)
    assert not result.ok and result.attempts == 0
    assert list(tmp_path.iterdir()) == []


def test_deliver_all_channels_and_report_partial_failure(tmp_path, webhook, smtp_server):
    handler, port = smtp_server("plain")
    good_url, _ = webhook([200])
    bad_url, _ = webhook([503])
    digest = make_digest()
    channels = [
        settings(port),
        WebhookSettings(url=good_url),
        FileSettings(dir=str(tmp_path), format="html"),
    ]
    results = deliver(digest, channels, sleep=lambda s: None)
    assert [r.ok for r in results] == [True, True, True] and all_delivered(results)
    written = tmp_path / "kzwatch-digest-20240311T060000Z.html"
    assert written.exists() and "&lt;script&gt;" in written.read_text()

    results = deliver(digest, channels[:2] + [WebhookSettings(url=bad_url, name="ops-hook")], retries=1,
                      sleep=lambda s: None)
    assert [r.ok for r in results] == [True, True, False] and not all_delivered(results)
    failures = delivery_failed_events(results, digest, article_id="art")
    assert len(failures) == 1
    notice = failures[0]
    assert notice.kind == "delivery_failed" and notice.details["channel"] == "ops-hook"
    assert notice.details["attempts"] == 2
    # Same digest, same broken channel → same notice id (no pile-up on re-runs).
    assert delivery_failed_events(results, digest, article_id="art")[0].event_id == notice.event_id


def test_empty_digest_is_not_sent(tmp_path):
    empty = build_digest([], generated_at=T0, since=None)
    assert deliver(empty, [FileSettings(dir=str(tmp_path))]) == []
    assert list(tmp_path.iterdir()) == []
    assert not all_delivered([])


# --- Apprise: a channel added as one module and one registration ---------------------------------


def test_apprise_channel_is_registered_and_configurable(tmp_path):
    from kzwatch.alerts.channels import CHANNEL_SETTINGS, AppriseSettings
    from kzwatch.config import load_config

    assert CHANNEL_SETTINGS["apprise"] is AppriseSettings
    path = tmp_path / "k.toml"
    path.write_text('[delivery.apprise]\nurls = ["json://127.0.0.1:9/hook"]\nformat = "text"\n', encoding="utf-8")
    (channel,) = load_config(path).delivery
    assert isinstance(channel, AppriseSettings) and channel.format == "text"
    assert channel.channel == "apprise:json"  # schemes only: the URLs carry tokens


def test_apprise_delivers_the_digest_to_a_json_target(webhook, monkeypatch):
    from kzwatch.alerts.channels import AppriseSettings

    url, received = webhook([200])
    target = url.replace("http://", "json://")
    monkeypatch.setenv("KZWATCH_APPRISE_URLS", target)
    result = deliver(make_digest(), [AppriseSettings(format="md", timeout_s=5)], sleep=lambda s: None)[0]
    assert result.ok, result.detail
    assert len(received) == 1
    assert received[0]["title"].startswith("[kzwatch] kzwatch digest: 2 alerts")
    body = received[0]["message"]
    assert "footnote 3" in body and "<script>" not in body  # the Markdown digest, page text escaped
    assert "SECRETPATH" not in result.channel + result.detail


def test_apprise_failures_are_reported_without_the_secret_urls(webhook, monkeypatch):
    from kzwatch.alerts.channels import AppriseSettings

    url, received = webhook([500])
    monkeypatch.delenv("KZWATCH_APPRISE_URLS", raising=False)
    down = AppriseSettings(urls=(url.replace("http://", "json://"),), timeout_s=5)
    result = deliver(make_digest(), [down], retries=1, sleep=lambda s: None)[0]
    assert not result.ok and result.attempts == 2 and len(received) == 2
    assert "SECRETPATH" not in result.detail and "SECRETPATH" not in result.channel
    nothing = deliver(make_digest(), [AppriseSettings()], sleep=lambda s: None)[0]
    assert not nothing.ok and nothing.attempts == 0 and "KZWATCH_APPRISE_URLS" in nothing.detail
    bogus = deliver(make_digest(), [AppriseSettings(urls=("nosuchscheme://x",))], sleep=lambda s: None)[0]
    assert not bogus.ok and "does not understand" in bogus.detail and bogus.attempts == 0
