"""Team mode: instances on one account share one poll, their actions and claims on calls through Redis.

redis-py is imported only here, and only when team mode is on: without `--team` calltui never loads it.
"""
