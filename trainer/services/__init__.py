"""Use cases: load rows, apply domain rules, write rows and audit events.

Services flush; the caller (a view or a CLI command) commits once.
"""
