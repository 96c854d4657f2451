from typing import Any

from django.core.management.base import BaseCommand

from accounts.services import staff_groups_sync


class Command(BaseCommand):
    help = "Create the staff groups (Catalogue managers, Order handlers, Support) and set their permissions. migrate runs this too."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in staff_groups_sync().items():
            self.stdout.write(f"{name}: {count} permissions")
