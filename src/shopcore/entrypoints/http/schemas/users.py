"""Users: accounts, token pairs, the profile, password change and reset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validates_schema

from shopcore.domain.user import EmailMustBeValid, normalize_email
from shopcore.domain.usernames import MAX_USERNAME, username_fits

READ_ONLY = "This field is read-only."
MISMATCH = "The two passwords do not match."
EMAIL = {"format": "email"}


class Text(fields.String):
    """A JSON string the stores can keep: no NUL character, no lone surrogate (as DRF)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Null characters are not allowed.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Not a valid string.") from None
        return text


def required() -> Text:
    return Text(required=True)


def short_username(value: str) -> None:
    """At most 150 characters, before and after NFKC (which grows some characters 18-fold)."""
    if not username_fits(value):
        raise ValidationError(f"Ensure this field has no more than {MAX_USERNAME} characters.")


def username() -> Text:
    return Text(required=True, validate=short_username, metadata={"maxLength": MAX_USERNAME})


def email_address(value: str) -> None:
    """The domain's e-mail rule, so every form of an address is judged alike."""
    if EmailMustBeValid("email", normalize_email(value)).is_broken():
        raise ValidationError("Enter a valid e-mail address.")


class RegisterSchema(Schema):
    username = username()
    email = Text(required=True, metadata=EMAIL)
    password = required()


class UserSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True, metadata=EMAIL)


class TokenObtainSchema(Schema):
    username = username()
    password = required()


class TokenPairSchema(Schema):
    access = fields.String(required=True)
    refresh = fields.String(required=True)


class RefreshSchema(Schema):
    refresh = required()


class ProfileSchema(Schema):
    """The caller's account; PUT and PATCH both change only the fields sent."""

    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    email = Text(metadata=EMAIL)
    first_name = Text()
    last_name = Text()
    current_password = Text(load_only=True, metadata={
        "description": "The account's password: required when `email` changes."})
    date_joined = fields.DateTime(dump_only=True)
    is_staff = fields.Boolean(dump_only=True)

    @pre_load
    def refuse_read_only(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            sent = [name for name, field in self.fields.items()
                    if field.dump_only and (field.data_key or name) in data]
            if sent:
                raise ValidationError({name: [READ_ONLY] for name in sent})
        return data


class PasswordChangeSchema(Schema):
    old_password = required()
    new_password = required()


class PasswordResetRequestSchema(Schema):
    email = Text(required=True, validate=email_address, metadata=EMAIL)


class PasswordResetConfirmSchema(Schema):
    """JSON takes `new_password`; `new_password_confirm` is checked when sent."""

    new_password = required()
    new_password_confirm = Text()

    @validates_schema
    def passwords_match(self, data: dict[str, Any], **kwargs: Any) -> None:
        confirm = data.get("new_password_confirm")
        if confirm is not None and confirm != data.get("new_password"):
            raise ValidationError(MISMATCH, "new_password_confirm")


class PasswordResetFormSchema(PasswordResetConfirmSchema):
    """The HTML form asks for the new password twice."""

    new_password_confirm = required()
