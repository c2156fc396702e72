"""The console's words for each code a domain refusal carries (see `DomainError.coded`).

Parameters arrive as the domain gives them (office codes, resource and beneficiary ids,
days, statuses); `service.console.words` turns them into names before filling these in.
A code raised in service/ without an entry here fails tests/console/test_words.py.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# Times and spans
TIMES: dict[str, Any] = {
    "end_before_start": _l("The end must come after the start."),
    "offset_missing": _l("A time needs its offset from UTC, such as 2027-03-01T10:00:00+02:00."),
    "years_out_of_range": _l("Give a date between %(first)d and %(last)d."),
    "time_passed": _l("This time has already passed; give a time from now on."),
    "booking_too_long": _l("A booking may last at most %(hours)s hours."),
    "record_past_reason_alone": _l("A reason is given only for a booking recorded afterwards."),
    "record_past_admin_only": _l("Only an admin may record a booking after the fact."),
    "record_past_reason_missing": _l("Say why this booking is recorded after the fact."),
    "record_past_not_started": _l("Only a booking that has already started can be recorded."),
    "record_past_fixed": _l("A booking recorded after the fact cannot be moved."),
    "text_too_long": _l("At most %(count)d characters."),
}

# Offices, people and rooms
PLACES: dict[str, Any] = {
    "office_closed": _l("%(office)s is closed on %(day)s: %(why)s."),
    "outside_opening_hours": _l("Outside the opening hours of %(office)s."),
    "override_admin_only": _l("Only an admin may book outside opening hours."),
    "not_working": _l("%(resource)s does not work at that time."),
    "resource_held": _l("%(resource)s is already booked then (booking %(booking)s)."),
    "resource_away": _l("%(resource)s is away then (time off)."),
    "resource_raced": _l("Someone else booked one of them at the same moment; try again."),
    "resource_twice": _l("A person or room is chosen twice."),
    "resource_unknown": _l("This person or room does not exist."),
    "resource_inactive": _l("%(resource)s can no longer be booked."),
    "resources_required": _l("Choose at least one person or room."),
    "room_elsewhere": _l("%(resource)s is not in the office booked."),
    "room_not_in_office": _l("%(resource)s is not in the %(office)s office."),
    "room_in_person_only": _l("Only an in-person meeting takes a room."),
    "office_unknown": _l("There is no office %(office)s."),
    "office_not_offered": _l("Choose one of the offices offered."),
    "resource_kind_unknown": _l("Choose a room, an interpreter or another person."),
    "room_office_required": _l("A room belongs to one office."),
    "room_capacity_min": _l("A room seats at least one person."),
    "person_office_required": _l("A person works for at least one office."),
    "interpreter_language_required": _l("An interpreter speaks at least one language."),
    "speciality_unknown": _l("Unknown speciality."),
    "weekday_range": _l("A weekday is Monday to Sunday."),
    "working_hours_order": _l("Working hours end after they start."),
    "time_off_people_only": _l("Time off is for people, not rooms."),
    "time_off_held": _l(
        "%(resource)s is booked then (booking %(booking)s): cancel or move it first."
    ),
    "closure_reason_missing": _l("Say why the office is closed."),
    "closure_on_holiday": _l("%(day)s is a public holiday already (%(holiday)s)."),
    "closure_exists": _l("%(office)s is already closed on %(day)s."),
    "closure_unknown": _l("%(office)s has no closure on %(day)s."),
}

# Bookings
BOOKINGS: dict[str, Any] = {
    "booking_unknown": _l("There is no such booking."),
    "booking_type_unknown": _l("Unknown kind of booking."),
    "modality_unknown": _l("Choose in person, phone or video."),
    "public_community_only": _l("Only a community event can be public."),
    "new_booking_status": _l("A new booking is tentative or confirmed."),
    "in_person_needs_place": _l("A meeting in person needs an office or a place."),
    "remote_needs_link": _l("A phone or video meeting needs its number or video link."),
    "remote_link_invalid": _l(
        "Only https:, tel: and sip: links are accepted: an https:// link, "
        "a number such as tel:+359888123456 or an address such as sip:room@sip.example.org."
    ),
    "booking_transition": _l("This booking is %(status)s; it cannot become %(target)s."),
    "booking_not_started": _l("A booking that has not started yet cannot be closed."),
    "booking_not_movable": _l("This booking is %(status)s; it cannot be moved."),
    "language_reason_alone": _l("Give a reason only when booking despite the language rule."),
    "language_reason_missing": _l("Say why this interpreter is booked all the same."),
    "calendar_cancelled": _l("A cancelled booking is in no calendar any more."),
}

# Series, enrolment, attendance
SERIES: dict[str, Any] = {
    "series_unknown": _l("There is no such series."),
    "class_unknown": _l("This series has no such date."),
    "series_type_unknown": _l("Unknown kind of series."),
    "title_required": _l("A series needs a title."),
    "capacity_min": _l("A series has at least one seat."),
    "class_one_day": _l("A class starts and ends on the same day."),
    "reminders_too_many": _l("At most %(count)d reminders per class."),
    "reminder_hours_format": _l("Give each reminder as hours before the class."),
    "reminder_hours_range": _l("A reminder comes more than 0 and at most %(hours)s hours before."),
    "reminder_twice": _l("Give each reminder time once."),
    "rule_all_closed": _l("Every date of the rule falls on a day the office is closed."),
    "rule_start_mismatch": _l("The first date is not an occurrence of the rule."),
    "rule_first_date": _l(
        "The first date is not an occurrence of the rule; the first would be %(day)s."
    ),
    "rule_empty": _l("The rule gives no date."),
    "series_over_a_year": _l("A series lasts at most one year."),
    "classes_clash": _l("%(clashing)d of %(total)d dates clash; nothing was booked."),
    "class_started": _l("This class has already started; it stays as it was."),
    "class_started_on": _l("The class of %(day)s has already started; past classes are kept."),
    "series_closed": _l("This series was cancelled or split; it cannot be changed."),
    "series_closed_enrol": _l("This series was cancelled or split; it takes no enrolments."),
    "end_nothing_after": _l("The series has no occurrence after that day to end."),
    "end_before_series": _l("The series would end before it starts; cancel it instead."),
    "end_after_held": _l("Classes after that day have already been held."),
    "times_both_or_neither": _l("Give both the start and the end, or neither."),
    "not_editable_here": _l("This cannot be changed here; move, split or end the series."),
    "already_enrolled": _l("%(reference)s is already %(status)s."),
    "enrolment_unknown": _l("This series has no such enrolment."),
    "enrolment_withdrawn": _l("This place was withdrawn already."),
    "not_enrolled": _l("%(reference)s is not enrolled."),
    "attendance_class_cancelled": _l("The class was cancelled; nobody attended it."),
    "attendance_not_started": _l("Attendance is recorded once the class has started."),
    "attendance_mark_unknown": _l("Mark each person present, absent or excused."),
    "walk_ins_negative": _l("The number of walk-ins is zero or more."),
}

# Beneficiaries
PEOPLE: dict[str, Any] = {
    "beneficiary_unknown": _l("No beneficiary with case reference %(reference)s at your offices."),
    "beneficiary_unknown_id": _l("There is no such beneficiary."),
    "beneficiary_twice": _l("A beneficiary is listed twice."),
    "beneficiary_erased": _l("The data of %(reference)s was erased."),
    "beneficiary_erased_fixed": _l("This beneficiary's data was erased; nothing can be changed."),
    "beneficiary_erased_already": _l("This beneficiary's data was erased already."),
    "beneficiary_office_required": _l("Choose at least one office the beneficiary belongs to."),
    "case_reference_required": _l("A case reference is required."),
    "case_reference_taken": _l("The case reference %(reference)s is registered already."),
    "sms_needs_phone": _l("SMS consent needs a number to send to."),
    "phone_invalid": _l("This is not a valid phone number."),
    "language_unknown": _l("Unknown language code %(language)s: use ISO 639, e.g. ar, fa, prs."),
    "may_not_book_beneficiaries": _l("Your role may not book or enrol beneficiaries."),
}

# Accounts, feeds, messages, statistics
OTHER: dict[str, Any] = {
    "forbidden": _l("Your role (%(role)s) may not do this."),
    "email_format": _l("Give an email address such as name@example.org."),
    "email_taken": _l("An account with this email exists already."),
    "password_short": _l("A password has at least %(count)d characters."),
    "password_wrong": _l("The current password is not right."),
    "role_unknown": _l("Choose one of the roles offered."),
    "locale_unknown": _l("Choose Bulgarian or English."),
    "coordinator_needs_office": _l("A coordinator is scoped to at least one office."),
    "staff_needs_person": _l("A staff account is linked to a person: choose one."),
    "user_unknown": _l("There is no such user."),
    "accounts_admin_only": _l("Only an admin manages accounts."),
    "deactivate_self": _l("You cannot deactivate your own account."),
    "feed_unknown": _l("There is no such calendar feed."),
    "feed_full_forbidden": _l("Only coordinators of its offices and admins see full details."),
    "feed_privacy_unknown": _l("Choose one of the levels of detail offered."),
    "feed_public_privacy": _l("Only the public feed is public, and it shows no more."),
    "feed_scope_unknown": _l("Choose a feed of an office, a person or a room, or your own."),
    "feed_office_required": _l("An office feed needs an office."),
    "feed_resource_required": _l("A feed of a person or room needs one chosen."),
    "feed_changed": _l("This feed was renewed or revoked meanwhile; reload the page."),
    "freebusy_too_long": _l("Free/busy covers at most %(days)d days."),
    "notification_unknown": _l("There is no such message."),
    "resend_not_failed": _l("Only a failed message is sent again; this one is %(status)s."),
    "resend_text_deleted": _l("The text of this message was deleted (retention)."),
    "resend_no_consent": _l("The recipient has not agreed to SMS."),
    "resend_no_phone": _l("The recipient has no phone number."),
    "resend_number_flagged": _l("The provider refused this number for good; correct it first."),
    "resend_done_already": _l("This message was resent already."),
    "handled_not_failed": _l(
        "Only a failed or unclear message is marked dealt with; this one is %(status)s."
    ),
    "handled_already": _l("This message was marked dealt with already."),
    "month_format": _l("A month is written YYYY-MM, for example 2026-03."),
    "month_years": _l("Months fall between %(first)d and %(last)d."),
    "months_reversed": _l("The last month comes before the first."),
    "months_too_many": _l("At most %(count)d months at once."),
}

# The interpreter rules (service/interpreters/interpreter_rules.py): names and case references, never why
# an interpreter is avoided.
INTERPRETERS: dict[str, Any] = {
    "interpreter_avoided": _l(
        "%(interpreter)s is on the avoid list of %(beneficiary)s: choose another interpreter."
    ),
    "interpreter_gender": _l(
        "%(beneficiary)s asked for an interpreter who is %(gender)s; %(interpreter)s is not."
    ),
    "interpreter_training": _l("%(interpreter)s is not trained for %(training)s."),
    "interpreter_hours_day": _l(
        "With this session %(interpreter)s would have %(hours)s hours of %(types)s in one day; "
        "the limit is %(limit)s."
    ),
    "interpreter_hours_week": _l(
        "With this session %(interpreter)s would have %(hours)s hours of %(types)s in one week; "
        "the limit is %(limit)s."
    ),
}

WORDS: dict[str, Any] = {
    **TIMES,
    **PLACES,
    **BOOKINGS,
    **SERIES,
    **PEOPLE,
    **OTHER,
    **INTERPRETERS,
}
