"""Who calls whom: phone numbers, Client identities and SIP addresses, drawn from a seeded RNG."""

from __future__ import annotations

import random

AGENTS = ("client:alice", "client:bob", "client:carol", "sip:bob@example.com", "sip:desk-12@pbx.example.net")
CALLER_NAMES = ("JOHN SMITH", "ACME CORP", "GARCIA MARIA", "WIRELESS CALLER", "O'NEIL PAT", "Zoë Müller")
_FOREIGN_PREFIXES = ("+44 20", "+49 30", "+33 1", "+61 2", "+81 3", "+55 11")


def our_numbers(rng: random.Random, count: int = 4) -> list[str]:
    """The account's own Twilio numbers: what inbound calls dial and outbound calls show."""
    return [north_american(rng) for _ in range(count)]


def north_american(rng: random.Random) -> str:
    area = rng.choice((212, 305, 415, 512, 617, 720, 206, 312))
    return f"+1{area}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"


def foreign(rng: random.Random) -> str:
    prefix = rng.choice(_FOREIGN_PREFIXES).replace(" ", "")
    return prefix + "".join(str(rng.randrange(10)) for _ in range(8))


def outside_party(rng: random.Random) -> str:
    """Someone outside the account: mostly North American numbers, some foreign, a few Client/SIP."""
    roll = rng.random()
    if roll < 0.72:
        return north_american(rng)
    if roll < 0.88:
        return foreign(rng)
    if roll < 0.95:
        return rng.choice(AGENTS[:3])
    return f"sip:{rng.choice(('sales', 'support', 'ops'))}@customer.example.com"


def agent(rng: random.Random) -> str:
    """Where a <Dial> goes: an agent's Client identity, a SIP desk phone, or a mobile number."""
    return rng.choice(AGENTS) if rng.random() < 0.75 else north_american(rng)


def caller_name(rng: random.Random, caller: str) -> str | None:
    """CNAM is only looked up for phone numbers (a client: or sip: caller has null); a lookup that finds
    no name gives Twilio's empty string."""
    if not caller.startswith("+"):
        return None
    if rng.random() < 0.5:
        return ""
    return rng.choice(CALLER_NAMES)
