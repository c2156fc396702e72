"""Who and what can be booked, and where: offices and their closures, the catalogue of
rooms and people (hours, time off), beneficiaries, languages and phone numbers; and each
process's cache of that reference data (with API tokens), which every change to it
invalidates across processes (reference_cache, reference_changes).

Operations: may import other operation packages, `service.models` and `service.plumbing`;
never `service.resources`, `service.console` or `service.web`.
"""
