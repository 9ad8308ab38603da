"""The recording file's layout (schema version 1) and its one error type.

A recording is a plain SQLite file. `polls` holds one row per poll: a failed poll has no data, a
keyframe holds every call, and the rows between keyframes hold only the difference from the poll before
(calls added, fields changed, SIDs removed). `data` is zlib-compressed JSON: a keyframe is
`[call, …]`, a diff `{"a": [call, …], "c": [change, …], "r": [sid, …]}`, where a call holds its set
fields and a change the SID and the fields that changed (null: became unknown). A keyframe every
`KEYFRAME_EVERY` polls bounds a seek to any poll to one keyframe plus at most that many diffs.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
KEYFRAME_EVERY = 50

# `polls.kind`
NO_DATA = 0
"""The poll failed (or was discarded): the calls are as at the poll before."""
DIFF = 1
KEYFRAME = 2

SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE session (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE polls (
    seq INTEGER PRIMARY KEY,  -- 0, 1, 2… in the order the polls were applied
    at REAL NOT NULL,         -- when, in Unix seconds
    view TEXT NOT NULL,       -- 'active' or 'recent'
    error TEXT,               -- the failed poll's error summary; NULL when it succeeded
    kind INTEGER NOT NULL,    -- 0 no data, 1 diff, 2 keyframe
    data BLOB,                -- see the module docstring
    active INTEGER,           -- live calls (queued, ringing, in progress) after the poll; NULL if it failed
    account TEXT              -- the account polled, after an account switch; NULL: the session's account
);
CREATE TABLE actions (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    call_sid TEXT NOT NULL,
    action TEXT NOT NULL,
    parameters TEXT NOT NULL, -- JSON object, redacted as in the audit log
    outcome TEXT NOT NULL,
    error_code INTEGER,
    error TEXT
);
"""


class RecordingError(Exception):
    """A recording cannot be written or read; the message is one line for the terminal."""
