"""Every write of the accounts app. Pages, the API and admin call these."""

from accounts.services.account import account_delete, account_export
from accounts.services.address import address_create, address_delete, address_set_default, address_update
from accounts.services.profile import profile_update
from accounts.services.staff import STAFF_GROUPS, staff_groups_sync

__all__ = [
    "STAFF_GROUPS",
    "account_delete",
    "account_export",
    "address_create",
    "address_delete",
    "address_set_default",
    "address_update",
    "profile_update",
    "staff_groups_sync",
]
