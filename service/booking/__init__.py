"""Booking: create, move, cancel and complete bookings; the holds that forbid
double-booking; free slots (searched on whole minutes); opening hours, holidays and closures; the tunable booking policy,
the time rule, dial-in links and the audit log of every change.

Operations: may import other operation packages, `service.models` and `service.plumbing`;
never `service.resources`, `service.console` or `service.web`.
"""
