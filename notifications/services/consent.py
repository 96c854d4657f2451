"""Customers' choices and the addresses that must not be contacted: preferences, phone numbers,
push devices, one-click unsubscribe, SES bounces and complaints, SMS STOP replies."""

import logging
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import User
from notifications.events import ALWAYS_ON, KIND_CHANNEL_DEFAULTS, Channel, Kind
from notifications.exceptions import InvalidDevice, InvalidUnsubscribeLink
from notifications.models import Device, Preference, Profile, Suppression
from notifications.rendering import UNSUBSCRIBE_SALT

logger = logging.getLogger(__name__)

# Keywords that AWS End User Messaging treats as opting out or back in (it honours them on its
# side too; these keep Pasar from queueing SMS that would be refused).
SMS_STOP_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT-OUT", "REVOKE", "BERHENTI"}
)
SMS_START_KEYWORDS = frozenset({"START", "UNSTOP", "SUBSCRIBE", "YES", "OPTIN", "OPT-IN", "MULAI"})


def preference_set(*, user: User, kind: str, channel: str, enabled: bool) -> Preference | None:
    """Record a customer's choice. Transactional e-mail stays on whatever is asked."""
    kind, channel = Kind(kind), Channel(channel)
    if (kind, channel) in ALWAYS_ON or channel not in KIND_CHANNEL_DEFAULTS.get(kind, {}):
        return None
    preference, _created = Preference.objects.update_or_create(
        user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
    )
    return preference


def preferences_save(*, user: User, choices: dict[tuple[str, str], bool]) -> None:
    with transaction.atomic():
        for (kind, channel), enabled in choices.items():
            preference_set(user=user, kind=kind, channel=channel, enabled=enabled)


def profile_update(*, user: User, phone: PhoneNumber | str | None = None, language: str | None = None) -> Profile:
    """Set the SMS number (already validated; stored in E.164) and/or the message language."""
    profile, _created = Profile.objects.get_or_create(user=user)
    if phone is not None:
        profile.phone = phone
    if language is not None:
        profile.language = language
    profile.save()
    return profile


def device_register(*, user: User, token: str, platform: str, sandbox: bool = False) -> tuple[Device, bool]:
    """Register a device token for push, or move an existing token to this user (a phone that
    changed hands or accounts). Returns the device and whether it is new."""
    token = token.strip()
    if not token or any(c.isspace() for c in token):
        raise InvalidDevice(_("A device token is a single word without spaces."))
    if platform not in Device.Platform.values:
        raise InvalidDevice(_("The platform must be “ios” or “android”."))
    device, created = Device.objects.update_or_create(
        token=token,
        defaults={
            "user": user,
            "platform": platform,
            "sandbox": sandbox,
            "is_active": True,
            "last_seen_at": timezone.now(),
        },
    )
    return device, created


def device_unregister(*, user: User, token: str) -> bool:
    return bool(Device.objects.filter(user=user, token=token, is_active=True).update(is_active=False))


def suppression_add(*, channel: str, address: str, reason: str, detail: str = "") -> Suppression:
    address = address.strip().lower() if channel == Channel.EMAIL else address.strip()
    suppression, created = Suppression.objects.get_or_create(
        channel=channel, address=address, defaults={"reason": reason, "detail": detail[:2000]}
    )
    if created:
        logger.info("Suppressed %s %s (%s)", channel, address, reason)
    return suppression


def suppression_remove(*, channel: str, address: str) -> int:
    deleted, _per_model = Suppression.objects.filter(channel=channel, address=address).delete()
    return deleted


def unsubscribe_user(*, token: str) -> User:
    """One-click unsubscribe from a marketing e-mail: marketing off on every channel."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(data["u"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist):
        raise InvalidUnsubscribeLink(
            _("This unsubscribe link is not valid. Please use the link in a recent e-mail.")
        ) from None
    with transaction.atomic():
        for channel in KIND_CHANNEL_DEFAULTS[Kind.MARKETING]:
            preference_set(user=user, kind=Kind.MARKETING, channel=channel, enabled=False)
    return user


def resubscribe_user(*, token: str) -> User:
    user = unsubscribe_user(token=token)
    preference_set(user=user, kind=Kind.MARKETING, channel=Channel.EMAIL, enabled=True)
    return user


def ses_event_record(*, event: dict[str, Any]) -> list[str]:
    """An SES notification (bounce or complaint, from SNS): suppress the addresses that must get
    no more e-mail. Transient bounces (mailbox full, auto-replies) suppress nothing. Returns the
    addresses suppressed."""
    kind = event.get("notificationType") or event.get("eventType") or ""
    addresses: list[str] = []
    reason, detail = Suppression.Reason.BOUNCE, ""
    if kind == "Bounce":
        bounce = event.get("bounce") or {}
        if bounce.get("bounceType") == "Permanent":
            addresses = [r.get("emailAddress", "") for r in bounce.get("bouncedRecipients", [])]
            reason, detail = Suppression.Reason.BOUNCE, str(bounce.get("bounceSubType", ""))
    elif kind == "Complaint":
        complaint = event.get("complaint") or {}
        addresses = [r.get("emailAddress", "") for r in complaint.get("complainedRecipients", [])]
        reason, detail = Suppression.Reason.COMPLAINT, str(complaint.get("complaintFeedbackType", ""))
    suppressed = []
    for address in addresses:
        if address:
            suppression_add(channel=Channel.EMAIL, address=address, reason=reason, detail=detail)
            suppressed.append(address.lower())
    return suppressed


def sms_reply_record(*, number: str, text: str) -> str:
    """An inbound SMS (from End User Messaging's two-way SNS topic): STOP and its synonyms
    suppress the number, START lifts it. Returns 'stop', 'start' or ''."""
    keyword = text.strip().split()[0].upper() if text.strip() else ""
    if keyword in SMS_STOP_KEYWORDS:
        suppression_add(channel=Channel.SMS, address=number, reason=Suppression.Reason.SMS_STOP, detail=text[:200])
        return "stop"
    if keyword in SMS_START_KEYWORDS:
        Suppression.objects.filter(channel=Channel.SMS, address=number, reason=Suppression.Reason.SMS_STOP).delete()
        return "start"
    return ""
