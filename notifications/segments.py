"""Campaign segments as querysets over customers.

Filters on what customers bought need the orders app's Order model; it is looked up lazily, so a
shop without orders yet gets a clear message instead of an import error.
"""

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Category
from notifications.events import Kind
from notifications.exceptions import SegmentUnavailable
from notifications.models import Preference, Segment

# Orders in these states were never paid, so they count neither as a purchase nor as spending.
UNPAID_ORDER_STATUSES = ("awaiting_payment", "cancelled")


def order_model() -> Any:
    try:
        return apps.get_model("orders", "Order")
    except LookupError:
        raise SegmentUnavailable(
            _("Filters on purchases need the orders app's Order model, which this shop does not have yet.")
        ) from None


def segment_needs_orders(segment: Segment) -> bool:
    return any(v is not None for v in (segment.bought_in_category_id, segment.spent_above, segment.no_order_for_days))


def segment_users(segment: Segment) -> QuerySet[User]:
    """Active customers (not staff) matching every filter that is set on the segment."""
    users = User.objects.filter(is_active=True, is_staff=False)
    if segment.joined_after:
        users = users.filter(date_joined__date__gte=segment.joined_after)
    if segment.joined_before:
        users = users.filter(date_joined__date__lt=segment.joined_before)
    if segment.language:
        chosen = Q(notification_profile__language=segment.language)
        if segment.language == settings.LANGUAGE_CODE:
            # Customers who never chose a language get the shop's.
            chosen |= Q(notification_profile__isnull=True) | Q(notification_profile__language="")
        users = users.filter(chosen)
    if segment.opted_in:
        consenting = Preference.objects.filter(kind=Kind.MARKETING, channel=segment.opted_in, enabled=True)
        users = users.filter(pk__in=consenting.values("user_id"))
    if segment_needs_orders(segment):
        users = _order_filters(segment, users)
    return users


def _order_filters(segment: Segment, users: QuerySet[User]) -> QuerySet[User]:
    order = order_model()
    orders = order.objects.filter(user__isnull=False)  # NOT IN over a NULL would match nobody
    paid = orders.exclude(status__in=UNPAID_ORDER_STATUSES)
    if segment.bought_in_category_id:
        # The tree's paths shift when categories move; read the current one.
        path = Category.objects.filter(pk=segment.bought_in_category_id).values_list("path", flat=True).first() or ""
        bought = paid.filter(lines__variant__product__category__path__startswith=path)
        users = users.filter(pk__in=bought.values("user_id"))
    if segment.spent_above is not None:
        spenders = (
            paid.values("user_id")
            .annotate(spent=Sum(F("total") - F("refunded_total")))
            .filter(spent__gt=segment.spent_above)
            .values("user_id")
        )
        users = users.filter(pk__in=spenders)
    if segment.no_order_for_days is not None:
        since = timezone.now() - timedelta(days=segment.no_order_for_days)
        users = users.filter(pk__in=orders.values("user_id")).exclude(
            pk__in=orders.filter(placed_at__gte=since).values("user_id")
        )
    return users


def segment_count(segment: Segment) -> int:
    return segment_users(segment).count()
