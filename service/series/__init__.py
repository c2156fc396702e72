"""Series and courses: recurrence rules, planning and creating a series, changing it,
who a change would tell, enrolment with its waitlist, and attendance.

Operations: may import other operation packages, `service.models` and `service.plumbing`;
never `service.resources`, `service.console` or `service.web`.
"""
