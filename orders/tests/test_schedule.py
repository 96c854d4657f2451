from django.conf import settings


def test_the_periodic_reconciliation_and_outbox_sweep_are_both_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"orders.tasks.orders_reconcile_task", "notifications.tasks.outbox_sweep"} <= tasks
