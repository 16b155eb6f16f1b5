"""Bearer-token authentication and the staff check, for the resources."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from shopcore.application.viewer import Viewer
from shopcore.domain.errors import AuthenticationFailed, PermissionDenied
from shopcore.entrypoints.http.context import shop

F = TypeVar("F", bound=Callable[..., Any])


def current_viewer(required: bool = True) -> Viewer | None:
    """The caller from `Authorization: Bearer <access>`; None when anonymous and allowed."""
    if "viewer" in g:
        found: Viewer = g.viewer
        return found
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        if required:
            raise AuthenticationFailed("Authentication credentials were not provided.")
        return None
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
    viewer = shop().authenticate(access_token=token.strip())
    g.viewer = viewer
    return viewer


def viewer() -> Viewer:
    """The signed-in caller; 401 when anonymous."""
    found = current_viewer(required=True)
    assert found is not None
    return found


def login_required(view: F) -> F:
    """401 unless a valid access token came with the request."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_viewer(required=True)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def staff_required(view: F) -> F:
    """401 when anonymous, 403 for a customer."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not viewer().is_staff:
            raise PermissionDenied("You do not have permission to perform this action.")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
