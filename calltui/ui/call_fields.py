"""Every field of a call as (label, display text) pairs, for the details screen. Pure: no Textual."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from calltui.domain.call import Call, format_elapsed, format_local
from calltui.domain.text import clean

# The order an engineer reads a call in; any field not named here follows, then Twilio's unmodelled extras.
_ORDER = (
    "sid",
    "status",
    "direction",
    "from_",
    "to",
    "caller_name",
    "from_formatted",
    "to_formatted",
    "forwarded_from",
    "answered_by",
    "start_time",
    "end_time",
    "duration",
    "queue_time",
    "price",
    "price_unit",
    "parent_call_sid",
    "date_created",
    "date_updated",
    "account_sid",
    "phone_number_sid",
    "trunk_sid",
    "group_sid",
    "api_version",
    "uri",
)
_LABELS = {"from_": "from", "duration": "duration (s)", "queue_time": "queue_time (ms)"}


def format_time(value: datetime) -> str:
    """Local time first (what the engineer's clock says), then UTC (what Twilio's logs say)."""
    local = format_local(value, "%Y-%m-%d %H:%M:%S %Z")
    if local is None:  # a date that does not exist in the local zone: Twilio's UTC is all there is
        return f"{value:%Y-%m-%d %H:%M:%S} UTC"
    return f"{local}  ({value:%H:%M:%S} UTC)"


def _display(value: object) -> str:
    if isinstance(value, datetime):
        return format_time(value)
    # Twilio sends "" where it has nothing as often as null (caller_name, trunk_sid): both read as unknown.
    return clean(value, 1000) or "—"


def call_fields(call: Call, now: datetime) -> list[tuple[str, str]]:
    names = [*_ORDER, *(f.name for f in fields(Call) if f.name not in _ORDER and f.name != "extra")]
    rows = [(_LABELS.get(name, name), _display(getattr(call, name))) for name in names]
    rows.insert(_ORDER.index("duration") + 1, ("elapsed", format_elapsed(call.elapsed(now))))
    rows.extend((clean(key, 60), _display(value)) for key, value in call.extra)
    return rows
