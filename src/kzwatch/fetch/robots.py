"""robots.txt per RFC 9309, parsed by ``protego`` (Scrapy's parser).

Choices kept from kzwatch's earlier hand-written parser, all checked by ``tests/test_fetch.py``:
the group for our product token (the User-Agent up to the first ``/``, i.e. ``kzwatch``) is
used, else the ``*`` group; ``*`` and ``$`` wildcards; the longest matching rule wins and
``Allow`` wins ties; non-ASCII rules match their UTF-8 percent-encoding; ``/robots.txt``
itself is always allowed.  protego matches wildcards without backtracking blow-ups.

What a robots.txt *fetch* means (2xx parsed, 4xx allow all, 5xx disallow all, host unreachable
→ the page gets the host's error) is the fetcher's policy (:mod:`kzwatch.fetch.client`).
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego

_BASE = "http://robots.invalid"  # protego wants a URL; only its path and query are used


class RobotsRules:
    """A parsed robots.txt; ``allow_all()`` when there is none to obey."""

    def __init__(self, parser: Protego | None = None):
        self._parser = parser

    @classmethod
    def allow_all(cls) -> RobotsRules:
        return cls(None)

    @classmethod
    def parse(cls, text: str) -> RobotsRules:
        return cls(Protego.parse(text))

    def allows(self, token: str, path: str) -> bool:
        """May the crawler ``token`` fetch ``path`` (path plus query, as sent on the wire)?"""
        path = path or "/"
        if self._parser is None or path.split("?", 1)[0] == "/robots.txt":
            return True
        return bool(self._parser.can_fetch(_BASE + path, token))


@dataclass
class RobotsVerdict:
    """What the fetcher learnt about one origin's robots.txt, until ``expires`` (monotonic).

    ``rules`` None: everything disallowed (``detail`` says why).  ``error`` set: the host
    itself did not answer the robots.txt fetch; remembered for the rest of the cycle so the
    host's other URLs get the same answer at once instead of each waiting out its timeout."""

    rules: RobotsRules | None
    expires: float
    detail: str = ""
    error: tuple[str, str] | None = None


_RobotsVerdict = RobotsVerdict  # the name before the split
