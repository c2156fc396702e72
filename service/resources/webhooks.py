"""Twilio webhooks: delivery status of each outbox message and inbound SMS.

Both check X-Twilio-Signature against PUBLIC_BASE_URL plus the request path, never a host
taken from the request or X-Forwarded-* headers, and answer 403 when it does not match (429
once the address is over FAILED_AUTH_LIMIT). A signed request whose fields are malformed (bytes
that are not UTF-8, NUL, lone surrogates, a MessageSid or number of the wrong shape, an
ErrorCode that is not ASCII digits) answers 422 naming the field. Both are idempotent: Twilio
retries, so a replayed MessageSid changes nothing and answers 200 (inbound with no reply).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NoReturn
from urllib.parse import parse_qsl, unquote_plus

from flask import Blueprint, Response, current_app, request
from flask_smorest import abort
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from service.notify.inbound import apply_status_callback, handle_inbound
from service.notify.settings import NotifySettings
from service.plumbing.clock import utcnow
from service.plumbing.db import get_session
from service.web import ratelimit

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks/twilio")

_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
_SID = re.compile(r"[A-Za-z0-9]{2,64}")
_STATUS = re.compile(r"[a-z_]{1,32}")
_ERROR_CODE = re.compile(r"[0-9]{1,10}")
_PHONE = re.compile(r"\+?[0-9]{2,19}")
_MAX_BODY = 5000  # Twilio caps an SMS body at 1,600 characters
_SURROGATES = re.compile("[\ud800-\udfff]")


@bp.before_request
def _keep_raw_body() -> None:
    """Keep the raw form so that bytes which are not UTF-8 can be named, not replaced."""
    request.get_data(cache=True, parse_form_data=False)


def _check_signature() -> None:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    base = NotifySettings.from_config(current_app.config).public_base_url.rstrip("/")
    query = request.query_string.decode()
    url = base + request.path + (f"?{query}" if query else "")
    if (
        not token
        or not signature
        or not RequestValidator(str(token)).validate(url, request.form.to_dict(), signature)
    ):
        ratelimit.refuse_failed_authentication(403, "The Twilio signature does not match.")


def _refuse(field: str, message: str) -> NoReturn:
    abort(422, message=f"{field}: {message}", errors={"form": {field: [message]}})
    raise AssertionError("abort() raises")  # for the type checker


def _check_encoding() -> None:
    """Refuse a field whose bytes are not UTF-8 (werkzeug would put U+FFFD in their place)."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return
    try:
        text = request.get_data(cache=True, parse_form_data=False).decode("utf-8")
    except UnicodeDecodeError:
        _refuse("form", "Not valid UTF-8 text.")
    for pair in text.split("&"):
        try:
            parse_qsl(pair, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            name = unquote_plus(pair.partition("=")[0], errors="replace")
            _refuse(name if _NAME.fullmatch(name) else "form", "Not valid UTF-8 text.")


def _text(name: str, *, required: bool = False, limit: int = 64) -> str:
    """One form field as clean text: no NUL, no lone surrogates, at most `limit` characters."""
    value = request.form.get(name, "")
    if required and not value:
        _refuse(name, "Missing.")
    if "\x00" in value:
        _refuse(name, "Contains a NUL character.")
    if _SURROGATES.search(value):
        _refuse(name, "Contains a lone surrogate; not valid Unicode text.")
    if len(value) > limit:
        _refuse(name, f"Longer than {limit} characters.")
    return value


def _shaped(name: str, pattern: re.Pattern[str], value: str, what: str) -> str:
    if value and not pattern.fullmatch(value):
        _refuse(name, f"Not {what}.")
    return value


def _check_other_fields(fields: Iterable[str]) -> None:
    for name in request.form:
        if name not in fields:
            _text(name, limit=2000)  # fields we do not read must still be clean text


def _twiml(text: str | None) -> Response:
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return Response(str(reply), mimetype="application/xml")


@bp.post("/status/<int:outbox_id>")
def status_callback(outbox_id: int) -> Response:
    _check_signature()
    _check_encoding()
    sid = _shaped("MessageSid", _SID, _text("MessageSid", required=True), "a Twilio SID")
    status = _shaped("MessageStatus", _STATUS, _text("MessageStatus"), "a Twilio status")
    code = _shaped("ErrorCode", _ERROR_CODE, _text("ErrorCode"), "a number in ASCII digits")
    _check_other_fields(("MessageSid", "MessageStatus", "ErrorCode"))
    session = get_session()
    apply_status_callback(
        session, outbox_id, message_sid=sid, status=status, error_code=code or None, now=utcnow()
    )
    session.commit()
    return Response(status=204)


@bp.post("/inbound")
def inbound() -> Response:
    _check_signature()
    _check_encoding()
    sid = _shaped("MessageSid", _SID, _text("MessageSid", required=True), "a Twilio SID")
    phone = _shaped("From", _PHONE, _text("From", required=True, limit=20), "a phone number")
    body = _text("Body", limit=_MAX_BODY)
    _check_other_fields(("MessageSid", "From", "Body"))
    session = get_session()
    outcome = handle_inbound(session, phone=phone, body=body, message_sid=sid, now=utcnow())
    session.commit()
    return _twiml(outcome.reply)
