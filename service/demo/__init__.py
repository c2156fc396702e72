"""Demo data: three offices with rooms, people, beneficiaries, bookings, and one scene
for each interpreter matching rule. Used by `flask seed-demo` only.

Operations: may import other operation packages, `service.models` and `service.plumbing`;
never `service.resources`, `service.console` or `service.web`.
"""
