"""People and access: API tokens, console accounts, and the one access policy (who may
list, read and change what) with the facts, SQL scopes and loaders it works with.

Operations: may import other operation packages, `service.models` and `service.plumbing`;
never `service.resources`, `service.console` or `service.web`.
"""
