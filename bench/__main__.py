"""`python -m bench`: run every benchmark, print its figures, exit 1 if any missed its target."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench.common import BenchResult, report
from bench.table_bench import run_table_bench

BENCHES: list[Callable[[], list[BenchResult]]] = [run_table_bench]


def main() -> int:
    ok = True
    for bench in BENCHES:
        ok = report(bench()) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
