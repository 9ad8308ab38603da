"""The domain: plain values and rules, no I/O. The UI and the gateway both depend on it."""
