"""Queueing messages: rows in the outbox, written in the caller's transaction."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.events import CUSTOMER_EVENTS, STAFF_EVENTS, Channel, event_kind
from notifications.exceptions import NoRecipient, UnknownEvent
from notifications.models import Device, Message
from notifications.selectors import channel_enabled, preferences_get, profile_get
from shop.batching import Held
from shop.db import rows_insert


def message_queue_on_commit(message_ids: Iterable[int]) -> None:
    """Hand messages to the delivery task once the current transaction commits (at once outside
    one). With a broker, they wait in this process for NOTIFICATIONS_PUBLISH_HOLD_SECONDS and go
    out with the others queued meanwhile, in one task (_published). If the broker cannot be reached
    then, the failure is logged and not raised: what queued them is committed already (an order,
    say, whose shopper must not be shown an error), and the outbox sweep sends the pending rows
    later, as it does for what a killed process held. Run inline (no broker configured), a task's
    error is raised as it is."""
    from notifications.tasks import message_deliver

    ids = list(message_ids)
    if not ids:
        return
    if message_deliver.app.conf.task_always_eager:
        transaction.on_commit(lambda: _publish(ids))
    else:
        transaction.on_commit(lambda: _published.add(ids), robust=True)


def _publish(ids: list[int]) -> None:
    from notifications.tasks import message_deliver, messages_deliver

    for start in range(0, len(ids), PUBLISH_BATCH):
        batch = ids[start : start + PUBLISH_BATCH]
        if len(batch) == 1:
            message_deliver.delay(batch[0])
        else:
            messages_deliver.delay(batch)


# One worker delivers a task's messages one after the other: a batch bounds how long the last
# waits behind the others, and how much work one task is.
PUBLISH_BATCH = 20
# Under a flash sale's load, one publish to the broker carries the e-mails of several orders
# instead of one each (a publish costs about as much CPU as writing the order).
_published: Held[int] = Held(
    _publish,
    hold=lambda: float(settings.NOTIFICATIONS_PUBLISH_HOLD_SECONDS),
    batch=PUBLISH_BATCH,
    what="queued messages to the broker (the outbox sweep sends them later)",
)


def messages_publish() -> int:
    """Publish the messages waiting in this process now; returns how many."""
    return _published.send()


def _queue(
    *,
    event: str,
    dedupe_key: str,
    language: str,
    context: dict[str, Any],
    rows: list[tuple[str, str, Any]],
    user: User | None,
) -> list[Message]:
    """The outbox rows for these (channel, recipient, device) rows, written in one statement: new
    ones are inserted and handed to delivery on commit, existing ones (a repeated event) are left
    as they are and returned."""
    if not rows:
        return []
    wanted = {
        (channel, recipient): Message(
            event=event,
            dedupe_key=dedupe_key,
            channel=channel,
            recipient=recipient,
            user=user,
            device=device,
            language=language,
            context=context,
        )
        for channel, recipient, device in rows
    }
    once = next(c for c in Message._meta.constraints if c.name == "message_once")
    assert isinstance(once, models.UniqueConstraint)
    # One INSERT … ON CONFLICT DO NOTHING on the message_once key, no savepoint (get_or_create
    # takes four statements and two savepoints a row, and this runs inside every checkout).
    created = {(m.channel, m.recipient): m for m in rows_insert(list(wanted.values()), ignore_conflicts_on=once.fields)}
    using = router.db_for_write(Message)
    if len(created) < len(wanted):  # the event was queued before: return the rows it made then
        existing = Message.objects.using(using).filter(
            event=event, dedupe_key=dedupe_key, channel__in={c for c, _ in wanted}, recipient__in={r for _, r in wanted}
        )
        for message in existing:
            if (message.channel, message.recipient) in wanted.keys() - created.keys():
                wanted[(message.channel, message.recipient)] = message
    message_queue_on_commit(m.pk for m in created.values())
    return [wanted[(channel, recipient)] for channel, recipient, _ in rows]


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
