"""Fixtures of the reliability suite (issue 17): every test here carries the ``reliability`` marker.

The quick form of each test runs in the normal ``python -m pytest -q``; ``KZWATCH_LONG=1``
switches to the long form (many fuzzing examples, hundreds of kills).  See docs/RELIABILITY.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rawserver import RawServer

LONG = os.environ.get("KZWATCH_LONG", "") not in ("", "0")
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture
def raw() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()
