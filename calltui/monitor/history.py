"""Recently used redirect targets, newest first, kept in the user's config directory (without the URLs that
carry a password: those are offered for the session only)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from calltui.monitor.audit import url_password
from calltui.paths import open_private

MAX_ENTRIES = 20


class UrlHistory:
    def __init__(self, path: Path | None) -> None:
        """`path=None` keeps the history in memory only (tests, or a read-only home)."""
        self.path = path
        self._items: list[str] = self._load()

    @property
    def items(self) -> list[str]:
        return list(self._items)

    def _load(self) -> list[str]:
        if self.path is None:
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return (
            [item for item in data if isinstance(item, str)][:MAX_ENTRIES] if isinstance(data, list) else []
        )

    def remember(self, target: str) -> None:
        self._items = [target, *(item for item in self._items if item != target)][:MAX_ENTRIES]
        if self.path is None:
            return
        kept = [item for item in self._items if url_password(item) is None]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with os.fdopen(open_private(tmp, overwrite=True), "w", encoding="utf-8") as file:
                file.write(json.dumps(kept, indent=1))
            tmp.replace(self.path)
        except OSError:
            pass  # History is a convenience; failing to save it must not fail the redirect.
