"""Reads shared by the preferences page, the API, admin and the delivery code."""

from collections.abc import Iterable

from django.db.models import Count

from accounts.models import User
from notifications.events import ALWAYS_ON, KIND_CHANNEL_DEFAULTS, Channel, Kind
from notifications.models import Campaign, Message, Preference, Profile, Suppression


def profile_get(*, user: User) -> Profile:
    """The user's notification profile, unsaved and empty if they never set one."""
    try:
        return Profile.objects.get(user=user)
    except Profile.DoesNotExist:
        return Profile(user=user)


def preferences_get(*, user_ids: Iterable[int], kind: Kind) -> dict[tuple[int, str], bool]:
    """Every stored choice for one kind, for many users, keyed by (user id, channel). One query."""
    rows = Preference.objects.filter(user_id__in=list(user_ids), kind=kind).values_list("user_id", "channel", "enabled")
    return {(user_id, channel): enabled for user_id, channel, enabled in rows}


def channel_enabled(*, choices: dict[tuple[int, str], bool], user_id: int, kind: Kind, channel: Channel) -> bool:
    if (kind, channel) in ALWAYS_ON:
        return True
    default = KIND_CHANNEL_DEFAULTS.get(kind, {}).get(channel)
    if default is None:
        return False  # a channel this kind never uses
    return choices.get((user_id, channel), default)


def preference_table(*, user: User) -> list[tuple[Kind, list[tuple[Channel, bool, bool]]]]:
    """For the preferences page: each kind with its channels as (channel, on, locked)."""
    stored = Preference.objects.filter(user=user).values_list("kind", "channel", "enabled")
    choices = {(kind, channel): enabled for kind, channel, enabled in stored}
    table = []
    for kind, channels in KIND_CHANNEL_DEFAULTS.items():
        row = []
        for channel, default in channels.items():
            locked = (kind, channel) in ALWAYS_ON
            on = True if locked else choices.get((kind, channel), default)
            row.append((channel, on, locked))
        table.append((kind, row))
    return table


def suppressed_addresses(*, channel: Channel, addresses: Iterable[str]) -> set[str]:
    return set(
        Suppression.objects.filter(channel=channel, address__in=list(addresses)).values_list("address", flat=True)
    )


def campaign_key(campaign: Campaign) -> str:
    return f"campaign:{campaign.pk}"


def campaign_progress(*, campaign: Campaign) -> dict[str, int]:
    """Messages of a campaign by status (test sends left out). One query."""
    counts = dict.fromkeys(Message.Status.values, 0)
    rows = (
        Message.objects.filter(campaign=campaign, dedupe_key=campaign_key(campaign))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts
