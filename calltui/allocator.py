"""Keeps glibc's allocator from holding on to the memory of parsed pages: its mmap threshold, fixed, and the
free pages inside its heaps given back after each read of the live calls.

glibc serves a request of 128 KiB or more with its own mmap and unmaps it when freed. But the first time
such a block is freed it raises that threshold to the block's size (up to 32 MiB), so from then on the
1-2 MB bodies of 1,000-call pages, and the lists and dicts parsed from them, come from the heap of the
thread that reads them; freed, they leave holes that heap keeps. Measured at 10,000 calls after 60 polls
(`bench/memory_bench.py`): the gateway thread's heap held 25.8 MB for 3.9 MB in use, RSS 111 MB; with
the threshold fixed at its default (which turns the raising off) RSS was 90 MB. Big blocks then cost a
mmap and a munmap each, microseconds against the milliseconds their parsing takes.

The records of a page (a dict of ~1.5 KB each) still come from the heap, among the blocks that outlive the
poll, so their memory stays there as free chunks glibc gives back only from the top of a heap: 3-4 MB at
10,000 calls. `malloc_trim(0)` gives back every free page inside the heaps (~0.5 ms at 10,000 calls).
"""

from __future__ import annotations

import functools
import os
from typing import Any

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's default: what the dynamic threshold starts from


def fix_mmap_threshold() -> bool:
    """Fix the threshold (glibc only; elsewhere, or when the user tuned it themselves, do nothing).
    Returns whether it was set."""
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "mmap_threshold" in tunables:
        return False
    mallopt = _glibc_function("mallopt")
    return mallopt is not None and bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def give_back_free_memory() -> bool:
    """Give the free pages inside glibc's heaps back to the system (glibc only; elsewhere do nothing).
    ctypes releases the GIL for the call. Returns whether any memory was given back."""
    trim = _glibc_function("malloc_trim")
    return trim is not None and bool(trim(0))


@functools.cache
def _glibc_function(name: str) -> Any:
    """glibc's function `name`; None when the C library is not glibc or has no such function."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
    except (AttributeError, ValueError, OSError):  # not glibc, or a platform without confstr
        return None
    import ctypes  # here, not at start-up: only needed once the app reads pages

    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
