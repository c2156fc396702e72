"""Dial-in and video links of phone and video bookings: only https:, tel: and sip:.

A link is shown in calendar feeds, the console and SMS, where a `javascript:`, `data:`,
`file:` or plain `http:` link would run code, leak a meeting in clear or point at a file.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from service.plumbing.errors import Invalid

REMOTE_LINK_SCHEMES = ("https", "tel", "sip")
_TEL = re.compile(r"\+?[0-9][0-9().-]*(;[A-Za-z0-9=.+-]+)*")
_SIP = re.compile(r"[^@/]+@[A-Za-z0-9.-]+(:[0-9]+)?(;[A-Za-z0-9=.+-]+)*")
_FORM = "Give an https:// link, a tel: number (tel:+359888123456) or a sip: address."


def remote_link_problem(link: str) -> str | None:
    """Return why `link` is refused as a remote link, or None when it is acceptable."""
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in link):
        return "A link has no spaces or control characters. " + _FORM
    scheme, colon, rest = link.partition(":")
    if not colon or scheme.lower() not in REMOTE_LINK_SCHEMES:
        return "Only https:, tel: and sip: links are accepted. " + _FORM
    scheme = scheme.lower()
    if scheme == "https":
        try:
            host = urlsplit(link).hostname
        except ValueError:
            host = None
        if not rest.startswith("//") or not host:
            return "An https link names a host: https://meet.example.org/room."
    elif scheme == "tel" and not _TEL.fullmatch(rest):
        return "A tel: link is a phone number, such as tel:+359888123456."
    elif scheme == "sip" and not _SIP.fullmatch(rest):
        return "A sip: link is an address, such as sip:room@sip.example.org."
    return None


def check_remote_link(link: str | None, field_name: str = "remote_link") -> None:
    """Raise Invalid naming `field_name` unless `link` is empty or an acceptable link."""
    if link is None:
        return
    problem = remote_link_problem(link)
    if problem is not None:
        raise Invalid(field_name, problem).coded("remote_link_invalid")
