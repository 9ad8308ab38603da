"""`Call`s as compact JSON for recordings: only the fields that are set, or for a change, that changed.

A recording is read back as untrusted input: every decoded value is checked against the field's type.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any

from calltui.domain.call import Call
from calltui.domain.diff import PollDiff, diff_calls
from calltui.monitor.recording.format import RecordingError

# The kind of each Call field, from its annotation. A new field of a new type fails here, at import,
# rather than being recorded in a shape the reader cannot check.
_KIND_OF_TYPE = {
    "str": "text",
    "str | None": "text",
    "int | None": "count",
    "datetime | None": "time",
    "tuple[tuple[str, str], ...]": "pairs",
}
_KINDS: dict[str, str] = {f.name: _KIND_OF_TYPE[str(f.type)] for f in fields(Call)}
#: A poll's data, decompressed, at most: a keyframe of 5,000 calls is about 1 MB.
MAX_DATA = 64 << 20
_DEFAULTS = {f.name: f.default for f in fields(Call) if f.name != "sid"}


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "time":
        return value.isoformat()
    if kind == "pairs":
        return [list(pair) for pair in value]
    return value


def _decode(name: str, value: Any) -> Any:
    kind = _KINDS.get(name)
    if kind is None:
        raise RecordingError(f"damaged recording: unknown call field {name[:40]!r}")
    if value is None and name != "sid":
        return None
    ok = False
    if kind == "text":
        ok = isinstance(value, str)
    elif kind == "count":
        ok = type(value) is int
    elif kind == "time" and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    elif kind == "pairs" and isinstance(value, list):
        pairs = tuple(tuple(pair) for pair in value if isinstance(pair, list))
        ok = len(pairs) == len(value) and all(
            len(p) == 2 and all(isinstance(s, str) for s in p) for p in pairs
        )
        value = pairs
    if not ok:
        raise RecordingError(f"damaged recording: a bad value for the call field {name!r}")
    return value


def encode_call(call: Call) -> dict[str, Any]:
    """Every field that is not its default (None, or no extras)."""
    out: dict[str, Any] = {"sid": call.sid}
    for name, default in _DEFAULTS.items():
        value = getattr(call, name)
        if value != default:
            out[name] = _encode(_KINDS[name], value)
    return out


def decode_call(data: object) -> Call:
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        raise RecordingError("damaged recording: a call without a SID")
    return Call(**{name: _decode(name, value) for name, value in data.items()})


def encode_change(old: Call, new: Call) -> dict[str, Any]:
    """The fields of `new` that differ from `old` (a field that became unknown is null)."""
    out: dict[str, Any] = {"sid": new.sid}
    for name in _DEFAULTS:
        value = getattr(new, name)
        if value != getattr(old, name):
            out[name] = _encode(_KINDS[name], value)
    return out


def apply_change(old: Call, data: object) -> Call:
    if not isinstance(data, dict) or data.get("sid") != old.sid:
        raise RecordingError("damaged recording: a change that names no known call")
    return replace(old, **{name: _decode(name, value) for name, value in data.items() if name != "sid"})


def pack(value: object) -> bytes:
    # ensure_ascii: a lone surrogate from the network survives the round trip as an escape.
    return zlib.compress(json.dumps(value, separators=(",", ":")).encode("ascii"))


def unpack(blob: object) -> Any:
    if not isinstance(blob, bytes):
        raise RecordingError("damaged recording: poll data is missing")
    try:
        inflate = zlib.decompressobj()
        text = inflate.decompress(blob, MAX_DATA)
        if inflate.unconsumed_tail:  # a zip bomb, not a poll
            raise RecordingError(
                f"damaged recording: poll data too large (over {MAX_DATA >> 20} MiB unpacked)"
            )
        if not inflate.eof:
            raise zlib.error("incomplete or truncated stream")
        return json.loads(text)
    except (zlib.error, ValueError, RecursionError) as exc:  # RecursionError: nesting thousands deep
        raise RecordingError(f"damaged recording: poll data cannot be read ({type(exc).__name__})") from None


class PollEncoder:
    """Each poll as a keyframe (every call) or as the difference from the poll before it, with a keyframe
    every `keyframe_every` polls: a recording and the team's feed both store polls this way."""

    def __init__(self, keyframe_every: int) -> None:
        self._every = max(1, keyframe_every)
        self._last: dict[str, Call] | None = None
        self._since_keyframe = 0

    def restart(self) -> None:
        """The next poll is a keyframe (a reader may have missed the polls before it)."""
        self._last = None

    def encode(
        self, calls: dict[str, Call], diff: PollDiff | None = None, base: dict[str, Call] | None = None
    ) -> tuple[bool, bytes]:
        """(whether it is a keyframe, the packed data); `diff`, when taken from `base`, is reused if `base`
        is the poll before. CPU-bound at scale: call it off the event loop."""
        last, self._last = self._last, calls
        if last is None or self._since_keyframe >= self._every - 1:
            self._since_keyframe = 0
            return True, pack([encode_call(call) for call in calls.values()])
        self._since_keyframe += 1
        if diff is None or base is not last:
            diff = diff_calls(last, calls)
        return False, pack(
            {
                "a": [encode_call(call) for call in diff.added],
                "c": [encode_change(last[call.sid], call) for call in diff.changed],
                "r": list(diff.removed),
            }
        )


def apply_poll(state: dict[str, Call], keyframe: bool, data: object) -> PollDiff:
    """Turn `state` (the calls before) into the calls after the encoded poll `data`; returns the diff.
    Untrusted input: anything malformed raises RecordingError (and `state` may be half-updated)."""
    payload = unpack(data)
    if keyframe and isinstance(payload, list):
        new = {call.sid: call for call in map(decode_call, payload)}
        diff = diff_calls(state, new)
        state.clear()
        state.update(new)
        return diff
    if keyframe or not isinstance(payload, dict):
        raise RecordingError("damaged recording: poll data of an unknown shape")
    added = tuple(map(decode_call, _list(payload, "a")))
    changed = []
    for change in _list(payload, "c"):
        sid = change.get("sid") if isinstance(change, dict) else None
        old = state.get(sid) if isinstance(sid, str) else None
        if old is None:
            raise RecordingError("damaged recording: a change to a call that is not there")
        changed.append(apply_change(old, change))
    removed = tuple(sid for sid in _list(payload, "r") if isinstance(sid, str) and sid in state)
    for sid in removed:
        del state[sid]
    for call in (*added, *changed):
        state[call.sid] = call
    return PollDiff(added, tuple(changed), removed)


def _list(payload: dict[str, object], key: str) -> list[object]:
    value = payload.get(key, [])
    if not isinstance(value, list):
        raise RecordingError("damaged recording: poll data of an unknown shape")
    return value
