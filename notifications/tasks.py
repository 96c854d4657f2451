"""Celery tasks: thin, take ids, call a service."""

from celery import shared_task

from notifications.services import campaigns, delivery


@shared_task(ignore_result=True)
def message_deliver(message_id: int) -> None:
    delivery.message_deliver(message_id=message_id)


@shared_task(ignore_result=True)
def messages_deliver(message_ids: list[int]) -> None:
    delivery.messages_deliver(message_ids=message_ids)


@shared_task(ignore_result=True)
def outbox_sweep() -> None:
    delivery.outbox_sweep()


@shared_task(ignore_result=True)
def campaign_fanout(campaign_id: int) -> None:
    """One batch, then the next batch as a new task: a worker restart loses at most one batch's
    progress, which the campaign's cursor makes safe to redo."""
    if campaigns.campaign_fanout_batch(campaign_id=campaign_id):
        campaign_fanout.delay(campaign_id)


@shared_task(ignore_result=True)
def campaign_deliver(campaign_id: int, after: int, upto: int) -> None:
    campaigns.campaign_deliver_range(campaign_id=campaign_id, after=after, upto=upto)


@shared_task(ignore_result=True)
def campaigns_start_due() -> None:
    campaigns.campaigns_start_due()
