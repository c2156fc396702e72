"""API tokens: issued, listed and revoked by admins."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from service.access import auth
from service.access.access_policy import Action, Kind, require
from service.models import ApiToken
from service.plumbing.db import get_session
from service.resources.schemas import NewTokenSchema, TokenCreateSchema, TokenSchema
from service.resources.security import current_principal

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="API tokens")


@blp.route("")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        require(current_principal(), Action.LIST, Kind.TOKEN)
        session = get_session()
        pagination_parameters.item_count = session.scalar(select(func.count(ApiToken.id)))
        return list(
            session.scalars(
                select(ApiToken)
                .order_by(ApiToken.id)
                .offset(pagination_parameters.first_item)
                .limit(pagination_parameters.page_size)
            )
        )

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Issue a token; the answer is the only place its secret ever appears."""
        require(current_principal(), Action.CHANGE, Kind.TOKEN)
        session = get_session()
        token, secret = auth.issue_token(session, **data)
        session.commit()
        fields = ("id", "name", "role", "offices", "resource_id", "created_at", "expires_at")
        return {name: getattr(token, name) for name in fields} | {"token": secret}


@blp.route("/<int:token_id>")
class TokenById(MethodView):
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke a token at once."""
        require(current_principal(), Action.CHANGE, Kind.TOKEN)
        session = get_session()
        auth.revoke_token(session, token_id)
        session.commit()
