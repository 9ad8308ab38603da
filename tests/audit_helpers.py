"""Reading a test's audit log: the outcome lines most tests check, and the intents written ahead of them."""

from __future__ import annotations

import json
from pathlib import Path


def all_lines(tmp_path: Path) -> list[dict]:
    path = tmp_path / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def audit_lines(tmp_path: Path) -> list[dict]:
    """The outcome lines (what became of each action), in order."""
    return [line for line in all_lines(tmp_path) if line.get("kind") != "intent"]


def intent_lines(tmp_path: Path) -> list[dict]:
    return [line for line in all_lines(tmp_path) if line.get("kind") == "intent"]
