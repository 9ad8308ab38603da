"""The redirect history: newest first, bounded, kept in a file only its owner reads, without passwords."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from calltui.monitor.history import MAX_ENTRIES, UrlHistory


def test_targets_are_kept_newest_first_without_repeats_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / "calltui" / "history.json"
    history = UrlHistory(path)
    for n in range(MAX_ENTRIES + 5):
        history.remember(f"https://example.com/{n}")
    history.remember("https://example.com/3")
    again = UrlHistory(path)
    assert again.items == history.items
    assert again.items[0] == "https://example.com/3" and len(again.items) == MAX_ENTRIES
    assert again.items.count("https://example.com/3") == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_url_with_a_password_is_offered_this_session_but_never_written(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    history = UrlHistory(path)
    history.remember("https://example.com/plain")
    history.remember("https://ops:hunter2@example.com/twiml")
    assert history.items[0] == "https://ops:hunter2@example.com/twiml"
    assert "hunter2" not in path.read_text()
    assert UrlHistory(path).items == ["https://example.com/plain"]


def test_a_damaged_file_is_an_empty_history(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    for content in ("{not json", json.dumps({"a": 1}), json.dumps([1, None, "https://ok.example/x"])):
        path.write_text(content)
        assert UrlHistory(path).items == ([] if "ok" not in content else ["https://ok.example/x"])


def test_a_left_over_temporary_file_does_not_widen_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.with_suffix(".tmp").write_text("[]")
    path.with_suffix(".tmp").chmod(0o644)
    UrlHistory(path).remember("https://example.com/x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
