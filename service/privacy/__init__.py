"""Privacy: erase a beneficiary everywhere their data was copied, export everything kept
about one (subject access), and find and replace their numbers in free text.

Operations: may import other operation packages, `service.models` and `service.plumbing`;
never `service.resources`, `service.console` or `service.web`.
"""
