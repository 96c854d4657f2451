"""Staff groups: what each kind of staff member may see and change in the admin (README, Staff).

The groups are created, and their permissions set to exactly these lists, after every `migrate`
(accounts.apps) and by `manage.py staff_groups`; edit the lists here, not in the admin, or the
next migrate puts them back.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q

_ALL = ("add", "change", "delete", "view")

STAFF_GROUPS: dict[str, list[str]] = {
    # The catalogue: products, variants and prices, categories, pictures and videos, stock
    # (adjustments are a history: added, never changed), search synonyms and what shoppers search.
    "Catalogue managers": [
        *(
            f"catalog.{action}_{model}"
            for model in ("category", "product", "variant", "productimage", "productvideo")
            for action in _ALL
        ),
        "catalog.add_stockadjustment",
        "catalog.view_stockadjustment",
        *(f"catalog.{action}_searchsynonym" for action in _ALL),
        "catalog.view_searchquery",
        "orders.view_shippingmethod",
    ],
    # Orders: see them, mark paid, ship, cancel and refund (all "change" actions in the admin);
    # see the stock they ship from, the customers, and the order e-mails (and send failed ones again).
    "Order handlers": [
        "orders.view_order",
        "orders.change_order",
        "orders.view_orderline",
        "orders.view_orderevent",
        "orders.view_payment",
        "orders.view_shippingmethod",
        "catalog.view_product",
        "catalog.view_variant",
        "accounts.view_user",
        "accounts.view_address",
        "notifications.view_message",
    ],
    # Customer service: read customers, their addresses, orders and messages to answer questions;
    # correct an address; lift an e-mail suppression once the customer has fixed their mailbox.
    "Support": [
        "accounts.view_user",
        "accounts.view_address",
        "accounts.change_address",
        "account.view_emailaddress",
        "orders.view_order",
        "orders.view_orderline",
        "orders.view_orderevent",
        "orders.view_payment",
        "notifications.view_message",
        "notifications.view_profile",
        "notifications.view_preference",
        "notifications.view_device",
        "notifications.view_suppression",
        "notifications.delete_suppression",
    ],
}


def staff_groups_sync(*, using: str = "default") -> dict[str, int]:
    """Create the staff groups and set each one's permissions to exactly its list. Idempotent.
    Creates missing content types and permissions first (migrate creates them app by app, after
    this may run). Raises ImproperlyConfigured naming any permission that does not exist.
    Returns the number of permissions of each group."""
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    counts = {}
    with transaction.atomic(using=using):
        for name, codes in STAFF_GROUPS.items():
            wanted = {tuple(code.split(".", 1)) for code in codes}
            query = Q()
            for app_label, codename in wanted:
                query |= Q(content_type__app_label=app_label, codename=codename)
            permissions = list(Permission.objects.using(using).filter(query).select_related("content_type"))
            found = {(p.content_type.app_label, p.codename) for p in permissions}
            if missing := wanted - found:
                raise ImproperlyConfigured(
                    f"Staff group {name!r} names permissions that do not exist: "
                    + ", ".join(sorted(".".join(m) for m in missing))
                )
            group, _created = Group.objects.using(using).get_or_create(name=name)
            group.permissions.set(permissions)
            counts[name] = len(permissions)
    return counts
