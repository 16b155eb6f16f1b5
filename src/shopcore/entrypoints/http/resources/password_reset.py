"""The password reset flow: an HTML form in the browser (or JSON), a mailed link, a new password.

Its routes hang on the users blueprint, so they live under /api/users/ with the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, make_response, redirect, render_template, request, url_for
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, ValidationError

from shopcore.domain.errors import Throttled, ValidationFailed
from shopcore.entrypoints.http.blueprint import Parser
from shopcore.entrypoints.http.context import shop
from shopcore.entrypoints.http.errors import flatten
from shopcore.entrypoints.http.resources.users import blp
from shopcore.entrypoints.http.schemas.common import DetailSchema, ErrorSchema
from shopcore.entrypoints.http.schemas.users import (
    PasswordResetConfirmSchema,
    PasswordResetFormSchema,
    PasswordResetRequestSchema,
)

HTML = {"type": "string"}
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
SENT = "If an account uses that e-mail address, a password reset link has been sent to it."
FORM_COOKIE = "shopcore_reset"
FORM_COOKIE_SECONDS = 15 * 60  # as long as the form token it carries (bootstrap.reset_forms)
PARSER = Parser()




def _bad_json_or_form(description: str, *, throttled: bool = False) -> dict[str, Any]:
    """400 (and 429): a JSON body answers the error shape; a form, the HTML page again."""
    content = {"application/json": {"schema": ErrorSchema}, "text/html": {"schema": HTML}}
    responses = {"400": {"description": description, "content": content}}
    if throttled:
        responses["429"] = {"description": "Too many reset requests.", "content": content}
    return {"responses": responses}


def _form_body(json: type[Schema], form: type[Schema]) -> dict[str, Any]:
    content = {"application/json": {"schema": json},
               "application/x-www-form-urlencoded": {"schema": form}}
    return {"requestBody": {"required": True, "content": content}}


def _is_form() -> bool:
    return request.mimetype in FORMS


def _json(schema: Schema) -> dict[str, Any]:
    """The JSON body loaded as @blp.arguments would, errors in the one shape."""
    data: dict[str, Any] = PARSER.parse(schema, location="json")
    return data


def _form(schema: Schema) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The form loaded with `schema` (extra form fields ignored), and its errors."""
    try:
        return schema.load(request.form.to_dict(), unknown=EXCLUDE), {}
    except ValidationError as exc:
        return {}, flatten(exc.messages)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    """An HTML page that is never cached, leaks no referrer and loads nothing else."""
    context.setdefault("errors", {})
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")
    return response


def _client() -> str:
    """The client's address (the forwarded one behind SHOPCORE_PROXIES) for the limits."""
    return request.remote_addr or ""


def _again_url() -> str:
    return url_for("users.PasswordReset")


def _bad_link(message: str) -> Response:
    return _page("password_reset_error.html", 400, message=message, again_url=_again_url())


def _throttled(exc: Throttled) -> Response:
    response = _page("password_reset_form.html", 429, errors={"email": [exc.message]},
                     email=request.form.get("email", ""))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@blp.route("/password_reset/")
class PasswordReset(MethodView):
    accepts_form = True

    @blp.response(200, HTML, content_type="text/html", description="The HTML form.")
    def get(self) -> Response:
        """The HTML form asking for the e-mail address."""
        return _page("password_reset_form.html")

    @blp.doc(**_form_body(PasswordResetRequestSchema, PasswordResetRequestSchema))
    @blp.doc(**_bad_json_or_form("A bad body or form.", throttled=True))
    @blp.response(202, DetailSchema)
    @blp.alt_response(200, schema=HTML, content_type="text/html", success=True,
                      description="The HTML page of a form post.")
    def post(self) -> Any:
        """Mail a reset link; the same answer whether or not the address has an account."""
        if not _is_form():
            email = _json(PasswordResetRequestSchema())["email"]
            shop().request_password_reset(email=email, client=_client())
            return {"detail": SENT}
        data, errors = _form(PasswordResetRequestSchema())
        if errors:
            return _page("password_reset_form.html", 400, errors=errors,
                         email=request.form.get("email", ""))
        try:
            shop().request_password_reset(email=data["email"], client=_client())
        except Throttled as exc:
            return _throttled(exc)
        return _page("password_reset_sent.html", again_url=_again_url(),
                     minutes=shop().settings.reset_token_minutes)


@blp.route("/password_reset/confirm/<token>/")
class PasswordResetConfirm(MethodView):
    accepts_form = True

    @blp.response(303, description="Traded for a form token (a cookie): on to the form.")
    @blp.alt_response(400, schema=HTML, content_type="text/html",
                      description="The link is invalid, expired or used.")
    def get(self, token: str) -> Response:
        """Trade the link's token for a short-lived form token, then show the form off the URL."""
        try:
            form_token = shop().trade_reset_token(token=token)
        except ValidationFailed as exc:
            return _bad_link(exc.message)
        response = make_response(redirect(url_for("users.PasswordResetForm"), 303))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.set_cookie(FORM_COOKIE, form_token, max_age=FORM_COOKIE_SECONDS,
                            path=url_for("users.PasswordResetForm"), secure=request.is_secure,
                            httponly=True, samesite="Lax")
        return response

    @blp.doc(**_form_body(PasswordResetConfirmSchema, PasswordResetFormSchema))
    @blp.doc(**_bad_json_or_form("A bad body or form, or an invalid, expired or used link."))
    @blp.response(204)
    @blp.alt_response(200, schema=HTML, content_type="text/html", success=True,
                      description="The HTML page of a form post.")
    def post(self, token: str) -> Response | None:
        """Set the new password; the link then stops working."""
        if not _is_form():
            data = _json(PasswordResetConfirmSchema())
            shop().reset_password(token=token, new_password=data["new_password"])
            return None
        return _set_by_form(shop().check_reset_token, shop().reset_password, token)


@blp.route("/password_reset/confirm/")
class PasswordResetForm(MethodView):
    accepts_form = True

    @blp.response(200, HTML, content_type="text/html", description="The HTML form.")
    @blp.alt_response(400, schema=HTML, content_type="text/html",
                      description="No usable form token: the link expired, was used or not "
                                  "opened in this browser.")
    def get(self) -> Response:
        """The new-password form, for the form token a reset link was traded for."""
        try:
            shop().check_reset_form(token=_form_token())
        except ValidationFailed as exc:
            return _bad_link(exc.message)
        return _page("password_reset_confirm.html")

    @blp.doc(**_form_body(PasswordResetConfirmSchema, PasswordResetFormSchema))
    @blp.doc(**_bad_json_or_form("A bad body or form, or a missing or expired form token."))
    @blp.response(204, description="Set (JSON), with the form token's cookie.")
    @blp.alt_response(200, schema=HTML, content_type="text/html", success=True,
                      description="The HTML page of a form post: done, the form again (400) "
                                  "or the error page (400).")
    def post(self) -> Response | None:
        """Set the new password with the form token's cookie; link and cookie then stop working."""
        if not _is_form():
            data = _json(PasswordResetConfirmSchema())
            shop().reset_password_by_form(token=_form_token(), new_password=data["new_password"])
            return None
        response = _set_by_form(shop().check_reset_form, shop().reset_password_by_form,
                                _form_token())
        if response.status_code == 200:
            response.delete_cookie(FORM_COOKIE, path=url_for("users.PasswordResetForm"))
        return response


def _form_token() -> str:
    return request.cookies.get(FORM_COOKIE, "")


def _set_by_form(check: Callable[..., None], reset: Callable[..., None], token: str) -> Response:
    """The posted form checked and applied: the done page, the form again or the error page."""
    data, errors = _form(PasswordResetFormSchema())  # reading it answers 413 first if too big
    try:
        check(token=token)
        if errors:
            return _page("password_reset_confirm.html", 400, errors=errors)
        reset(token=token, new_password=data["new_password"])
    except ValidationFailed as exc:
        if "token" in exc.errors:
            return _bad_link(exc.message)
        return _page("password_reset_confirm.html", 400, errors=exc.errors)
    return _page("password_reset_done.html")
