"""calltui: a keyboard-first terminal monitor for live Twilio calls."""

__version__ = "0.1.0"
