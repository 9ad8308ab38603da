"""What every benchmark reports, and how the figures are printed."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BenchResult:
    name: str
    value: float
    unit: str
    target: str
    """The goal in words ("< 30 ms"); empty for a figure reported for information."""
    passed: bool | None
    """None for a figure without a target."""


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def report(results: Iterable[BenchResult]) -> bool:
    """Print one line per figure; returns whether every figure with a target met it."""
    ok = True
    for result in results:
        verdict = "" if result.passed is None else ("PASS" if result.passed else "FAIL")
        target = f"target {result.target}" if result.target else ""
        print(f"{result.name:<34} {result.value:>10.2f} {result.unit:<3} {target:<18} {verdict}".rstrip())
        ok = ok and result.passed is not False
    return ok
