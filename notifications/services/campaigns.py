"""Staff campaigns: validate, schedule or send, fan out to the segment in batches, deliver at a
rate limit shared by all workers, and close when every message has an outcome."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.events import Channel, Event, Kind
from notifications.exceptions import CampaignNotReady
from notifications.models import Campaign, Device, Message, Profile, Segment
from notifications.ratelimit import rate_limit_acquire
from notifications.segments import segment_users
from notifications.selectors import campaign_key, channel_enabled, preferences_get, suppressed_addresses
from notifications.services.delivery import messages_deliver
from notifications.services.outbox import message_queue_on_commit


def campaign_problems(campaign: Campaign) -> list[str]:
    """What is missing before the campaign can go out, in words for staff."""
    problems = []
    if not campaign.channels:
        problems.append(_("Choose at least one channel."))
    if campaign.send_email and not (campaign.subject.strip() and campaign.body.strip()):
        problems.append(_("An e-mail needs a subject and a text."))
    if campaign.send_email and campaign.link_url and not campaign.link_label.strip():
        problems.append(_("A button link needs a label."))
    if campaign.send_sms and not campaign.sms_text.strip():
        problems.append(_("An SMS needs a text."))
    if campaign.send_push and not (campaign.push_title.strip() and campaign.push_body.strip()):
        problems.append(_("A push notification needs a title and a text."))
    return problems


def _check_ready(campaign: Campaign) -> None:
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
        raise CampaignNotReady(
            _("This campaign is %(status)s; only a draft or scheduled campaign can be sent.")
            % {"status": campaign.get_status_display().lower()}
        )
    problems = campaign_problems(campaign)
    if problems:
        raise CampaignNotReady(" ".join(problems))
    segment_users(campaign.segment).exists()  # raises SegmentUnavailable for filters the shop cannot run yet


def campaign_send(*, campaign: Campaign) -> Campaign:
    """Start sending now: the fan-out task runs after commit."""
    from notifications.tasks import campaign_fanout

    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _check_ready(campaign)
        campaign.status = Campaign.Status.SENDING
        campaign.started_at = timezone.now()
        campaign.save(update_fields=["status", "started_at", "updated_at"])
        campaign_fanout.delay_on_commit(campaign.pk)
    return campaign


def campaign_schedule(*, campaign: Campaign, send_at: datetime) -> Campaign:
    if send_at <= timezone.now():
        raise CampaignNotReady(_("Choose a time in the future, or send it now."))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _check_ready(campaign)
        campaign.status = Campaign.Status.SCHEDULED
        campaign.scheduled_at = send_at
        campaign.save(update_fields=["status", "scheduled_at", "updated_at"])
    return campaign


def campaign_cancel(*, campaign: Campaign) -> Campaign:
    """Stop a scheduled or sending campaign; messages not yet sent are not sent."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status in (Campaign.Status.SENT, Campaign.Status.CANCELLED):
            raise CampaignNotReady(_("This campaign has already finished."))
        campaign.status = Campaign.Status.CANCELLED
        campaign.finished_at = timezone.now()
        campaign.save(update_fields=["status", "finished_at", "updated_at"])
    return campaign


def campaigns_start_due(*, now: datetime | None = None) -> int:
    """Start scheduled campaigns whose time has come (Celery beat, every minute)."""
    now = now or timezone.now()
    started = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.SCHEDULED, scheduled_at__lte=now):
        campaign_send(campaign=campaign)
        started += 1
    return started


def _user_rows(campaign: Campaign, users: Sequence[Mapping[str, Any]]) -> list[Message]:
    """The messages for one batch of customers: pending where consent and the address allow,
    'suppressed' (counted as opted out) where they do not. Four queries whatever the batch size."""
    ids = [u["pk"] for u in users]
    key = campaign_key(campaign)
    choices = preferences_get(user_ids=ids, kind=Kind.MARKETING)
    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=ids)}
    devices: dict[int, list[Device]] = {}
    if campaign.send_push:
        for device in Device.objects.filter(user_id__in=ids, is_active=True).order_by("pk"):
            devices.setdefault(device.user_id, []).append(device)
    phones = {uid: p.phone.as_e164 for uid, p in profiles.items() if p.phone}
    blocked = {
        Channel.EMAIL: suppressed_addresses(channel=Channel.EMAIL, addresses=[u["email"].lower() for u in users])
        if campaign.send_email
        else set(),
        Channel.SMS: suppressed_addresses(channel=Channel.SMS, addresses=phones.values())
        if campaign.send_sms
        else set(),
    }
    opted_out = _("Not opted in to marketing by this channel.")
    messages = []
    for user in users:
        uid = user["pk"]
        profile = profiles.get(uid)
        language = profile.language if profile and profile.language else settings.LANGUAGE_CODE
        targets: list[tuple[Channel, str, Device | None]] = []
        if campaign.send_email:
            targets.append((Channel.EMAIL, user["email"].lower(), None))
        if campaign.send_sms and uid in phones:
            targets.append((Channel.SMS, phones[uid], None))
        targets.extend((Channel.PUSH, d.token, d) for d in devices.get(uid, []))
        for channel, recipient, target_device in targets:
            consent = channel_enabled(choices=choices, user_id=uid, kind=Kind.MARKETING, channel=channel)
            suppressed = recipient in blocked.get(channel, set())
            status = Message.Status.PENDING if consent and not suppressed else Message.Status.SUPPRESSED
            error = "" if status == Message.Status.PENDING else (opted_out if not consent else _("Suppressed address."))
            messages.append(
                Message(
                    event=Event.CAMPAIGN,
                    dedupe_key=key,
                    channel=channel,
                    recipient=recipient,
                    user_id=uid,
                    device=target_device,
                    campaign=campaign,
                    language=language,
                    status=status,
                    last_error=error,
                )
            )
    return messages


def campaign_fanout_batch(*, campaign_id: int) -> bool:
    """Queue the next batch of the segment (in primary-key order from the campaign's cursor) and
    hand it to a delivery task after commit. Memory stays bounded by the batch size whatever the
    segment's size. Returns whether there may be more to do."""
    from notifications.tasks import campaign_deliver

    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("segment").get(pk=campaign_id)
        if campaign.status != Campaign.Status.SENDING or campaign.fanout_done:
            return False
        users = list(
            segment_users(campaign.segment)
            .filter(pk__gt=campaign.fanout_cursor)
            .order_by("pk")
            .values("pk", "email")[: settings.NOTIFICATIONS_CAMPAIGN_BATCH_SIZE]
        )
        if not users:
            campaign.fanout_done = True
            campaign.save(update_fields=["fanout_done", "updated_at"])
            transaction.on_commit(lambda: campaign_finish_if_done(campaign_id=campaign_id))
            return False
        Message.objects.bulk_create(_user_rows(campaign, users), ignore_conflicts=True, batch_size=1000)
        after, upto = campaign.fanout_cursor, users[-1]["pk"]
        campaign.fanout_cursor = upto
        campaign.recipients += len(users)
        campaign.save(update_fields=["fanout_cursor", "recipients", "updated_at"])
        campaign_deliver.delay_on_commit(campaign_id, after, upto)
    return True


def campaign_deliver_range(*, campaign_id: int, after: int, upto: int) -> dict[str, int]:
    """Deliver a batch's pending messages, each waiting for room in the shared rate limit."""
    ids = list(
        Message.objects.filter(
            campaign_id=campaign_id,
            dedupe_key=f"campaign:{campaign_id}",
            status=Message.Status.PENDING,
            user_id__gt=after,
            user_id__lte=upto,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rate = settings.NOTIFICATIONS_CAMPAIGN_RATE
    outcomes = messages_deliver(
        message_ids=ids, before_each=lambda: rate_limit_acquire(name="campaign", per_second=rate)
    )
    campaign_finish_if_done(campaign_id=campaign_id)
    return outcomes


def campaign_finish_if_done(*, campaign_id: int) -> bool:
    """Mark the campaign sent once it is fanned out and no message is waiting or in flight."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status != Campaign.Status.SENDING or not campaign.fanout_done:
            return False
        open_messages = Message.objects.filter(
            campaign=campaign,
            dedupe_key=campaign_key(campaign),
            status__in=(Message.Status.PENDING, Message.Status.SENDING),
        )
        if open_messages.exists():
            return False
        campaign.status = Campaign.Status.SENT
        campaign.finished_at = timezone.now()
        campaign.save(update_fields=["status", "finished_at", "updated_at"])
    return True


def campaign_test_send(*, campaign: Campaign, user: User) -> list[Message]:
    """Send the campaign to a staff member on each of its channels they can receive, whatever
    their marketing consent; test sends are not counted in the campaign's results."""
    problems = campaign_problems(campaign)
    if problems:
        raise CampaignNotReady(" ".join(problems))
    key = f"campaign-test:{campaign.pk}:{uuid.uuid4().hex}"
    profile = Profile.objects.filter(user=user).first()
    language = profile.language if profile and profile.language else settings.LANGUAGE_CODE
    targets: list[tuple[Channel, str, Device | None]] = []
    if campaign.send_email:
        targets.append((Channel.EMAIL, user.email.lower(), None))
    if campaign.send_sms and profile and profile.phone:
        targets.append((Channel.SMS, profile.phone.as_e164, None))
    if campaign.send_push:
        targets.extend((Channel.PUSH, d.token, d) for d in Device.objects.filter(user=user, is_active=True))
    if not targets:
        raise CampaignNotReady(_("You have no address for this campaign's channels (add a phone number or a device)."))
    with transaction.atomic():
        messages = [
            Message.objects.create(
                event=Event.CAMPAIGN,
                dedupe_key=key,
                channel=channel,
                recipient=recipient,
                user=user,
                device=device,
                campaign=campaign,
                language=language,
            )
            for channel, recipient, device in targets
        ]
        message_queue_on_commit(m.pk for m in messages)
    return messages


def segment_save(*, segment: Segment) -> Segment:
    segment.save()
    return segment


def campaign_save(*, campaign: Campaign, user: User | None = None) -> Campaign:
    """Create or edit a campaign; once it is sending or finished its content is what was sent."""
    if campaign.pk is not None:
        current = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first()
        if current not in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
            raise CampaignNotReady(_("A campaign that has started cannot be changed."))
    elif user is not None:
        campaign.created_by = user
    campaign.save()
    return campaign
