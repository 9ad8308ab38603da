"""Keeps glibc's allocator from holding on to the memory of parsed pages: its mmap threshold, fixed.

glibc serves a request of 128 KiB or more with its own mmap and unmaps it when freed. But the first time
such a block is freed it raises that threshold to the block's size (up to 32 MiB), so from then on the
1-2 MB bodies of 1,000-call pages, and the lists and dicts parsed from them, come from the heap of the
thread that reads them; freed, they leave holes that heap keeps. Measured at 10,000 calls after 60 polls
(`bench/memory_bench.py`): the gateway thread's heap held 25.8 MB for 3.9 MB in use, RSS 111 MB; with
the threshold fixed at its default (which turns the raising off) RSS was 90 MB. Big blocks then cost a
mmap and a munmap each, microseconds against the milliseconds their parsing takes.
"""

from __future__ import annotations

import os

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's default: what the dynamic threshold starts from


def fix_mmap_threshold() -> bool:
    """Fix the threshold (glibc only; elsewhere, or when the user tuned it themselves, do nothing).
    Returns whether it was set."""
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "mmap_threshold" in tunables:
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
    except (AttributeError, ValueError, OSError):  # not glibc, or a platform without confstr
        return False
    import ctypes  # here, not at start-up: only needed once, before the first read

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
