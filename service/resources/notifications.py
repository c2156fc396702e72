"""SMS notifications of a booking, resending or marking handled a failed one, consent history,
inbound replies."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from service.access.access_loaders import load_beneficiary, load_booking, load_message
from service.access.access_policy import Action, Kind, list_scope, require
from service.directory.phones import mask_phone
from service.models import ConsentEvent
from service.notify import notifications, outbox
from service.plumbing.db import get_session
from service.resources.fields import Instant, RowId, Text
from service.resources.security import current_principal

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="SMS notifications")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = Text()
    status = Text()
    to_masked = fields.Function(lambda m: mask_phone(m.to))
    due_at = Instant()
    sent_at = Instant(allow_none=True)
    encoding = Text()
    segments = fields.Integer()
    handled_at = Instant(allow_none=True)


class ConsentEventSchema(Schema):
    at = Instant()
    consent = fields.Boolean()
    source = Text()


class ReplySchema(Schema):
    id = fields.Integer()
    received_at = Instant()
    from_masked = fields.Function(lambda r: mask_phone(r.from_phone))
    body = Text(allow_none=True)
    beneficiary_id = fields.Integer(allow_none=True)
    booking_id = fields.Integer(allow_none=True)


class ReplyQuerySchema(Schema):
    booking_id = RowId()


@blp.route("/bookings/<int:booking_id>/notifications")
class BookingNotifications(MethodView):
    @blp.response(200, NotificationSchema(many=True))
    def get(self, booking_id: int) -> Any:
        """List the SMS of a booking, numbers masked."""
        principal = current_principal()
        require(principal, Action.LIST, Kind.NOTIFICATION)
        session = get_session()
        load_booking(session, principal, booking_id, Action.READ)
        scope = list_scope(principal, Kind.NOTIFICATION)
        return notifications.list_booking_notifications(session, booking_id, scope)


@blp.route("/notifications/<int:outbox_id>/resend")
class Resend(MethodView):
    @blp.response(201, NotificationSchema)
    @blp.alt_response(409, description="Not failed, or resent already.")
    def post(self, outbox_id: int) -> Any:
        """Queue a failed notification again (once) to the recipient's current number."""
        session = get_session()
        load_message(session, current_principal(), outbox_id)
        message = outbox.resend_message(session, outbox_id)
        session.commit()
        return message


@blp.route("/notifications/<int:outbox_id>/handled")
class Handled(MethodView):
    @blp.response(200, NotificationSchema)
    @blp.alt_response(409, description="Not failed, undelivered or in review, or handled already.")
    def post(self, outbox_id: int) -> Any:
        """Mark a failed, undelivered or in-review notification handled.

        For when a coordinator dealt with it another way (phoned the beneficiary, or the
        message no longer matters): it leaves the list of messages needing attention.
        """
        principal = current_principal()
        session = get_session()
        load_message(session, principal, outbox_id)
        message = notifications.mark_handled(session, outbox_id, by=principal.name)
        session.commit()
        return message


@blp.route("/beneficiaries/<int:beneficiary_id>/consent")
class ConsentHistory(MethodView):
    @blp.response(200, ConsentEventSchema(many=True))
    def get(self, beneficiary_id: int) -> Any:
        """SMS consent given and withdrawn, oldest first, with its source."""
        session = get_session()
        load_beneficiary(session, current_principal(), beneficiary_id, Action.READ)
        return list(
            session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.beneficiary_id == beneficiary_id)
                .order_by(ConsentEvent.at, ConsentEvent.id)
            )
        )


@blp.route("/replies")
class Replies(MethodView):
    @blp.arguments(ReplyQuerySchema, location="query")
    @blp.response(200, ReplySchema(many=True))
    def get(self, filters: dict[str, Any]) -> Any:
        """SMS replies that were not keywords, newest first, for coordinators to answer."""
        scope = list_scope(current_principal(), Kind.REPLY)
        return notifications.list_replies(
            get_session(), scope, booking_id=filters.get("booking_id")
        )
