"""Notifications: the outbox of messages, customers' channels and consent, and staff campaigns."""

from typing import ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from notifications.events import Channel, Event, Kind


class Profile(models.Model):
    """A customer's SMS number (E.164) and message language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_profile"
    )
    phone = PhoneNumberField(_("mobile number for SMS"), blank=True)
    language = models.CharField(_("language for messages"), max_length=8, blank=True, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification profile")
        verbose_name_plural = _("notification profiles")

    def __str__(self) -> str:
        return str(self.user)


class Preference(models.Model):
    """A customer's choice for one kind of message on one channel. No row: the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}/{self.channel}: {'on' if self.enabled else 'off'}"


class Device(models.Model):
    """A phone or tablet registered for push notifications through the API."""

    class Platform(models.TextChoices):
        IOS = "ios", _("iOS (APNs)")
        ANDROID = "android", _("Android (FCM)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    token = models.CharField(_("device token"), max_length=255, unique=True)
    sandbox = models.BooleanField(_("APNs sandbox"), default=False, help_text=_("Development builds of the iOS app."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("push device")
        verbose_name_plural = _("push devices")
        indexes = [models.Index(fields=["user"], condition=Q(is_active=True), name="device_active_user")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} …{self.token[-8:]}"


class Suppression(models.Model):
    """An address that must get no more messages on a channel: a hard bounce or complaint from
    SES, an SMS STOP reply, or staff's decision."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Bounced")
        COMPLAINT = "complaint", _("Marked as spam")
        SMS_STOP = "sms_stop", _("Replied STOP")
        MANUAL = "manual", _("Suppressed by staff")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=320, help_text=_("E-mail address or E.164 number."))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="suppression_once")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.address}"


class Segment(models.Model):
    """A set of customers for campaigns. Empty filters match everyone; consent is applied when a
    campaign is sent, per channel."""

    class OptIn(models.TextChoices):
        ANY = "", _("Any customer (consent is still checked on sending)")
        EMAIL = Channel.EMAIL, _("Opted in to marketing e-mail")
        SMS = Channel.SMS, _("Opted in to marketing SMS")
        PUSH = Channel.PUSH, _("Opted in to marketing push")

    name = models.CharField(_("name"), max_length=120)
    joined_after = models.DateField(_("joined on or after"), null=True, blank=True)
    joined_before = models.DateField(_("joined before"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    opted_in = models.CharField(_("marketing consent"), max_length=10, blank=True, choices=OptIn.choices)
    bought_in_category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("bought in category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Customers with a paid order containing a product of this category or its subcategories."),
    )
    spent_above = models.DecimalField(
        _("spent more than"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Total of paid orders less refunds, in the shop's currency."),
    )
    no_order_for_days = models.PositiveIntegerField(
        _("no order for (days)"),
        null=True,
        blank=True,
        help_text=_("Customers who have ordered before, but not in this many days."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """A marketing message to a segment on one or more channels."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=120, help_text=_("For staff only."))
    segment = models.ForeignKey(Segment, verbose_name=_("segment"), on_delete=models.PROTECT, related_name="campaigns")
    send_email = models.BooleanField(_("e-mail"), default=True)
    send_sms = models.BooleanField(_("SMS"), default=False)
    send_push = models.BooleanField(_("push"), default=False)
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(
        _("e-mail text"),
        blank=True,
        help_text=_("Plain text; a blank line starts a new paragraph. {name} becomes the customer's first name."),
    )
    # A CharField with a URL validator: the model URLField's form field warns about Django 6's
    # default scheme; a link must be written out in full here anyway.
    link_url = models.CharField(
        _("button link"), max_length=300, blank=True, validators=[URLValidator(schemes=["https", "http"])]
    )
    link_label = models.CharField(_("button label"), max_length=60, blank=True)
    sms_text = models.CharField(_("SMS text"), max_length=480, blank=True, help_text=_("{name} works here too."))
    push_title = models.CharField(_("push title"), max_length=80, blank=True)
    push_body = models.CharField(_("push text"), max_length=240, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Fan-out walks the segment in primary-key order, a batch at a time; the cursor makes it
    # resumable after a worker restart without queueing anyone twice.
    fanout_cursor = models.BigIntegerField(default=0, editable=False)
    fanout_done = models.BooleanField(default=False, editable=False)
    recipients = models.PositiveIntegerField(_("customers in segment"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(send_email=True) | Q(send_sms=True) | Q(send_push=True), name="campaign_has_a_channel"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def channels(self) -> list[Channel]:
        wanted = ((Channel.EMAIL, self.send_email), (Channel.SMS, self.send_sms), (Channel.PUSH, self.send_push))
        return [channel for channel, on in wanted if on]


class Message(models.Model):
    """One message to one recipient on one channel: the outbox.

    Written in the same transaction as the event that caused it and delivered by a Celery task
    after commit. The unique key (event, dedupe key, channel, recipient) makes it exist at most
    once; the delivery task claims it (pending -> sending) before sending, so it is sent at most
    once however often the task runs. A message that cannot be delivered ends as failed, with
    the error, never deleted.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Not sent (opted out or suppressed)")

    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=320, help_text=_("E-mail address, number or device."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("campaign"),
        db_index=False,  # message_campaign_status (campaign, status) serves every lookup by campaign
    )
    language = models.CharField(_("language"), max_length=8)
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    FINAL: ClassVar[frozenset[str]] = frozenset({Status.SENT, Status.FAILED, Status.SUPPRESSED})

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages (outbox)")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "dedupe_key", "channel", "recipient"], name="message_once"),
            models.CheckConstraint(condition=~Q(recipient=""), name="message_has_recipient"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="message_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="message_in_flight"),
            models.Index(fields=["campaign", "status"], name="message_campaign_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.channel} to {self.recipient}"
