"""Claims on calls: whoever claims a call first is the only one who may act on it until they release it.

A claim is `SET key value NX PX ttl` whose value carries a token unique to this claim; checking, extending
and releasing compare the token inside Redis (Lua), so an instance whose claim already expired can never
extend or delete a teammate's. The expiry covers the grace window and the request: a claim of an
instance that died goes away on its own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from calltui.monitor.team.link import TeamLink
from calltui.monitor.team.wire import BadEntry, Holder, Keys, decode_holder, encode_holder

CLAIMED: Literal["claimed"] = "claimed"
"""The call is ours to act on (or there is no team)."""
OFFLINE: Literal["offline"] = "offline"
"""The team cannot be reached: acting means acting alone, on the engineer's explicit yes."""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim this instance holds on one call."""

    call_sid: str
    value: bytes
    """What was SET: the holder and a token only this claim knows."""


@dataclass(frozen=True, slots=True)
class HeldBy:
    """The call is claimed by someone else (None: a claim we cannot read, held all the same)."""

    holder: Holder | None


class Claims:
    def __init__(self, link: TeamLink, keys: Keys, me: Holder) -> None:
        self._link = link
        self._keys = keys
        self._me = me

    async def claim(self, call_sid: str, action: str, ttl: float) -> Claim | HeldBy:
        """Claim `call_sid` for `ttl` seconds. Raises TeamUnavailable when Redis cannot say."""
        holder = Holder(self._me.who, self._me.instance, action)
        value = encode_holder(holder, secrets.token_hex(8))
        key = self._keys.claim(call_sid)
        won = await self._link.call(lambda r: r.set(key, value, nx=True, px=_ms(ttl)))
        if won:
            return Claim(call_sid, value)
        return HeldBy(await self.holder(call_sid))

    async def holder(self, call_sid: str) -> Holder | None:
        """Who holds the call now (None: nobody, or a value this calltui cannot read)."""
        key = self._keys.claim(call_sid)
        value = await self._link.call(lambda r: r.get(key))
        try:
            return None if value is None else decode_holder(value)
        except BadEntry:
            return None

    async def extend(self, claim: Claim, ttl: float) -> bool:
        """Whether `claim` is still ours (then it lasts `ttl` seconds more): checked as the action goes."""
        return await extend_owned(self._link, self._keys.claim(claim.call_sid), claim.value, ttl)

    async def release(self, claim: Claim) -> None:
        """Let go of `claim`, unless it already expired and someone else holds the call."""
        await release_owned(self._link, self._keys.claim(claim.call_sid), claim.value)


async def extend_owned(link: TeamLink, key: str, value: bytes, ttl: float) -> bool:
    """Extend `key` by `ttl` seconds if it still holds `value` (ours); whether it did."""
    return bool(await link.call(lambda r: r.eval(_EXTEND, 1, key, value, _ms(ttl))))


async def release_owned(link: TeamLink, key: str, value: bytes) -> None:
    """Delete `key` if it still holds `value` (ours)."""
    await link.call(lambda r: r.eval(_RELEASE, 1, key, value))


ClaimVerdict = Literal["claimed", "offline"] | HeldBy
"""What claiming a call before acting on it comes to."""


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
