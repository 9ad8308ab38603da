"""The calltui application: the live call table, and the keys that act on the highlighted call."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input

from calltui.domain.actions import Action, Hangup, Redirect
from calltui.domain.call import Call, utcnow
from calltui.domain.diff import PollDiff
from calltui.domain.errors import GatewayError
from calltui.domain.gateway import CallGateway
from calltui.domain.text import clean
from calltui.monitor.actions import ActionOutcome, ActionRunner
from calltui.monitor.audit import AuditLog
from calltui.monitor.history import UrlHistory
from calltui.monitor.poller import Poller, PollResult, View
from calltui.monitor.recorder import SessionRecorder
from calltui.ui.describe import call_line, short_sid
from calltui.ui.screens.details import DetailsScreen
from calltui.ui.screens.hangup import HangupScreen
from calltui.ui.screens.help import HelpScreen
from calltui.ui.screens.redirect import RedirectScreen
from calltui.ui.widgets.call_table import CallTable
from calltui.ui.widgets.status_header import HeaderModel, StatusHeader
from calltui.userconfig import UserConfig

WRITE_ACTIONS = frozenset({"redirect", "hangup"})
#: Keys that work on the call table, so only while it is on screen (not under details or a dialog).
TABLE_ACTIONS = WRITE_ACTIONS | {"details", "filter", "toggle_view", "sort", "reverse_sort"}


class CallTuiApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "calltui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("r", "redirect", "Redirect"),
        Binding("h", "hangup", "Hang up"),
        Binding("enter", "details", "Details"),
        Binding("slash", "filter", "Filter"),
        Binding("v", "toggle_view", "Active/Ended"),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("ctrl+r,f5", "refresh_now", "Refresh", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        gateway: CallGateway,
        *,
        account_sid: str,
        audit: AuditLog,
        history: UrlHistory,
        interval: float = 2.0,
        read_only: bool = False,
        linger: float = 5.0,
        clock: Callable[[], datetime] = utcnow,
        startup_warnings: Sequence[str] = (),
        user_config: UserConfig | None = None,
        recorder: SessionRecorder | None = None,
    ) -> None:
        super().__init__()
        self.user_config = user_config or UserConfig()
        self._startup_warnings = list(startup_warnings)
        self.gateway = gateway
        self.account_sid = account_sid
        self.read_only = read_only
        self.history = history
        self.clock = clock
        self.poller = Poller(gateway, interval, clock=clock)
        self.actions = ActionRunner(gateway, audit, account_sid, clock)
        self.header_model = HeaderModel(account_sid=account_sid, read_only=read_only)
        self.polls_completed = 0
        """Counts finished polls (good or failed): tests and benchmarks wait on it."""
        self._wake = asyncio.Event()
        self._linger = linger
        self.recorder = recorder
        """Keeps every poll and action outcome for `calltui replay` (`--record FILE`)."""

    # ----------------------------------------------------------------- layout and lifecycle

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.clock, id="status")
        yield CallTable(linger=self._linger, id="calls")
        yield Input(placeholder="filter: number, SID, status… (Enter keeps, Esc clears)", id="filter")
        yield Footer()

    @property
    def table(self) -> CallTable:
        return self.query_one("#calls", CallTable)

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.table.focus()
        for warning in self._startup_warnings:
            self.notify(warning, title="Warning", severity="warning", timeout=20, markup=False)
        self._render_header()
        self.set_interval(1.0, self._tick)
        self._load_account_name()
        self._poll_loop()

    async def on_unmount(self) -> None:
        await self.gateway.close()
        if self.recorder is not None:
            await asyncio.to_thread(self.recorder.close)

    # ----------------------------------------------------------------- polling

    @work(exclusive=True, group="poll")
    async def _poll_loop(self) -> None:
        """Polls never overlap: the next one is armed only after this one has been applied."""
        while True:
            result = await self.poller.poll()
            self._apply_poll(result)
            self.polls_completed += 1
            self._wake.clear()
            timeout = None if math.isinf(result.delay) else result.delay
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _apply_poll(self, result: PollResult) -> None:
        if result.diff is not None:
            self.table.apply(result.diff, self.clock())
        self._render_header()
        if self.recorder is not None:
            self.recorder.poll(result, self.clock(), self.poller.view)
            self._recorder_problem()

    def _recorder_problem(self) -> None:
        assert self.recorder is not None
        problem = self.recorder.take_problem()
        if problem:
            self.notify(clean(problem, 300), title="Recording", severity="error", timeout=30, markup=False)

    @work(group="account")
    async def _load_account_name(self) -> None:
        name = await self.gateway.account_name()
        if name:
            self.header_model = replace(self.header_model, friendly_name=name)
            self._render_header()

    def _tick(self) -> None:
        now = self.clock()
        self.table.tick(now)
        self._render_header()

    def _render_header(self) -> None:
        table = self.table
        self.header_model = replace(
            self.header_model,
            view=self.poller.view,
            counts=table.counts_by_status(),
            poll=self.poller.state,
            filter_text=table.filter_text,
            shown=table.row_count,
        )
        self.query_one(StatusHeader).model = self.header_model

    # ----------------------------------------------------------------- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._allowed(action, on_table=self.screen is self.screen_stack[0])

    def _allowed(self, action: str, *, on_table: bool = True) -> bool:
        # Read-only removes the write keys outright (hidden, not greyed), as k9s does.
        if action in WRITE_ACTIONS and self.read_only:
            return False
        return on_table or action not in TABLE_ACTIONS

    def _target(self) -> Call | None:
        call = self.table.highlighted_call
        if call is None:
            self.notify("No call is highlighted.", severity="warning", markup=False)
        return call

    def _live_target(self) -> Call | None:
        call = self._target()
        if call is None:
            return None
        if not call.is_active or self.table.lingering(call.sid):
            self.notify(
                f"Call {short_sid(call.sid)} has ended ({clean(call.status, 20)}); nothing to do.",
                severity="warning",
                markup=False,
            )
            return None
        if self.actions.busy(call.sid):
            self.notify(
                f"An action on {short_sid(call.sid)} is still in flight.", severity="warning", markup=False
            )
            return None
        return call

    def action_redirect(self) -> None:
        call = self._live_target()
        if call is None:
            return

        def chosen(redirect: Redirect | None) -> None:
            if redirect is not None:
                self.history.remember(redirect.twiml or redirect.url or "")
                self._run_action(call, redirect)

        self.push_screen(RedirectScreen(call, self.clock(), self.history.items), chosen)

    def action_hangup(self) -> None:
        call = self._live_target()
        if call is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run_action(call, Hangup(call.end_status))

        self.push_screen(HangupScreen(call, self.clock()), confirmed)

    def action_details(self) -> None:
        call = self._target()
        if call is not None:
            self.push_screen(DetailsScreen(call, self.gateway, self.clock))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value)
        self._render_header()

    @on(Input.Submitted, "#filter")
    def _filter_kept(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = bool(box.value)
        self.table.focus()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        box = self.query_one("#filter", Input)
        if event.key == "escape" and box.has_focus:
            box.value = ""
            box.display = False
            self.table.focus()
            event.stop()

    def action_toggle_view(self) -> None:
        view = View.RECENT if self.poller.view is View.ACTIVE else View.ACTIVE
        self.poller.switch_view(view)
        self.table.set_calls((), self.clock(), ended_view=view is View.RECENT)
        self._render_header()
        self.action_refresh_now()

    def action_sort(self) -> None:
        self.table.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.table.reverse_sort()

    def action_refresh_now(self) -> None:
        if self.poller.state.stopped:
            self.poller.resume()
        self._wake.set()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self._key_help(), self._help_notes()))

    def _key_help(self) -> list[tuple[str, str]]:
        keys = [
            (binding.key_display or binding.key, binding.description)
            for binding in self.BINDINGS
            if isinstance(binding, Binding) and self._allowed(binding.action)
        ]
        return [*keys, ("ctrl+p", "Command palette"), *self.table.key_help()]

    def _help_notes(self) -> list[str]:
        notes = [f"Polling every {self.poller.interval:g}s. Actions are logged to the audit log."]
        if self.read_only:
            notes.append("READ-ONLY: redirect and hang-up are disabled, and the gateway refuses any write.")
        return notes

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if not isinstance(binding, Binding) or binding.action in ("quit", "help"):
                continue
            if not self._allowed(binding.action, on_table=screen is self.screen_stack[0]):
                continue
            yield SystemCommand(
                binding.description,
                f"{binding.description} ({binding.key})",
                getattr(self, f"action_{binding.action}"),
            )
        yield SystemCommand("Keys", "Show every key (?)", self.action_help)

    # ----------------------------------------------------------------- actions on calls

    @work(group="actions")
    async def _run_action(self, call: Call, action: Action) -> None:
        outcome = await self.actions.run(call.sid, action)
        if outcome is None:
            self.notify(
                f"An action on {short_sid(call.sid)} is already in flight; not sent again.",
                severity="warning",
                markup=False,
            )
            return
        self._report(call, outcome)
        if outcome.call is not None:
            self._refresh_one(outcome.call)
        else:
            self._refetch(call.sid)

    def _report(self, call: Call, outcome: ActionOutcome) -> None:
        if self.recorder is not None:
            self.recorder.action(outcome, self.clock())
        what = {"redirect": "Redirected", "hangup": "Hung up"}[outcome.action]
        if outcome.parameters.get("Status") == "canceled":
            what = "Canceled"
        subject = call_line(call, self.clock())
        if outcome.result == "ok":
            self.notify(f"{what}: {subject}", title="Done", markup=False)
        else:
            error = outcome.error
            lines = [clean(error.summary(), 300) if error else outcome.result]
            if error and error.more_info:
                lines.append(clean(error.more_info, 200))
            if outcome.result == "unknown":
                lines.insert(
                    0, "Outcome UNKNOWN: it may have reached Twilio. Check the call before retrying."
                )
            self.notify(
                "\n".join(lines),
                title=f"{outcome.action} failed: {short_sid(call.sid)}",
                severity="error",
                timeout=15,
                markup=False,
            )
        if outcome.audit_error:
            self.notify(
                f"Audit log not written: {clean(outcome.audit_error, 200)}",
                severity="error",
                timeout=30,
                markup=False,
            )

    def _refresh_one(self, call: Call) -> None:
        """Show an action's effect at once instead of waiting for the next poll."""
        known = self.table.get_call(call.sid) is not None
        diff = PollDiff(changed=(call,)) if known else PollDiff(added=(call,))
        self.table.apply(diff, self.clock())
        self._render_header()

    @work(group="actions")
    async def _refetch(self, sid: str) -> None:
        try:
            call = await self.gateway.fetch(sid)
        except GatewayError:
            return  # the next poll will tell
        self._refresh_one(call)
