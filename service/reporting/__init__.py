"""Reporting: anonymised statistics for donors and the interpreters' month (hours per
interpreter), each also as CSV.

Operations: may import other operation packages, `service.models` and `service.plumbing`;
never `service.resources`, `service.console` or `service.web`.
"""
