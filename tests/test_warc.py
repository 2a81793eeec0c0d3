"""warc: captures written as standard WARC/1.1 and read back, also by warcio directly."""

from datetime import datetime, timedelta, timezone

import pytest
from warcio.archiveiterator import ArchiveIterator

from kzwatch.warc import WarcCapture, read_warc, write_warc

T0 = datetime(2024, 3, 1, 9, 30, 15, 250000, tzinfo=timezone.utc)


def _captures():
    return [
        WarcCapture(
            url="https://rus.azattyq.org/a/30971975.html",
            fetched_at=T0,
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "ETag": '"abc"'},
            body="<html><body><p>ОСДП объявила бойкот выборам</p></body></html>".encode(),
            ip="203.0.113.7",
        ),
        WarcCapture(
            url="https://vlast.kz/novosti/43334.html",
            fetched_at=T0 + timedelta(seconds=3),
            status=404,
            headers={"Content-Type": "text/html"},
            body=b"Not found",
            ip=None,
        ),
    ]


def test_round_trip(tmp_path):
    paths = write_warc(_captures(), tmp_path)
    assert len(paths) == 1 and paths[0].name.endswith(".warc.gz")
    back = read_warc(paths[0])
    assert [c.url for c in back] == [c.url for c in _captures()]
    first, second = back
    assert first.body == _captures()[0].body
    assert first.status == 200 and second.status == 404
    assert first.fetched_at == T0
    assert second.fetched_at == T0 + timedelta(seconds=3)
    assert first.ip == "203.0.113.7" and second.ip is None
    assert first.headers["content-type"] == "text/html; charset=utf-8"
    assert first.headers["etag"] == '"abc"'
    # The body is stored decoded, so the encoding header must not claim gzip.
    assert "content-encoding" not in first.headers
    assert first.headers["content-length"] == str(len(first.body))


def test_standard_records_via_warcio(tmp_path):
    (path,) = write_warc(_captures(), tmp_path, filename_prefix="fn3")
    assert path.name.startswith("fn3-20240301093015-")
    with open(path, "rb") as handle:
        records = [
            (r.rec_type, r.rec_headers.protocol, r.rec_headers.get_header("WARC-Payload-Digest"))
            for r in ArchiveIterator(handle)
        ]
    assert [r[0] for r in records] == ["warcinfo", "response", "response"]
    assert {r[1] for r in records} == {"WARC/1.1"}
    assert all(d and d.startswith("sha1:") for _, _, d in records[1:])


def test_gzipped_per_record(tmp_path):
    (path,) = write_warc(_captures(), tmp_path)
    assert path.read_bytes()[:2] == b"\x1f\x8b"


def test_never_overwrites(tmp_path):
    first = write_warc(_captures(), tmp_path)
    second = write_warc(_captures(), tmp_path)
    assert first != second
    assert len(list(tmp_path.iterdir())) == 2


def test_empty_input_writes_nothing(tmp_path):
    assert write_warc([], tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_naive_datetime_is_a_clear_error(tmp_path):
    bad = WarcCapture(url="https://x.test/", fetched_at=datetime(2024, 1, 1), status=200)
    with pytest.raises(ValueError, match="timezone-aware"):
        write_warc([bad], tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_unusual_status_code(tmp_path):
    capture = WarcCapture(url="https://x.test/", fetched_at=T0, status=599, body=b"")
    (path,) = write_warc([capture], tmp_path)
    assert read_warc(path)[0].status == 599
