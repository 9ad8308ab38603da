"""Once the app reads pages, a big block freed does not make glibc keep later big blocks in its heap, where
their memory stays after they are freed (see calltui/allocator.py)."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable

import pytest
from uihelpers import first_poll

from calltui.allocator import fix_mmap_threshold, give_back_free_memory
from calltui.ui.app import CallTuiApp

MIB = 1024 * 1024


def _glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (AttributeError, ValueError, OSError):
        return False


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")
    ]  # fmt: skip


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.mallinfo2.restype = MallInfo2
    return libc


@pytest.mark.skipif(not _glibc(), reason="glibc's allocator only")
async def test_after_the_first_read_a_freed_big_block_leaves_later_ones_mapped_apart(
    make_app: Callable[..., CallTuiApp],
) -> None:
    libc = _libc()
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("mallinfo2 needs glibc 2.33")
    app = make_app()
    async with app.run_test() as pilot:
        await first_poll(app, pilot)
        # glibc's own rule would raise its mmap threshold to 16 MiB here, and serve the next smaller big
        # block from the heap, which keeps its memory once it is freed.
        libc.free(libc.malloc(16 * MIB))
        info = libc.mallinfo2()
        # More than the heap has free (tests before this one may have left it plenty): no free chunk can
        # serve it, so it is either mapped apart or grows the heap.
        size = info.fordblks + MIB
        if size >= 16 * MIB:
            pytest.skip("the heap holds too much free memory to tell the two apart")
        block = libc.malloc(size)
        try:
            assert libc.mallinfo2().hblkhd - info.hblkhd >= size  # mapped apart: given back when freed
        finally:
            libc.free(block)


def test_a_threshold_the_user_set_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert fix_mmap_threshold() is False


@pytest.mark.skipif(not _glibc(), reason="glibc's allocator only")
def test_free_pages_inside_the_heap_are_given_back() -> None:
    libc = _libc()
    # Blocks under the mmap threshold come from the heap; freed, all but the last (which keeps the top of
    # the heap in use, so free() cannot shrink it) leave free chunks glibc would keep.
    blocks = [libc.malloc(100 * 1024) for _ in range(40)]
    try:
        for block in blocks[:-1]:
            libc.free(block)
        blocks = blocks[-1:]
        assert give_back_free_memory() is True
    finally:
        for block in blocks:
            libc.free(block)
