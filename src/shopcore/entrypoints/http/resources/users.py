"""Users: register, tokens, profile, password change (the reset flow is password_reset.py)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from shopcore.domain.user import User
from shopcore.entrypoints.http.auth import login_required, viewer
from shopcore.entrypoints.http.blueprint import blueprint
from shopcore.entrypoints.http.context import shop
from shopcore.entrypoints.http.schemas.users import (
    PasswordChangeSchema,
    ProfileSchema,
    RefreshSchema,
    RegisterSchema,
    TokenObtainSchema,
    TokenPairSchema,
    UserSchema,
)

blp = blueprint("users", __name__, url_prefix="/api/users", description="Accounts and sessions")

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


@blp.route("/register/")
class Register(MethodView):
    @blp.arguments(RegisterSchema)
    @blp.response(201, UserSchema)
    @blp.errors(409)
    def post(self, data: dict[str, Any]) -> User:
        """Create a customer account."""
        user: User = shop().register_user(**data)
        return user


@blp.route("/token/")
class Token(MethodView):
    @blp.arguments(TokenObtainSchema)
    @blp.response(200, TokenPairSchema)
    @blp.errors(401, 429)
    def post(self, data: dict[str, Any]) -> Any:
        """Log in: an access and a refresh token (throttled after repeated failures)."""
        return shop().log_in(**data, address=request.remote_addr or "")


@blp.route("/token/refresh/")
class TokenRefresh(MethodView):
    @blp.arguments(RefreshSchema)
    @blp.response(200, TokenPairSchema)
    @blp.errors(401)
    def post(self, data: dict[str, Any]) -> Any:
        """Rotate a refresh token; a reused one revokes every token issued from it."""
        return shop().refresh_tokens(refresh=data["refresh"])


@blp.route("/logout/")
class Logout(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.arguments(RefreshSchema)
    @blp.response(204)
    @blp.errors(401)
    def post(self, data: dict[str, Any]) -> None:
        """Revoke one of the caller's refresh tokens."""
        shop().log_out(user_id=viewer().user_id, refresh=data["refresh"])


@blp.route("/profile/")
class Profile(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.response(200, ProfileSchema)
    @blp.errors(401)
    def get(self) -> User:
        """The caller's account."""
        user: User = shop().get_profile(user_id=viewer().user_id)
        return user

    @blp.doc(security=BEARER)
    @blp.arguments(ProfileSchema)
    @blp.response(200, ProfileSchema)
    @blp.errors(401, 409, 429)
    def put(self, data: dict[str, Any]) -> User:
        """Change the e-mail and names; fields left out keep their value (as DRF)."""
        user: User = shop().update_profile(user_id=viewer().user_id, **data,
                                           address=request.remote_addr or "")
        return user

    @blp.doc(security=BEARER)
    @blp.arguments(ProfileSchema)
    @blp.response(200, ProfileSchema)
    @blp.errors(401, 409, 429)
    def patch(self, data: dict[str, Any]) -> User:
        """Change some of the e-mail and names."""
        user: User = shop().update_profile(user_id=viewer().user_id, **data,
                                           address=request.remote_addr or "")
        return user


@blp.route("/password/change/")
class PasswordChange(MethodView):
    decorators = [login_required]

    @blp.doc(security=BEARER)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    @blp.errors(401, 429)
    def post(self, data: dict[str, Any]) -> None:
        """Replace the password; every token of the caller is revoked (wrong old ones throttled)."""
        shop().change_password(user_id=viewer().user_id, **data,
                               address=request.remote_addr or "")
