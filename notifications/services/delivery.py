"""Delivering outbox messages: claim, check consent, render, send, record the outcome.

A message is claimed (pending -> sending, in its own committed UPDATE) before anything is sent,
so two workers running the same task never both send it. No database lock is held during the
network call. Throttling, 5xx and network errors put it back to pending with exponential backoff;
a permanent refusal, or too many attempts, marks it failed with the error, for staff to see.
"""

import logging
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.backends.base import PermanentDeliveryError, TransientDeliveryError, push_backend, sms_backend
from notifications.backends.email import email_connection, email_send
from notifications.events import Channel, Kind, event_kind
from notifications.models import Campaign, Device, Message, Suppression
from notifications.rendering import message_email_render, push_render, sms_render
from notifications.selectors import channel_enabled, preferences_get

logger = logging.getLogger(__name__)

# A countdown task may fire a little before its time on another host's clock.
EARLY = timedelta(seconds=2)


def retry_delay(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: doubling from the base, capped at an hour, with up
    to 10% jitter so that a burst of throttled messages does not come back all at once."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    delay = min(base, 3600)
    return float(delay * (1 + random.uniform(0, 0.1)))


def _blocked_reason(message: Message) -> str:
    """Why this message must not go out now, or ''. Checked at delivery, so a STOP, a bounce or
    an unsubscribe that arrives after the message was queued is still honoured."""
    test_send = message.dedupe_key.startswith("campaign-test:")
    if message.campaign is not None and not test_send and message.campaign.status == Campaign.Status.CANCELLED:
        return _("The campaign was cancelled.")
    if message.channel in (Channel.EMAIL, Channel.SMS):
        suppression = Suppression.objects.filter(channel=message.channel, address=message.recipient).first()
        if suppression is not None:
            return _("Suppressed: %(reason)s.") % {"reason": suppression.get_reason_display()}
    if message.channel == Channel.PUSH and (message.device is None or not message.device.is_active):
        return _("The device is no longer registered.")
    if message.user_id is not None and not test_send:
        kind = event_kind(message.event)
        if kind != Kind.STAFF:
            choices = preferences_get(user_ids=[message.user_id], kind=kind)
            if not channel_enabled(
                choices=choices, user_id=message.user_id, kind=kind, channel=Channel(message.channel)
            ):
                return _("Opted out of %(kind)s by %(channel)s.") % {
                    "kind": kind.label,
                    "channel": Channel(message.channel).label,
                }
    return ""


def _send(message: Message, connection: Any) -> str:
    first_name = message.user.first_name if message.user else ""
    reference = f"pasar-{message.pk}"
    if message.channel == Channel.EMAIL:
        return email_send(to=message.recipient, content=message_email_render(message=message), connection=connection)
    if message.channel == Channel.SMS:
        body = sms_render(message=message, first_name=first_name)
        return sms_backend().send(
            to=message.recipient, body=body, promotional=message.campaign_id is not None, reference=reference
        )
    device = message.device
    assert device is not None
    title, body, data = push_render(message=message, first_name=first_name)
    return push_backend().send(
        token=device.token,
        platform=device.platform,
        sandbox=device.sandbox,
        title=title,
        body=body,
        data=data,
        reference=reference,
    )


def _finish(message: Message, **fields: Any) -> Message:
    fields["updated_at"] = timezone.now()
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(**fields)
    for name, value in fields.items():
        setattr(message, name, value)
    return message


def _permanent_side_effects(message: Message, exc: PermanentDeliveryError) -> None:
    if exc.opted_out and message.channel == Channel.SMS:
        Suppression.objects.get_or_create(
            channel=Channel.SMS,
            address=message.recipient,
            defaults={"reason": Suppression.Reason.SMS_STOP, "detail": str(exc)[:1000]},
        )
    if (exc.invalid_address or exc.opted_out) and message.channel == Channel.PUSH and message.device_id:
        Device.objects.filter(pk=message.device_id).update(is_active=False)


def message_deliver(*, message_id: int, connection: Any = None, now: datetime | None = None) -> Message | None:
    """Deliver one message if it is due and nobody else has claimed it. Returns the message with
    its outcome, or None when there was nothing to do (already sent, in flight or not yet due).
    Side effects: the network call; on retry, a delayed task; suppressions and deactivated
    devices when the provider says the address is gone or opted out."""
    now = now or timezone.now()
    claimed = Message.objects.filter(
        pk=message_id, status=Message.Status.PENDING, next_attempt_at__lte=now + EARLY
    ).update(status=Message.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now)
    if not claimed:
        return None
    message = Message.objects.select_related("user", "device", "campaign").get(pk=message_id)
    reason = _blocked_reason(message)
    if reason:
        return _finish(message, status=Message.Status.SUPPRESSED, last_error=reason)
    try:
        provider_id = _send(message, connection)
    except TransientDeliveryError as exc:
        if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            error = _("Gave up after %(n)d attempts. Last error: %(error)s") % {"n": message.attempts, "error": exc}
            return _finish(message, status=Message.Status.FAILED, last_error=error)
        delay = retry_delay(message.attempts)
        _finish(
            message,
            status=Message.Status.PENDING,
            last_error=str(exc),
            next_attempt_at=now + timedelta(seconds=delay),
            claimed_at=None,
        )
        from notifications.tasks import message_deliver as message_deliver_task

        message_deliver_task.apply_async((message.pk,), countdown=delay)
        return message
    except PermanentDeliveryError as exc:
        _permanent_side_effects(message, exc)
        status = Message.Status.SUPPRESSED if exc.opted_out else Message.Status.FAILED
        return _finish(message, status=status, last_error=str(exc))
    except Exception as exc:
        # A bug (a template that does not render, a missing context key) fails the same way
        # every time: record it for staff instead of retrying.
        logger.exception("Notification %s could not be sent", message.pk)
        return _finish(message, status=Message.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}")
    return _finish(message, status=Message.Status.SENT, sent_at=timezone.now(), provider_message_id=provider_id)


def messages_deliver(*, message_ids: Iterable[int], before_each: Any = None) -> dict[str, int]:
    """Deliver several messages over one e-mail connection. Returns counts by outcome."""
    outcomes: dict[str, int] = {}
    connection = email_connection()
    connection.open()  # one SMTP session or boto3 client for the whole batch
    try:
        for message_id in message_ids:
            if before_each is not None:
                before_each()
            message = message_deliver(message_id=message_id, connection=connection)
            key = message.status if message is not None else "skipped"
            outcomes[key] = outcomes.get(key, 0) + 1
    finally:
        connection.close()
    return outcomes


def outbox_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The safety net, run every minute by Celery beat (or `manage.py notifications_sweep`).

    - Pending messages whose time came a while ago (their task was lost: the broker was down at
      commit, or a worker died before acknowledging) are queued again.
    - Messages stuck in "sending" (the worker stopped mid-send) are marked failed, not resent:
      whether the provider accepted them is unknown, and a duplicate is worse than a message
      staff can send again from admin.
    """
    from notifications.services.outbox import message_queue_on_commit

    now = now or timezone.now()
    stuck = Message.objects.filter(
        status=Message.Status.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT_SECONDS),
    ).update(
        status=Message.Status.FAILED,
        last_error=_(
            "The worker stopped while sending; the message is not sent again automatically, to avoid a "
            "duplicate. Use “Send again” if the recipient did not get it."
        ),
        updated_at=now,
    )
    due = list(
        Message.objects.filter(
            status=Message.Status.PENDING,
            next_attempt_at__lte=now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER_SECONDS),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:5000]
    )
    # Not picked again for another sweep interval, while its new task waits in the queue.
    Message.objects.filter(pk__in=due, status=Message.Status.PENDING).update(next_attempt_at=now)
    for start in range(0, len(due), 100):
        message_queue_on_commit(due[start : start + 100])
    return {"requeued": len(due), "stuck": stuck}
