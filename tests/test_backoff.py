"""Backoff after failed polls: exponential, jittered, capped, and Retry-After first."""

import random

from calltui.domain.errors import RateLimited, ServerError
from calltui.monitor.backoff import Backoff


def test_delays_grow_exponentially_within_jitter_and_are_capped() -> None:
    backoff = Backoff(base=2.0, cap=30.0, rng=random.Random(4))
    delays = [backoff.next_delay(ServerError("boom", status=503)) for _ in range(8)]
    ceilings = [min(30.0, 2.0 * 2**i) for i in range(8)]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 30.0
    assert backoff.failures == 8


def test_retry_after_is_honoured_and_reset_starts_again() -> None:
    backoff = Backoff(base=2.0, cap=60.0, rng=random.Random(1))
    delay = backoff.next_delay(RateLimited("slow down", code=20429, status=429, retry_after=17))
    assert 17 <= delay <= 17.5
    backoff.next_delay(RateLimited("slow down", retry_after=None))
    backoff.reset()
    assert backoff.failures == 0
    assert backoff.next_delay(ServerError("x")) <= 2.0


def test_retry_after_is_capped() -> None:
    backoff = Backoff(base=2.0, cap=60.0, rng=random.Random(1))
    assert backoff.next_delay(RateLimited("slow", retry_after=100000)) <= 61
