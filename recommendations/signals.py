"""Signal receivers: thin, each calls a service."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from recommendations.events import visitor_attach
from recommendations.hooks import visitor_id_get
from recommendations.store import customer_bought_forget


def history_attach_on_sign_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    """A visitor who signs in brings the products they looked at along to their account."""
    if request is not None and user is not None:
        visitor_attach(visitor_id=visitor_id_get(request), user_id=user.pk)


def bought_forget_on_order_save(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    """A customer's order changed (placed, paid, cancelled): their "buy it again" fallback is
    read afresh once it commits (the order's lines are written after the order itself)."""
    user_id = getattr(instance, "user_id", None)
    if user_id is not None:
        transaction.on_commit(lambda: customer_bought_forget(user_id))
