"""Plumbing: settings, database engine and sessions, domain errors, clock, column types,
the migrations runner and strict reading of raw text.

Knows nothing of the domain: imports only from `service.plumbing` (and libraries).
Everything else may import it.
"""
