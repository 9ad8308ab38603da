"""Start-up: the twilio SDK, aiohttp and msgspec (they load on the gateway thread with the first read), the
screens (each when first opened) and what only some runs need are not imported before the first paint, and
the first read waits for it; the first frame has the footer's keys."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from textual.strip import Strip
from textual.widgets._footer import FooterKey

from calltui.domain.call import Call
from calltui.ui.app import CallTuiApp
from calltui.ui.widgets.call_table import CallTable
from calltui.ui.widgets.footer import PinnedFooter


def test_the_app_and_its_gateway_import_without_the_sdk_aiohttp_msgspec_or_any_screen() -> None:
    code = (
        "import sys, calltui.cli, calltui.ui.run, calltui.gateway; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('twilio', 'aiohttp', 'msgspec') "
        "or m.startswith('calltui.ui.screens.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_what_only_some_runs_need_waits_until_it_is_needed() -> None:
    # .env and config.toml files, --record, inline TwiML, odd dates, Twilio's Date header, details
    later = (
        "dotenv", "tomllib", "sqlite3", "calltui.monitor.recording.writer", "xml", "email",
        "statistics", "calltui.domain.inspector",
    )  # fmt: skip
    code = (
        "import sys, calltui.cli, calltui.ui.run, calltui.gateway; "
        f"print(sorted(m for m in sys.modules if m.startswith({later!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_a_screen_is_there_when_asked_for() -> None:
    from calltui.ui import screens
    from calltui.ui.screens.help import HelpScreen

    assert screens.HelpScreen is HelpScreen
    with pytest.raises(AttributeError):
        _ = screens.NoSuchScreen


async def test_the_first_read_starts_once_the_table_is_painted(
    make_app: Callable[..., CallTuiApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    painted: list[int] = []
    reads: list[int] = []
    render_line, list_active = CallTable.render_line, app.session.gateway.list_active

    def watched(table: CallTable, y: int) -> Strip:
        painted.append(y)
        return render_line(table, y)

    async def read() -> list[Call]:
        reads.append(len(painted))
        return await list_active()

    monkeypatch.setattr(CallTable, "render_line", watched)
    app.session.gateway.list_active = read  # type: ignore[method-assign]
    async with app.run_test() as pilot:
        for _ in range(100):
            if reads:
                break
            await pilot.pause(0.01)
    assert reads and reads[0] > 0  # the header line at least was painted before the first read began


async def test_the_footer_keys_are_in_the_first_frame(make_app: Callable[..., CallTuiApp]) -> None:
    """As one line of text (`PinnedFooter._sketch`), the key widgets right after it."""
    app = make_app()
    shown: list[str] = []

    def first_frame() -> None:
        footer = app.query_one(PinnedFooter)
        shown.extend(str(sketch.render()) for sketch in footer.query(".sketch"))
        shown.extend(f"{key.key_display} {key.description}" for key in footer.query(FooterKey))

    app.call_after_refresh(first_frame)  # queued before the app starts: runs at its first refresh
    async with app.run_test() as pilot:
        for _ in range(100):
            if shown:
                break
            await pilot.pause(0.01)
        assert "? Help" in " ".join(shown) and "q Quit" in " ".join(shown)
        await pilot.pause()
        assert {"question_mark", "q"} <= {key.key for key in app.query(FooterKey)}
        assert not app.query(".sketch")


@pytest.mark.parametrize("width", [80, 160])
async def test_the_first_frame_s_footer_is_the_line_its_keys_draw(
    make_app: Callable[..., CallTuiApp], width: int
) -> None:
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        footer = app.query_one(PinnedFooter)
        strip = app.screen._compositor.render_strips()[-1]
        drawn = [(segment.text, segment.style) for segment in strip if segment.text.strip()]
        sketch = Strip(footer._sketch(width).render(app.console))
        sketched = [(segment.text, segment.style) for segment in sketch if segment.text.strip()]
        assert "".join(text for text, _ in sketched) == "".join(text for text, _ in drawn)
        assert strip.text == sketch.text  # the same places too
        for (text, style), (_, drawn_style) in zip(sketched, drawn, strict=False):
            assert style is not None and drawn_style is not None
            assert (style.color, style.bold) == (drawn_style.color, drawn_style.bold), text
