"""Benchmarks: `python -m bench` runs every registered benchmark and prints one line per figure."""
