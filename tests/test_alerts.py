"""The alert evaluator on its own: every rule, its edges, and announcing a standing condition once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from calltui.domain.call import Call
from calltui.monitor.alerts import (
    NOTICE_WINDOW,
    NOTICES_PER_WINDOW,
    REARM_AFTER,
    AlertMonitor,
    NoticeBudget,
    standing_alerts,
)
from calltui.userconfig import AlertRules

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def sid(n: int) -> str:
    return f"CA{n:032x}"


def call(n: int, status: str = "in-progress", age: float = 0, from_: str | None = "+15550001111") -> Call:
    """A call `age` seconds old: started then if in progress, created then if still waiting."""
    began = NOW - timedelta(seconds=age)
    started = began if status == "in-progress" else None
    return Call(sid(n), status=status, from_=from_, date_created=began, start_time=started)


def keys(rules: AlertRules, calls: list[Call], now: datetime = NOW) -> set[tuple[str, str]]:
    return {alert.key for alert in standing_alerts(rules, calls, now)}


def test_no_rules_no_alerts() -> None:
    calls = [call(i, age=10**6, from_="+1") for i in range(50)]
    assert standing_alerts(AlertRules(), calls, NOW) == []


def test_waiting_rule_fires_for_queued_and_ringing_past_the_limit_only() -> None:
    rules = AlertRules(waiting_longer_than=30)
    calls = [
        call(1, "queued", 31),
        call(2, "ringing", 45),
        call(3, "ringing", 30),  # exactly at the limit: not longer than it
        call(4, "in-progress", 500),  # not waiting
        call(5, "completed", 500),  # not live
    ]
    assert keys(rules, calls) == {("waiting", sid(1)), ("waiting", sid(2))}
    [alert] = [a for a in standing_alerts(rules, calls, NOW) if a.key == ("waiting", sid(2))]
    assert alert.sids == {sid(2)}
    assert "ringing for 0:45" in alert.message and "limit 30s" in alert.message and sid(2) in alert.message


def test_in_progress_rule_counts_minutes() -> None:
    rules = AlertRules(in_progress_longer_than=60)
    calls = [call(1, age=3601), call(2, age=3600), call(3, "ringing", 7200)]
    assert keys(rules, calls) == {("in-progress", sid(1))}
    [alert] = standing_alerts(rules, calls, NOW)
    assert "in progress for 1:00:01" in alert.message and "limit 60 min" in alert.message


def test_calls_from_one_number_fires_above_the_limit_and_names_every_call() -> None:
    rules = AlertRules(calls_from_one_number=2)
    flood = [call(i, from_="+15550009999") for i in range(1, 4)]
    pair = [call(i, from_="+15550001111") for i in range(4, 6)]  # at the limit
    ended = call(6, "completed", from_="+15550001111")
    unknown = [call(i, from_=None) for i in range(7, 10)]  # no number: not one number
    [alert] = standing_alerts(rules, [*flood, *pair, ended, *unknown], NOW)
    assert alert.key == ("number", "+15550009999")
    assert alert.sids == {c.sid for c in flood}
    assert alert.message.startswith("3 live calls from +15550009999")


def test_active_count_fires_above_the_limit_with_no_row() -> None:
    rules = AlertRules(active_above=3)
    calls = [call(i, status) for i, status in enumerate(("queued", "ringing", "in-progress"))]
    assert standing_alerts(rules, calls, NOW) == []
    calls.append(call(9, "ringing"))
    calls.append(call(10, "completed"))
    [alert] = standing_alerts(rules, calls, NOW)
    assert alert.key == ("active", "") and alert.sids == frozenset()
    assert alert.message == "4 live calls (limit 3)"


def test_hostile_values_neither_crash_nor_reach_the_message() -> None:
    rules = AlertRules(waiting_longer_than=1, calls_from_one_number=1)
    hostile = "+1\x1b[31m555\n[bold]x[/bold]"
    naive = Call(sid(1), status="ringing", from_=hostile, date_created=datetime(2026, 1, 1))  # no zone
    calls = [call(2, "ringing", 5, from_=hostile), call(3, "ringing", 5, from_=hostile), naive]
    alerts = standing_alerts(rules, calls, NOW)
    assert {a.key[0] for a in alerts} == {"waiting", "number"}
    assert ("waiting", sid(1)) not in {a.key for a in alerts}  # its age cannot be known
    for alert in alerts:
        assert "\x1b" not in alert.message and "\n" not in alert.message


def test_a_standing_alert_is_new_once_then_again_only_after_it_stayed_clear() -> None:
    monitor = AlertMonitor()
    rules = AlertRules(waiting_longer_than=30)
    ringing = [call(1, "ringing", 0)]
    assert monitor.evaluate(rules, ringing, NOW).new == ()
    first = monitor.evaluate(rules, ringing, NOW + timedelta(seconds=31))
    assert [a.key for a in first.new] == [("waiting", sid(1))] and first.sids == {sid(1)} and first.notice
    again = monitor.evaluate(rules, ringing, NOW + timedelta(seconds=40))
    assert again.new == () and again.sids == {sid(1)} and len(again.alerts) == 1 and not again.notice
    answered = [call(1, "in-progress", 0)]
    cleared = monitor.evaluate(rules, answered, NOW + timedelta(seconds=41))
    assert cleared.alerts == () and cleared.sids == frozenset()
    soon = monitor.evaluate(rules, ringing, NOW + timedelta(seconds=42))
    assert soon.new == () and soon.sids == {sid(1)}  # standing (highlighted, counted) but not fired again
    monitor.evaluate(rules, answered, NOW + timedelta(seconds=43))
    monitor.evaluate(rules, answered, NOW + timedelta(seconds=43) + REARM_AFTER)  # seen clear that long
    back = monitor.evaluate(rules, ringing, NOW + timedelta(seconds=44) + REARM_AFTER)
    assert [a.key for a in back.new] == [("waiting", sid(1))]


def test_a_count_alert_is_announced_once_while_its_calls_change() -> None:
    monitor = AlertMonitor()
    rules = AlertRules(active_above=1, calls_from_one_number=1)
    assert len(monitor.evaluate(rules, [call(1), call(2)], NOW).new) == 2
    grown = monitor.evaluate(rules, [call(1), call(2), call(3)], NOW)
    assert grown.new == () and grown.sids == {sid(1), sid(2), sid(3)}
    assert monitor.evaluate(rules, [call(1)], NOW).alerts == ()
    monitor.evaluate(rules, [call(1)], NOW + REARM_AFTER)
    later = monitor.evaluate(rules, [call(1), call(4)], NOW + REARM_AFTER)
    assert {a.key[0] for a in later.new} == {"active", "number"}


def test_a_count_flapping_around_its_limit_fires_once() -> None:
    """31, 30, 31, 30… live calls against a limit of 30, a poll every 2 s for ten minutes: one firing."""
    monitor = AlertMonitor()
    rules = AlertRules(active_above=30)
    below, above = [call(i) for i in range(30)], [call(i) for i in range(31)]
    fired, standing = 0, 0
    for poll in range(300):
        report = monitor.evaluate(rules, above if poll % 2 == 0 else below, NOW + timedelta(seconds=2 * poll))
        fired += len(report.new)
        standing += len(report.alerts)
    assert fired == 1 and standing == 150  # the count still tells the truth at each poll


def test_only_a_clear_spell_as_long_as_the_hold_rearms_an_alert() -> None:
    monitor = AlertMonitor()
    rules = AlertRules(active_above=1)
    two, one = [call(1), call(2)], [call(1)]
    hold = REARM_AFTER.total_seconds()

    def at(seconds: float, calls: list[Call]) -> int:
        return len(monitor.evaluate(rules, calls, NOW + timedelta(seconds=seconds)).new)

    assert at(0, two) == 1
    assert at(10, one) == 0  # clear from 10 s…
    assert at(9 + hold, two) == 0  # …for a second less than the hold: still the same alert
    assert at(10 + hold, one) == 0  # the clear spell starts over here
    assert at(9 + 2 * hold, one) == 0
    assert at(10 + 2 * hold, one) == 0  # seen clear for the whole hold…
    assert at(11 + 2 * hold, two) == 1  # …so it fires again


def test_time_not_evaluated_counts_from_the_last_clear_seen() -> None:
    """The ended view evaluates nothing: an alert standing when it was left has not been seen clear."""
    monitor = AlertMonitor()
    rules = AlertRules(active_above=1)
    two = [call(1), call(2)]
    assert len(monitor.evaluate(rules, two, NOW).new) == 1
    assert monitor.evaluate(rules, two, NOW + 10 * REARM_AFTER).new == ()


def test_a_call_cleared_for_good_is_forgotten_after_the_hold() -> None:
    monitor = AlertMonitor()
    rules = AlertRules(waiting_longer_than=5)
    monitor.evaluate(rules, [call(n, "queued", 6) for n in range(100)], NOW)
    monitor.evaluate(rules, [], NOW + timedelta(seconds=1))
    monitor.evaluate(rules, [], NOW + timedelta(seconds=1) + REARM_AFTER)
    assert monitor._fired == {}  # ended calls do not pile up in memory


def test_only_the_first_few_firings_in_a_window_get_a_notice() -> None:
    monitor = AlertMonitor()
    rules = AlertRules(waiting_longer_than=5)
    notices = []
    for n in range(NOTICES_PER_WINDOW + 2):  # a new call over the limit every 5 s
        report = monitor.evaluate(rules, [call(n, "queued", 6)], NOW + timedelta(seconds=5 * n))
        assert len(report.new) == 1
        notices.append(report.notice)
    assert notices == [True] * NOTICES_PER_WINDOW + [False, False]
    late = NOW + timedelta(seconds=5 * (NOTICES_PER_WINDOW + 2)) + NOTICE_WINDOW
    assert monitor.evaluate(rules, [call(99, "queued", 6)], late).notice


def test_the_notice_budget_is_a_rolling_window() -> None:
    budget = NoticeBudget(most=2, window=timedelta(seconds=60))
    at = [budget.take(NOW + timedelta(seconds=s)) for s in (0, 30, 59, 60, 61, 89, 90)]
    assert at == [True, True, False, True, False, False, True]


def test_each_call_is_its_own_alert() -> None:
    monitor = AlertMonitor()
    rules = AlertRules(waiting_longer_than=10)
    monitor.evaluate(rules, [call(1, "queued", 11)], NOW)
    report = monitor.evaluate(rules, [call(1, "queued", 12), call(2, "queued", 11)], NOW)
    assert [a.key for a in report.new] == [("waiting", sid(2))]
    assert report.sids == {sid(1), sid(2)}


def test_limits_compare_with_the_whole_seconds_the_table_shows() -> None:
    half = AlertRules(waiting_longer_than=30.5)
    assert keys(half, [call(1, "queued", 30.9)]) == set()  # shown as 0:30
    assert keys(half, [call(1, "queued", 31)]) == {("waiting", sid(1))}
    beyond_any_date = AlertRules(waiting_longer_than=1e300, in_progress_longer_than=1e300)
    assert standing_alerts(beyond_any_date, [call(1, "queued", 10**9), call(2, age=10**9)], NOW) == []
