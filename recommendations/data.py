"""Interactions read from the database into the arrays the model trains on.

Purchases are the order lines of customers' orders (not cancelled, not awaiting payment), each
line a purchase of its variant's product; lines whose product is no longer in the catalogue
cannot be recommended and are left out. Views, adds to cart and search clicks come from
Interaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from orders.models import Order, OrderLine
from recommendations.models import Interaction
from recommendations.training import BlendParams, History

NOT_PURCHASES = (Order.Status.CANCELLED, Order.Status.AWAITING_PAYMENT)
_CHUNK = 20000


@dataclass
class Dataset:
    history: History
    user_ids: list[int]  # dense index -> accounts.User id
    product_ids: list[int]  # dense index -> catalog.Product id

    def user_index(self) -> dict[int, int]:
        return {user_id: index for index, user_id in enumerate(self.user_ids)}

    def product_index(self) -> dict[int, int]:
        return {product_id: index for index, product_id in enumerate(self.product_ids)}


def purchases_between(*, start: datetime | None, end: datetime) -> Iterable[tuple[int, int, int, datetime]]:
    """(user id, product id, order id, placed at) of each purchase in [start, end)."""
    lines = OrderLine.objects.filter(
        order__user__isnull=False, variant__isnull=False, order__placed_at__lt=end
    ).exclude(order__status__in=NOT_PURCHASES)
    if start is not None:
        lines = lines.filter(order__placed_at__gte=start)
    return lines.values_list("order__user_id", "variant__product_id", "order_id", "order__placed_at").iterator(
        chunk_size=_CHUNK
    )


def dataset_load(*, until: datetime, params: BlendParams | None = None) -> Dataset:
    """Every interaction before `until`, as a History."""
    params = params or BlendParams()
    purchases = list(purchases_between(start=None, end=until))
    events = list(
        Interaction.objects.filter(occurred_at__lt=until)
        .values_list("user_id", "visitor_id", "product_id", "occurred_at", "kind")
        .iterator(chunk_size=_CHUNK)
    )
    user_ids = sorted({row[0] for row in purchases} | {row[0] for row in events if row[0] is not None})
    product_ids = sorted({row[1] for row in purchases} | {row[2] for row in events})
    users = {user_id: index for index, user_id in enumerate(user_ids)}
    products = {product_id: index for index, product_id in enumerate(product_ids)}
    orders: dict[int, int] = {}
    visitors: dict[str, int] = {}
    weights: dict[str, float] = {
        Interaction.Kind.VIEW: params.view_weight,
        Interaction.Kind.SEARCH_CLICK: params.view_weight,
        Interaction.Kind.CART: params.cart_weight,
    }

    def actor(user_id: int | None, visitor_id: str) -> int:
        if user_id is not None:
            return users[user_id]
        return visitors.setdefault(visitor_id, len(users) + len(visitors))

    history = History(
        n_users=len(user_ids),
        n_items=len(product_ids),
        until=until.timestamp(),
        purchase_user=np.array([users[row[0]] for row in purchases], dtype=np.int64),
        purchase_item=np.array([products[row[1]] for row in purchases], dtype=np.int64),
        purchase_order=np.array([orders.setdefault(row[2], len(orders)) for row in purchases], dtype=np.int64),
        purchase_time=np.array([row[3].timestamp() for row in purchases], dtype=np.float64),
        event_actor=np.array([actor(row[0], row[1]) for row in events], dtype=np.int64),
        event_item=np.array([products[row[2]] for row in events], dtype=np.int64),
        event_time=np.array([row[3].timestamp() for row in events], dtype=np.float64),
        event_weight=np.array([weights[row[4]] for row in events], dtype=np.float64),
    )
    history.n_actors = len(user_ids) + len(visitors)
    return Dataset(history=history, user_ids=user_ids, product_ids=product_ids)
