"""Bearer-token authentication and the staff check, for the resources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from shopcore.domain.errors import AuthenticationFailed, PermissionDenied
from shopcore.entrypoints.http.context import container
from shopcore.ports.security import TokenKind

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the access token says."""

    user_id: int
    is_staff: bool


def current_principal(required: bool = True) -> Principal | None:
    """The caller from `Authorization: Bearer <access>`; None when anonymous and allowed."""
    if "principal" in g:
        return g.principal  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        if required:
            raise AuthenticationFailed("Authentication credentials were not provided.")
        return None
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
    claims = container().adapters.tokens().verify(token.strip(), TokenKind.ACCESS)
    g.principal = Principal(user_id=claims.user_id, is_staff=claims.is_staff)
    return g.principal  # type: ignore[no-any-return]


def principal() -> Principal:
    found = current_principal(required=True)
    assert found is not None
    return found


def login_required(view: F) -> F:
    """401 unless a valid access token came with the request."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_principal(required=True)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def staff_required(view: F) -> F:
    """401 when anonymous, 403 for a customer."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not principal().is_staff:
            raise PermissionDenied("You do not have permission to perform this action.")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
