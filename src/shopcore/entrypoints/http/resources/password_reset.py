"""The password reset flow: an HTML form in the browser (or JSON), a mailed link, a new password.

Its routes hang on the users blueprint, so they live under /api/users/ with the rest.
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request, url_for
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, ValidationError

from shopcore.domain.errors import ValidationFailed
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
from shopcore.settings import Settings

HTML = {"type": "string"}
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
SENT = "If an account uses that e-mail address, a password reset link has been sent to it."
SLOT = "TOKEN-SLOT-7f1c2a"
PARSER = Parser()




def _bad_json_or_form(description: str) -> dict[str, Any]:
    """400: a bad JSON body answers the error shape; a bad form, the HTML page again."""
    content = {"application/json": {"schema": ErrorSchema}, "text/html": {"schema": HTML}}
    return {"responses": {"400": {"description": description, "content": content}}}


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


def _link_template() -> str:
    """The confirm URL with a `{token}` slot, on settings.public_url when it is set."""
    settings: Settings = shop().settings
    public_url = settings.public_url
    if public_url:
        url = public_url.rstrip("/") + url_for("users.PasswordResetConfirm", token=SLOT)
    else:
        url = url_for("users.PasswordResetConfirm", token=SLOT, _external=True)
    return url.replace("{", "{{").replace("}", "}}").replace(SLOT, "{token}")


def _request_reset(email: str) -> None:
    shop().request_password_reset(email=email, link_template=_link_template())


def _again_url() -> str:
    return url_for("users.PasswordReset")




@blp.route("/password_reset/")
class PasswordReset(MethodView):
    accepts_form = True

    @blp.response(200, HTML, content_type="text/html", description="The HTML form.")
    def get(self) -> Response:
        """The HTML form asking for the e-mail address."""
        return _page("password_reset_form.html")

    @blp.doc(**_form_body(PasswordResetRequestSchema, PasswordResetRequestSchema))
    @blp.doc(**_bad_json_or_form("A bad body or form."))
    @blp.response(202, DetailSchema)
    @blp.alt_response(200, schema=HTML, content_type="text/html", success=True,
                      description="The HTML page of a form post.")
    def post(self) -> Any:
        """Mail a reset link; the same answer whether or not the address has an account."""
        if not _is_form():
            _request_reset(_json(PasswordResetRequestSchema())["email"])
            return {"detail": SENT}
        data, errors = _form(PasswordResetRequestSchema())
        if errors:
            return _page("password_reset_form.html", 400, errors=errors,
                         email=request.form.get("email", ""))
        _request_reset(data["email"])
        return _page("password_reset_sent.html", again_url=_again_url(),
                     minutes=shop().settings.reset_token_minutes)


@blp.route("/password_reset/confirm/<token>/")
class PasswordResetConfirm(MethodView):
    accepts_form = True

    @blp.response(200, HTML, content_type="text/html", description="The HTML form.")
    @blp.alt_response(400, schema=HTML, content_type="text/html",
                      description="The link is invalid, expired or used.")
    def get(self, token: str) -> Response:
        """The HTML form for the new password, or an error page for a bad link."""
        try:
            shop().check_reset_token(token=token)
        except ValidationFailed as exc:
            return _page("password_reset_error.html", 400, message=exc.message,
                         again_url=_again_url())
        return _page("password_reset_confirm.html")

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
        try:
            shop().check_reset_token(token=token)
            data, errors = _form(PasswordResetFormSchema())
            if errors:
                return _page("password_reset_confirm.html", 400, errors=errors)
            shop().reset_password(token=token, new_password=data["new_password"])
        except ValidationFailed as exc:
            if "token" in exc.errors:
                return _page("password_reset_error.html", 400, message=exc.message,
                             again_url=_again_url())
            return _page("password_reset_confirm.html", 400, errors=exc.errors)
        return _page("password_reset_done.html")
