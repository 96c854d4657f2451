"""Signal receivers: thin, each calls a service."""

from typing import Any

from django.http import HttpRequest

from recommendations.events import visitor_attach
from recommendations.hooks import visitor_id_get


def history_attach_on_sign_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    """A visitor who signs in brings the products they looked at along to their account."""
    if request is not None and user is not None:
        visitor_attach(visitor_id=visitor_id_get(request), user_id=user.pk)
