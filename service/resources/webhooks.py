"""Twilio webhooks: delivery status of each outbox message and inbound SMS.

Both check X-Twilio-Signature against PUBLIC_BASE_URL plus the request path, never a host
taken from the request or X-Forwarded-* headers, and answer 403 when it does not match (429
once the address is over FAILED_AUTH_LIMIT).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from service import ratelimit
from service.clock import utcnow
from service.db import get_session
from service.notify.inbound import apply_status_callback, handle_inbound
from service.notify.settings import NotifySettings

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks/twilio")


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


def _twiml(text: str | None) -> Response:
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return Response(str(reply), mimetype="application/xml")


@bp.post("/status/<int:outbox_id>")
def status_callback(outbox_id: int) -> Response:
    _check_signature()
    form = request.form
    session = get_session()
    apply_status_callback(
        session,
        outbox_id,
        message_sid=form.get("MessageSid", ""),
        status=form.get("MessageStatus", ""),
        error_code=form.get("ErrorCode") or None,
        now=utcnow(),
    )
    session.commit()
    return Response(status=204)


@bp.post("/inbound")
def inbound() -> Response:
    _check_signature()
    form = request.form
    session = get_session()
    outcome = handle_inbound(
        session,
        phone=form.get("From", ""),
        body=form.get("Body", ""),
        message_sid=form.get("MessageSid"),
        now=utcnow(),
    )
    session.commit()
    return _twiml(outcome.reply)
