"""A page's records as the bytes of their JSON, and what is read when msgspec refuses what Python reads."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from calltui.gateway.raw_json import decode_page, decode_record

PAYLOADS = Path(__file__).parent / "twilio_payloads"


@pytest.mark.parametrize("name", ["calls_page_2023.json", "calls_page_2011.json", "notifications_2023.json"])
def test_a_twilio_page_reads_as_json_does_with_its_records_as_bytes(name: str) -> None:
    text = (PAYLOADS / name).read_text()
    expected = json.loads(text)
    page = decode_page(text)
    assert page.keys() == expected.keys()
    for key, value in page.items():
        if isinstance(expected[key], list):
            assert all(isinstance(record, bytes) for record in value)
            assert [decode_record(record) for record in value] == expected[key]
        else:
            assert value == expected[key]


@pytest.mark.parametrize(
    "text",
    [
        '{"calls": [{"sid": "CA1", "price": NaN}], "next_page_uri": null}',  # the whole page: Python's
        '{"calls": [{"sid": "CA1", "caller_name": "\\ud800"}], "next_page_uri": null}',
        '{"calls": [{"sid": "CA1", "duration": 1e400}], "page": 1e400}',  # the record: Python's
        '{"calls": [{"sid": "CA1", "to": "\\u001b[31m\\u00e9"}], "end": 12345678901234567890123}',
    ],
)
def test_json_msgspec_refuses_reads_as_python_reads_it(text: str) -> None:
    page = decode_page(text)
    records = [decode_record(r) if isinstance(r, bytes) else r for r in page["calls"]]
    expected = json.loads(text)
    # NaN is never equal to itself: compare what json.dumps makes of both.
    assert json.dumps({**page, "calls": records}) == json.dumps(expected)


def test_a_record_that_is_not_json_decodes_to_none() -> None:
    assert decode_record(b'{"sid": "CA1", "x": [1,') is None
    assert decode_record(b"[" * 100_000) is None  # deeper than either reader goes
    assert math.isinf(decode_record(b"1e400"))


@pytest.mark.parametrize("text", ["<html>oops</html>", "", '{"calls": [{"sid'])
def test_a_page_that_is_not_json_raises_as_the_sdk_s_reader_does(text: str) -> None:
    with pytest.raises(ValueError):
        decode_page(text)
