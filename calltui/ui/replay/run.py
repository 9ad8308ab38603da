"""`calltui replay FILE`: open the recording (one line and exit 2 when it cannot be read), then play it."""

from __future__ import annotations

import sys
from pathlib import Path

from calltui.monitor.recording import Recording, RecordingError


def run_replay(path: Path) -> int:
    try:
        recording = Recording.open(path)
    except RecordingError as exc:
        print(f"calltui replay: {exc}", file=sys.stderr)
        return 2
    from calltui.ui.replay.app import ReplayApp  # Textual loads only once the file is known to be good.

    try:
        ReplayApp(recording).run()
    finally:
        recording.close()
    return 0
