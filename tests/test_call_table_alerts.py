"""`CallTable.set_alerts`: alerting rows are painted as such, and only lines whose state changed repaint."""

from __future__ import annotations

import pytest
from test_call_table import TableApp, assert_screen_is_current, screen_row_of
from test_call_table_model import NOW, call, sid
from textual.geometry import Region

from calltui.ui.widgets.call_table import CallTable


def alert_background(table: CallTable) -> object:
    return table.get_component_rich_style("call-table--alert").bgcolor


def painted(table: CallTable, call_sid: str) -> bool:
    line = table.render_line(screen_row_of(table, call_sid))
    return all(segment.style.bgcolor == alert_background(table) for segment in line if segment.text)


@pytest.mark.parametrize("count", [2, 40])  # fewer changes than screen lines, and more
async def test_set_alerts_repaints_only_the_changed_lines_on_screen(
    monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    app = TableApp()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.table
        table.set_calls([call(n) for n in range(1, 101)], NOW)
        await pilot.pause()
        await pilot.press("down")  # the cursor's own style would hide the first row's alert
        regions: list[Region] = []
        original = table.refresh

        def recording(*regions_: Region, **kwargs: object) -> CallTable:
            regions.extend(regions_)
            return original(*regions_, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(table, "refresh", recording)
        alerting = {sid(1), *(sid(n) for n in range(101 - count, 101))}  # row 0, and rows off screen
        table.set_alerts(alerting)
        assert table.alert_sids == alerting
        assert regions == [Region(0, 1, table.size.width, 1)]
        await pilot.pause()
        assert painted(table, sid(1)) and not painted(table, sid(3))
        await assert_screen_is_current(app, pilot)
        regions.clear()
        table.set_alerts(alerting)  # nothing changed: nothing repaints
        assert regions == []
        table.set_alerts({sid(3)})
        assert sorted(r.y for r in regions) == [1, 3]
        await pilot.pause()
        assert painted(table, sid(3)) and not painted(table, sid(1))
        await assert_screen_is_current(app, pilot)
