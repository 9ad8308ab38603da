"""The replay app: a recorded session played back through the live app's call table and header."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from calltui.domain.call import Call
from calltui.domain.diff import PollDiff
from calltui.domain.errors import GatewayError
from calltui.domain.text import clean
from calltui.monitor.activity import DEFAULT_SIZE, Sample
from calltui.monitor.poller import PollState, View
from calltui.monitor.recording import PollMark, Recording, RecordingError
from calltui.ui.describe import counted
from calltui.ui.keys import binding_command, builtin_commands, key_label
from calltui.ui.replay.action_list import ActionList
from calltui.ui.replay.loader import Loaded, load
from calltui.ui.replay.playhead import Playhead
from calltui.ui.replay.timeline import ActionTimeline, Timeline
from calltui.ui.screens.help import HelpScreen
from calltui.ui.widgets.call_rows import RowModel
from calltui.ui.widgets.call_table import CallTable
from calltui.ui.widgets.footer import PinnedFooter
from calltui.ui.widgets.status_header import HeaderModel, StatusHeader

SEEK_SECONDS = 10.0


class ReplayApp(App[None]):
    CSS_PATH = str(Path(__file__).parent.parent / "app.tcss")
    CSS = """
    #actions {
        height: 5;
        padding: 0 1;
        border-top: solid $panel-lighten-2;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #timeline { background: $panel; padding: 0 1; }
    """
    TITLE = "calltui replay"
    ENABLE_COMMAND_PALETTE = True

    # Priority: the table would otherwise take the arrows and Home/End to scroll or move its cursor.
    BINDINGS = [
        Binding("space", "toggle_pause", "Play/Pause", key_display="space"),
        Binding("left", "back", "-10 s", key_display="←", priority=True),
        Binding("right", "forward", "+10 s", key_display="→", priority=True),
        Binding("comma,shift+left", "previous_poll", "Previous poll", key_display=",", priority=True),
        Binding("full_stop,shift+right", "next_poll", "Next poll", key_display=".", priority=True),
        Binding("home", "to_start", "Start", show=False, priority=True),
        Binding("end", "to_end", "End", show=False, priority=True),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("s", "sort", "Sort", show=False),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]
    _ON_TABLE = frozenset(b.action for b in BINDINGS if b.action not in ("help", "quit"))

    def __init__(
        self,
        recording: Recording,
        *,
        source: str = "",
        autoplay: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
        tick: float = 0.1,
    ) -> None:
        """`monotonic` measures real time for playing (tests pass their own); `tick`: how often it is read."""
        super().__init__()
        self.recording = recording
        self.source = source or recording.where
        end = max([recording.times[-1], *(a.at.timestamp() for a in recording.actions)])
        self.playhead = Playhead(recording.times, end)
        self.playhead.paused = not autoplay
        self._monotonic = monotonic
        self._last_read = monotonic()
        self._tick = tick
        self._calls: dict[str, Call] = {}
        """The calls at poll `_shown`: replaced by each read, never changed (a read in a thread copies it)."""
        self._shown = -1
        """The poll whose calls the table holds (-1: none yet)."""
        self._loading = False
        self._timeline = ActionTimeline(recording.actions)
        self._actions_shown = (-1, -1)
        """How many actions and verifications the action list shows (rebuilt only when that changes)."""

    def compose(self) -> ComposeResult:
        yield StatusHeader(lambda: self.playhead.moment, id="status")
        yield CallTable(linger=self.recording.info.linger, id="calls")
        yield ActionList(self._timeline, id="actions")
        failed = [mark.at.timestamp() for mark in self.recording.polls if mark.error is not None]
        yield Timeline(
            self.playhead,
            self._timeline,
            failed,
            self.source,
            len(self.recording.polls),
            id="timeline",
        )
        yield PinnedFooter()

    @property
    def table(self) -> CallTable:
        return self.query_one("#calls", CallTable)

    def on_mount(self) -> None:
        self.table.focus()
        self._show()
        self.set_interval(self._tick, self.play_on)

    # ----------------------------------------------------------------- playing

    def play_on(self) -> None:
        """Move the playhead by the real time since the last call (times the speed). An action passed is
        told by the action list, where it comes in at the bottom: a notification for it covered the
        timeline's counts at 80 columns."""
        now = self._monotonic()
        elapsed, self._last_read = now - self._last_read, now
        if self.playhead.advance(elapsed):
            self._show()

    @property
    def loading(self) -> bool:
        """Whether the calls of the playhead's poll are being read (the table shows an earlier poll's)."""
        return self._loading

    def _show(self) -> None:
        """Bring the table, header, action list and timeline to the playhead. The calls are read in a
        thread, one read at a time: moves made meanwhile are caught up with once it is applied."""
        if not self._loading and self.playhead.index != self._shown:
            self._loading = True
            self._load(self.playhead.index)
        self._render()

    @work(group="replay-load")
    async def _load(self, target: int) -> None:
        # Never cancelled for a newer move: the thread would read on regardless, and on a large recording
        # a cancelled read after each playing tick would leave the table behind for good.
        table, polls, calls, shown = self.table, self.recording.polls, self._calls, self._shown

        def read() -> tuple[Loaded, dict[int, RowModel]]:
            """The poll's calls, and for a poll the table starts over at (a seek), its rows sorted: a
            seek costs the loop no sort of every call."""
            loaded = load(self.recording, calls, shown, target)
            rows = {
                index: table.rows_for(
                    change.values(), polls[index].at, ended_view=polls[index].view == "recent"
                )
                for index, change in loaded.steps
                if not isinstance(change, PollDiff)
            }
            return loaded, rows

        try:
            loaded: tuple[Loaded, dict[int, RowModel]] | None = await asyncio.to_thread(read)
        except RecordingError as exc:
            self.playhead.paused = True
            self.notify(clean(str(exc), 300), title="Replay stopped", severity="error", markup=False)
            loaded = None
        finally:
            self._loading = False
        if loaded is None:
            self._render()  # no read again until the user moves: the same poll would fail again
        else:
            self._apply(*loaded)
            self._show()  # on to wherever the playhead went meanwhile

    def _apply(self, loaded: Loaded, rows: dict[int, RowModel]) -> None:
        polls = self.recording.polls
        for index, change in loaded.steps:
            if isinstance(change, PollDiff):
                if change:
                    self.table.apply(change, polls[index].at)
            else:
                self.table.take_rows(rows[index], polls[index].at)
        self._calls, self._shown = loaded.calls, loaded.index

    def _render(self) -> None:
        self.table.tick(self.playhead.moment)
        self._render_header()
        position = self.playhead.position
        passed = self._timeline.passed(position)
        shown = (passed, self._timeline.verified(position))
        if shown != self._actions_shown:
            self._actions_shown = shown
            self.query_one(ActionList).show(passed, position)
        timeline = self.query_one(Timeline)
        timeline.reading = self._loading
        timeline.refresh()

    def _render_header(self) -> None:
        """The header tells of the poll whose calls the table holds, which trails the playhead while
        they are read."""
        index = max(self._shown, 0)
        polls = self.recording.polls
        mark = polls[index]
        failures = 0
        while failures <= index and polls[index - failures].error is not None:
            failures += 1
        last_ok = polls[index - failures].at if failures <= index else None
        error = GatewayError(mark.error) if mark.error is not None else None
        table = self.table
        self.query_one(StatusHeader).model = HeaderModel(
            account_sid=mark.account_sid or self.recording.info.account_sid,
            view=View.RECENT if mark.view == "recent" else View.ACTIVE,
            counts=table.counts_by_status(),
            poll=PollState(last_ok=last_ok, error=error, failures=failures),
            shown=table.row_count,
            activity=activity(polls, index),
        )

    # ----------------------------------------------------------------- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Under the help screen the arrows and space belong to it, not to the replay.
        return action not in self._ON_TABLE or self.screen is self.screen_stack[0]

    def _moved(self) -> None:
        self._last_read = self._monotonic()
        self._show()

    def action_toggle_pause(self) -> None:
        self.playhead.toggle()
        self._moved()

    def action_back(self) -> None:
        self.playhead.seek_by(-SEEK_SECONDS)
        self._moved()

    def action_forward(self) -> None:
        self.playhead.seek_by(SEEK_SECONDS)
        self._moved()

    def action_previous_poll(self) -> None:
        self.playhead.step(-1)
        self._moved()

    def action_next_poll(self) -> None:
        self.playhead.step(1)
        self._moved()

    def action_to_start(self) -> None:
        self.playhead.to_start()
        self._moved()

    def action_to_end(self) -> None:
        self.playhead.to_end()
        self._moved()

    def action_faster(self) -> None:
        self.playhead.faster()
        self._moved()

    def action_slower(self) -> None:
        self.playhead.slower()
        self._moved()

    def action_sort(self) -> None:
        self.table.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.table.reverse_sort()

    def action_help(self) -> None:
        info = self.recording.info
        polls = counted(len(self.recording.polls), "poll")
        actions = counted(len(self._timeline), "action")
        notes = [
            f"Replaying {self.source}: {polls} every {info.interval:g}s, {actions}. "
            "Nothing is sent to Twilio.",
            "Markers above the timeline are actions (green ok, red failed, yellow unknown); "
            "red on the bar marks failed polls.",
            "The list under the table shows the actions played so far, each with its proof of effect "
            "(✓ verified, ✗ not verified and why) once the playhead reaches it: beside it, or whole on "
            "the lines under it when it is too long.",
        ]
        self.push_screen(HelpScreen(self.key_help(), notes))

    def key_help(self) -> list[tuple[str, str]]:
        keys = [(key_label(binding), binding.description) for binding in self.BINDINGS]
        return [*keys, ("ctrl+p", "Command palette"), ("↑ ↓ PgUp PgDn g G", "Move in the table")]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from builtin_commands(super().get_system_commands(screen))
        for binding in self.BINDINGS:
            if binding.action in ("quit", "help"):
                continue
            yield binding_command(binding, getattr(self, f"action_{binding.action}"))
        yield SystemCommand("Keys", "Show every key (?)", self.action_help)


def activity(polls: list[PollMark], index: int, size: int = DEFAULT_SIZE) -> tuple[Sample, ...]:
    """The header's sparkline samples as the live app had them at poll `index`: good polls of the active
    view, the last `size` of them, oldest first."""
    samples: list[Sample] = []
    for mark in reversed(polls[: index + 1]):
        if len(samples) == size:
            break
        if mark.view == "active" and mark.active is not None:
            samples.append(Sample(mark.at, mark.active))
    return tuple(reversed(samples))
