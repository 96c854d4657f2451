"""Customers and staff; users sign in with their e-mail address."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _staff_groups_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from accounts.services import staff_groups_sync

    staff_groups_sync(using=using)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # After every migrate (tests' database included): the staff groups and their permissions.
        post_migrate.connect(_staff_groups_after_migrate, sender=self, dispatch_uid="accounts.staff_groups")
