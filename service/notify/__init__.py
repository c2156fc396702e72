"""SMS: queued in the booking's own transaction (outbox, outbox_series), sent by the
dispatcher in the scheduler process (dispatch, senders, reconcile, retention), followed by
people (notifications) and answered (inbound).

Operations: may import other operation packages, `service.models` and `service.plumbing`;
never `service.resources`, `service.console` or `service.web`. Two modules are app wiring
and may: `jobs` (the scheduler process) and `monitoring` (its figures at /metrics).
"""
