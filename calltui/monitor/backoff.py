"""How long to wait before the next poll after a failure: exponential, jittered, capped, Retry-After first."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from calltui.domain.errors import GatewayError, RateLimited


@dataclass(slots=True)
class Backoff:
    base: float
    """The normal poll interval; the first retry waits about this long."""
    cap: float = 60.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def reset(self) -> None:
        self.failures = 0

    def next_delay(self, error: GatewayError) -> float:
        """Delay before retrying after `error`; each call counts one more consecutive failure."""
        self.failures += 1
        if isinstance(error, RateLimited) and error.retry_after is not None:
            # Twilio said when; add a little jitter so many clients do not return in lock-step.
            return min(self.cap, max(0.0, error.retry_after)) + self.rng.uniform(
                0, min(1.0, 0.25 * self.base)
            )
        ceiling = min(self.cap, self.base * 2 ** (self.failures - 1))
        # "Equal jitter": never less than half the ceiling, so a failing API is not hammered.
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)
