"""Widgets of the calltui app."""
