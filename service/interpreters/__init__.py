"""Interpreters: the matching rules (language, needs, avoidances, hour limits), their
checks at booking time, the hours held, the search and ranking of who may be offered, and
a beneficiary's recorded needs and pairings.

Operations: may import other operation packages, `service.models` and `service.plumbing`;
never `service.resources`, `service.console` or `service.web`.
"""
