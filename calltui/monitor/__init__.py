"""Application services between the UI and the domain: polling, actions, the audit log, history."""
