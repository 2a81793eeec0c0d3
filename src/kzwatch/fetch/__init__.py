"""The one package of kzwatch that talks to the network: a safe, polite HTTP fetcher.

Every cited URL is input from the outside world, and so is every redirect it answers with.
This package turns "fetch this URL" into a :class:`kzwatch.model.FetchResult` without ever
raising for a network problem, and without letting a URL make kzwatch reach somewhere it should
not.  What it guarantees, and how:

* **Scheme and syntax.** Only ``http``/``https``.  Other schemes (``file:``, ``gopher:``...)
  give ``error="unsafe"``; malformed URLs (userinfo ``user@host``, control characters, spaces,
  backslashes, no host) give ``error="invalid_url"``.
* **SSRF guard at connect time.** A custom urllib3 connection resolves the host ONCE through
  the injected resolver, checks every returned address against :func:`address_problem`
  (private, loopback, link-local, CGNAT, metadata, multicast, reserved, and IPv6 embeddings of
  those: IPv4-mapped, 6to4, Teredo, NAT64) and then dials exactly that checked address; the
  ``Host`` header, TLS SNI and certificate verification still use the hostname.  Odd IPv4
  spellings in URLs (``2130706433``, ``0x7f.1``, ``127.1``) are normalised with
  ``inet_aton`` semantics and judged as the address they really are.  The check runs on every
  hop and is never cached, so DNS rebinding between a check and a connect cannot slip past
  it.  Only hostnames listed (exactly, case-insensitively) in
  ``FetchSettings.allow_private_hosts`` may reach private addresses; the cloud metadata
  addresses stay refused even then.
* **Proxies** come from the environment (``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``, read
  per request through requests' own helpers).  Through a proxy the socket only ever reaches
  the proxy, so the target's address is resolved and checked locally before each hop.
  *Residual risk:* the proxy resolves the name again, so a rebinding DNS server could hand the
  proxy a different, internal address; a proxy used with kzwatch must enforce the same egress
  deny list itself.
* **TLS** verification is always on.  The CA bundle is ``FetchSettings.ca_bundle`` if set,
  else ``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE`` from the environment, else certifi's.
* **One total deadline per URL** (``timeout_s``) covering robots.txt, every hop, retries and
  the body: a watchdog shuts the socket down when it passes, so a server dripping one byte
  every half second (in the headers or in the body) ends with ``error="timeout"``.  Time spent
  waiting for our own politeness turn is not counted.
* **Bounded memory.** Content-encodings (gzip, deflate, br, stacked) are decoded here in a
  streaming loop whose decompressors are capped per call, so a 1 GiB gzip bomb stops at
  ``max_body_bytes`` holding little more than that in memory.  Hitting the cap is not an
  error: ``truncated=True`` and the first ``max_body_bytes`` are kept.
* **Politeness.** An honest User-Agent; one request at a time per host with
  ``per_host_delay_s`` between the end of one request and the start of the next (shared by
  every call on one :class:`Fetcher`, thread-safe); robots.txt per RFC 9309 (see
  :class:`RobotsRules`, protego), cached per origin; ``Retry-After`` honoured within the
  deadline.
* **A host that does not answer costs seconds, not minutes.** A robots.txt fetch that failed
  at the transport level is remembered for the fetcher's life (one cycle), so the host's other
  URLs get that answer at once; and after ``host_failure_limit`` consecutive transport failures
  on one host, its remaining requests are answered with the same error without being sent
  (``error_detail`` says so).  A new fetcher (the next cycle) tries again.

robots.txt choices (RFC 9309): the group for our product token (the User-Agent up to the
first ``/``, i.e. ``kzwatch``) is used, else the ``*`` group; ``*`` and ``$`` wildcards are
supported; the longest matching rule wins and ``Allow`` wins ties.  A 2xx robots.txt is
parsed (first 500 KiB); 4xx, or more than 5 redirects, means "no restrictions"; 5xx means
"disallow everything" (``error="robots_denied"``, ``error_detail="robots_unreachable"``).
When robots.txt cannot be fetched at all because the host itself is unreachable (DNS
failure, refused connection, timeout, TLS failure) the page is reported with that error
instead: the page lives on the same host, and "the host is gone" is what a link checker needs
to hear, not "robots said no"; that answer is remembered for the rest of the cycle.

Conditional GET: ``If-None-Match``/``If-Modified-Since`` are sent on every hop (the stored
validators usually belong to the final URL of a redirect chain); a 304 gives
``not_modified=True``.  ``method="HEAD"`` falls back to GET when the server answers 405/501;
``FetchResult.method`` is the method finally used.

Modules, one concern each: :mod:`~kzwatch.fetch.settings` (plain data),
:mod:`~kzwatch.fetch.ssrf` (URL and address policy), :mod:`~kzwatch.fetch.transport` (guarded
connections, deadline watchdog, error classification), :mod:`~kzwatch.fetch.throttle`
(politeness, deadlines, per-host failure streaks), :mod:`~kzwatch.fetch.robots`,
:mod:`~kzwatch.fetch.decode` (content-encoding and charsets), :mod:`~kzwatch.fetch.client`
(the :class:`Fetcher`).
"""

from __future__ import annotations

from kzwatch.fetch.client import Fetcher, parse_retry_after
from kzwatch.fetch.decode import (
    decode_text,
    is_text_type,
    looks_like_kz1048,
    media_type,
)
from kzwatch.fetch.robots import RobotsRules, RobotsVerdict
from kzwatch.fetch.settings import FetchJob, FetchSettings, Resolver, utc_now
from kzwatch.fetch.ssrf import (
    address_problem,
    check_url,
    host_key,
    parse_ip_literal,
    resolve_and_vet,
    system_resolver,
)
from kzwatch.fetch.throttle import HostFailures, HostThrottle

__all__ = [
    "FetchJob", "FetchSettings", "Fetcher", "HostFailures", "HostThrottle", "Resolver", "RobotsRules",
    "RobotsVerdict", "address_problem", "check_url", "decode_text", "host_key", "is_text_type",
    "looks_like_kz1048", "media_type", "parse_ip_literal", "parse_retry_after", "resolve_and_vet",
    "system_resolver", "utc_now",
]
