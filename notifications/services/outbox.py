"""Queueing messages: rows in the outbox, written in the caller's transaction."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.events import CUSTOMER_EVENTS, STAFF_EVENTS, Channel, event_kind
from notifications.exceptions import NoRecipient, UnknownEvent
from notifications.models import Device, Message
from notifications.selectors import channel_enabled, preferences_get, profile_get


def message_queue_on_commit(message_ids: Iterable[int]) -> None:
    """Hand messages to the delivery task once the current transaction commits (at once outside
    one). If the broker is unreachable then, the outbox sweep picks them up later."""
    from notifications.tasks import message_deliver, messages_deliver

    ids = list(message_ids)
    if len(ids) == 1:
        message_deliver.delay_on_commit(ids[0])
    elif ids:
        messages_deliver.delay_on_commit(ids)


def _queue(
    *,
    event: str,
    dedupe_key: str,
    language: str,
    context: dict[str, Any],
    rows: list[tuple[str, str, Any]],
    user: User | None,
) -> list[Message]:
    messages, new = [], []
    with transaction.atomic():
        for channel, recipient, device in rows:
            message, created = Message.objects.get_or_create(
                event=event,
                dedupe_key=dedupe_key,
                channel=channel,
                recipient=recipient,
                defaults={"user": user, "device": device, "language": language, "context": context},
            )
            messages.append(message)
            if created:
                new.append(message.pk)
        message_queue_on_commit(new)
    return messages


def notify(
    *,
    event: str,
    context: dict[str, Any],
    dedupe_key: str,
    user: User | None = None,
    email: str | None = None,
    language: str | None = None,
) -> list[Message]:
    """Queue the messages for one event to one customer, on the channels their preferences allow
    (transactional e-mail always). Writes outbox rows in the caller's transaction; delivery is a
    Celery task queued on commit. Idempotent per (dedupe_key, recipient, channel). Either user or
    email (a guest) must be given; e-mail goes to `email` when both are (the address on an order).
    Language defaults to the user's, else settings.LANGUAGE_CODE."""
    if event not in CUSTOMER_EVENTS:
        raise UnknownEvent(_("%(event)s is not an event customers are notified of.") % {"event": event})
    address = (email or (user.email if user else "") or "").strip().lower()
    if not address:
        raise NoRecipient(_("A notification needs a customer or an e-mail address."))
    kind = event_kind(event)
    profile = profile_get(user=user) if user is not None else None
    language = language or (profile.language if profile and profile.language else settings.LANGUAGE_CODE)
    rows: list[tuple[str, str, Any]] = [(Channel.EMAIL, address, None)]
    if user is not None and profile is not None:
        choices = preferences_get(user_ids=[user.pk], kind=kind)
        if profile.phone and channel_enabled(choices=choices, user_id=user.pk, kind=kind, channel=Channel.SMS):
            rows.append((Channel.SMS, profile.phone.as_e164, None))
        if channel_enabled(choices=choices, user_id=user.pk, kind=kind, channel=Channel.PUSH):
            rows.extend((Channel.PUSH, d.token, d) for d in Device.objects.filter(user=user, is_active=True))
    return _queue(event=event, dedupe_key=dedupe_key, language=language, context=context, rows=rows, user=user)


def notify_staff(*, event: str, context: dict[str, Any], dedupe_key: str) -> list[Message]:
    """The same for the shop's staff (settings.SHOP_STAFF_EMAILS, comma-separated env var), by
    e-mail in the shop's language. No addresses configured: nothing is queued."""
    if event not in STAFF_EVENTS:
        raise UnknownEvent(_("%(event)s is not an event staff are notified of.") % {"event": event})
    rows: list[tuple[str, str, Any]] = [
        (Channel.EMAIL, address.strip().lower(), None) for address in settings.SHOP_STAFF_EMAILS if address.strip()
    ]
    context = {**context, "staff": True}
    return _queue(
        event=event, dedupe_key=dedupe_key, language=settings.LANGUAGE_CODE, context=context, rows=rows, user=None
    )


def messages_retry(*, message_ids: Iterable[int]) -> int:
    """Send failed messages again (staff's "send again" in admin). Returns how many were queued."""
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update()
            .filter(pk__in=list(message_ids), status=Message.Status.FAILED)
            .values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=ids).update(
            status=Message.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
        )
        message_queue_on_commit(ids)
    return len(ids)
