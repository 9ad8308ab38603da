"""What the team keeps in Redis, key by key, and the checked encoding of every entry.

Everything read back is untrusted (another version, a broken client, someone with the password): an
entry of the wrong version, shape, type or size raises `BadEntry`, and the reader drops and counts it.
Nothing secret is ever encoded here: names, SIDs, action names and outcomes only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from calltui.domain.call import ACCOUNT_SID_RE, CALL_SID_RE
from calltui.domain.text import clean
from calltui.monitor.actions import action_word
from calltui.settings import OPERATOR_MAX

VERSION = b"1"
MAX_SMALL = 2048
"""Bytes an action, claim, member or control entry may take."""
MAX_FEED = 32 << 20
"""Bytes a feed entry's compressed data may take (a keyframe of 10,000 calls is about 1 MiB)."""
ACTION_KINDS = ("intent", "outcome", "verify", "cancel")
ACTIONS = ("hangup", "redirect")
_INSTANCE_MAX = 32
_RESULT_MAX = 32


class BadEntry(ValueError):
    """An entry that is not one this calltui wrote: dropped and counted, never shown."""


class Keys:
    """The keys of one account's team: other accounts on the same Redis are never read."""

    def __init__(self, account_sid: str) -> None:
        if not ACCOUNT_SID_RE.fullmatch(account_sid):
            raise ValueError("not an account SID")
        self.prefix = f"calltui:v1:{account_sid}:"
        self.actions = self.prefix + "actions"
        """Stream: every action's intent, outcome, verification and cancellation."""
        self.feed = self.prefix + "feed"
        """Stream: the poller's polls (keyframes and diffs)."""
        self.control = self.prefix + "control"
        """Stream: requests to the poller (poll now)."""
        self.lease = self.prefix + "poller"
        """String: the poller's lease (its token), with an expiry."""
        self.members = self.prefix + "members"
        """Set: instance ids that announced themselves; each is alive while its member key lives."""

    def claim(self, call_sid: str) -> str:
        return f"{self.prefix}claim:{call_sid}"

    def member(self, instance: str) -> str:
        return f"{self.prefix}member:{instance}"


@dataclass(frozen=True, slots=True)
class TeamAction:
    """One step of a teammate's (or our own) action, as the action stream carries it."""

    kind: str
    """`intent` (confirmed, claimed), `outcome`, `verify` or `cancel` (taken back in the grace window)."""
    who: str
    instance: str
    call_sid: str
    action: str
    """`hangup` or `redirect`."""
    result: str
    """The outcome (`ok`, `failed`, `unknown`, …), the verdict (`verified`, `not-verified`) or ""."""
    at: datetime
    offline: bool = False
    """Taken while the team was unreachable, published when it came back."""

    @property
    def words(self) -> str:
        """`hung up`, `is redirecting`, … as a notice says it after the teammate's name."""
        hangup, noun = self.action == "hangup", action_word(self.action)
        if self.kind == "intent":
            return "is hanging up" if hangup else "is redirecting"
        if self.kind == "cancel":
            return f"canceled a {noun} of"
        if self.kind == "verify":
            return f"{noun} {'verified' if self.result == 'verified' else 'NOT verified'}:"
        if self.result == "ok":
            return "hung up" if hangup else "redirected"
        if self.result == "dry-run":
            return f"rehearsed a {noun} of"
        return f"{noun} {clean(self.result, _RESULT_MAX)}:"


def _dump(value: dict[str, Any]) -> bytes:
    data = json.dumps(value, separators=(",", ":")).encode()
    if len(data) > MAX_SMALL:
        raise ValueError("entry too large")
    return data


def _load(data: object) -> dict[str, Any]:
    if not isinstance(data, bytes) or len(data) > MAX_SMALL:
        raise BadEntry("missing or oversized")
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        raise BadEntry("not JSON") from None
    if not isinstance(value, dict):
        raise BadEntry("not an object")
    return value


def _text(value: dict[str, Any], key: str, most: int, *, empty: bool = False) -> str:
    text = value.get(key)
    if not isinstance(text, str) or len(text) > most or (not text and not empty):
        raise BadEntry(f"bad {key}")
    return text


def _sid(value: dict[str, Any], key: str = "call") -> str:
    sid = value.get(key)
    if not isinstance(sid, str) or not CALL_SID_RE.fullmatch(sid):
        raise BadEntry("bad call SID")
    return sid


def _version(fields: object) -> dict[bytes, Any]:
    if not isinstance(fields, dict) or fields.get(b"v") != VERSION:
        raise BadEntry("wrong version")
    return fields


def encode_action(action: TeamAction) -> dict[bytes, bytes]:
    value = {
        "kind": action.kind,
        "who": action.who,
        "inst": action.instance,
        "call": action.call_sid,
        "action": action.action,
        "result": action.result,
        "at": action.at.timestamp(),
        "offline": action.offline,
    }
    return {b"v": VERSION, b"e": _dump(value)}


def decode_action(fields: object) -> TeamAction:
    value = _load(_version(fields).get(b"e"))
    kind, name = value.get("kind"), value.get("action")
    if kind not in ACTION_KINDS or name not in ACTIONS:
        raise BadEntry("unknown kind or action")
    at = value.get("at")
    if type(at) not in (int, float) or not 0 < at < 1e11:
        raise BadEntry("bad time")
    offline = value.get("offline", False)
    if not isinstance(offline, bool):
        raise BadEntry("bad offline flag")
    return TeamAction(
        kind=kind,
        who=_text(value, "who", OPERATOR_MAX),
        instance=_text(value, "inst", _INSTANCE_MAX),
        call_sid=_sid(value),
        action=name,
        result=_text(value, "result", _RESULT_MAX, empty=True),
        at=datetime.fromtimestamp(at, UTC),
        offline=offline,
    )


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a claim on a call, and for what."""

    who: str
    instance: str
    action: str


def encode_holder(holder: Holder, token: str) -> bytes:
    return _dump({"who": holder.who, "inst": holder.instance, "action": holder.action, "token": token})


def decode_holder(data: object) -> Holder:
    value = _load(data)
    if value.get("action") not in ACTIONS:
        raise BadEntry("unknown action")
    return Holder(_text(value, "who", OPERATOR_MAX), _text(value, "inst", _INSTANCE_MAX), value["action"])


@dataclass(frozen=True, slots=True)
class Member:
    who: str
    instance: str
    polling: bool


def encode_member(member: Member) -> bytes:
    return _dump({"who": member.who, "inst": member.instance, "polling": member.polling})


def decode_member(data: object) -> Member:
    value = _load(data)
    polling = value.get("polling")
    if not isinstance(polling, bool):
        raise BadEntry("bad polling flag")
    return Member(_text(value, "who", OPERATOR_MAX), _text(value, "inst", _INSTANCE_MAX), polling)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One poll as the poller published it; `data` is the recording codec's (checked when applied)."""

    epoch: str
    """The poller's lease token: a new poller starts a new epoch, with a keyframe."""
    seq: int
    keyframe: bool
    data: bytes


def encode_feed(entry: FeedEntry) -> dict[bytes, bytes]:
    return {
        b"v": VERSION,
        b"epoch": entry.epoch.encode(),
        b"seq": str(entry.seq).encode(),
        b"kind": b"k" if entry.keyframe else b"d",
        b"data": entry.data,
    }


def decode_feed(fields: object) -> FeedEntry:
    fields = _version(fields)
    epoch, seq, kind, data = (fields.get(key) for key in (b"epoch", b"seq", b"kind", b"data"))
    if not isinstance(epoch, bytes) or not 0 < len(epoch) <= _INSTANCE_MAX or not epoch.isalnum():
        raise BadEntry("bad epoch")
    if not isinstance(seq, bytes) or not seq.isdigit() or len(seq) > 12:
        raise BadEntry("bad sequence number")
    if kind not in (b"k", b"d") or not isinstance(data, bytes) or len(data) > MAX_FEED:
        raise BadEntry("bad kind or data")
    return FeedEntry(epoch.decode(), int(seq), kind == b"k", data)


def encode_poll_request(who: str) -> dict[bytes, bytes]:
    return {b"v": VERSION, b"e": _dump({"kind": "poll", "who": who})}


def decode_poll_request(fields: object) -> str:
    """Who asked the poller for a poll now."""
    value = _load(_version(fields).get(b"e"))
    if value.get("kind") != "poll":
        raise BadEntry("unknown request")
    return _text(value, "who", OPERATOR_MAX)
