"""iCalendar feeds of bookings: stored VEVENT pieces, subscriptions, downloads, free/busy.

Bookings are mapped to the pure ``calendars`` package here; ``calendars`` knows nothing of
the service.  Booking operations call `refresh_booking` in their transaction.

Operations: may import other operation packages, `service.models` and
`service.plumbing`; never `service.resources`, `service.console` or `service.web`.
"""

from service.feeds.changes import fold_changes
from service.feeds.downloads import render_booking_ics, render_resource_freebusy
from service.feeds.pieces import (
    rebuild_all,
    refresh_beneficiary,
    refresh_booking,
    refresh_new_bookings,
)
from service.feeds.series_pieces import refresh_series, series_changed
from service.feeds.serve import (
    BuiltFeed,
    FeedSpec,
    OpenFeed,
    Validators,
    Window,
    build_feed,
    build_office_feed,
    feed_body,
    feed_validators,
    office_feed_spec,
    open_feed,
    parse_window,
    today_in_sofia,
)
from service.feeds.subscriptions import (
    FeedRequest,
    create_feed,
    find_feed,
    list_feeds,
    own_feeds,
    revoke_feed,
    revoke_feeds_of_user,
    rotate_feed,
    subscription_urls,
)

__all__ = [
    "BuiltFeed",
    "FeedRequest",
    "FeedSpec",
    "OpenFeed",
    "Validators",
    "Window",
    "build_feed",
    "build_office_feed",
    "create_feed",
    "feed_body",
    "feed_validators",
    "find_feed",
    "fold_changes",
    "list_feeds",
    "office_feed_spec",
    "open_feed",
    "own_feeds",
    "parse_window",
    "rebuild_all",
    "refresh_beneficiary",
    "refresh_booking",
    "refresh_new_bookings",
    "refresh_series",
    "render_booking_ics",
    "render_resource_freebusy",
    "revoke_feed",
    "revoke_feeds_of_user",
    "rotate_feed",
    "series_changed",
    "subscription_urls",
    "today_in_sofia",
]
