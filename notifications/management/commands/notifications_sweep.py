from typing import Any

from django.core.management.base import BaseCommand

from notifications.services.campaigns import campaigns_start_due
from notifications.services.delivery import outbox_sweep


class Command(BaseCommand):
    help = (
        "Queue outbox messages whose delivery task was lost, fail those stuck mid-send, and start "
        "scheduled campaigns. Celery beat runs this every minute; use it from cron without beat."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        swept = outbox_sweep()
        started = campaigns_start_due()
        self.stdout.write(
            f"Requeued {swept['requeued']} message(s), marked {swept['stuck']} stuck one(s) failed, "
            f"started {started} campaign(s)."
        )
