"""Segments and campaigns: who is in a segment, and a campaign's fan-out in batches through the
outbox, with consent respected and the results counted."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone

from notifications.exceptions import CampaignNotReady, SegmentUnavailable
from notifications.models import Campaign, Message, Preference
from notifications.ratelimit import rate_limit_acquire
from notifications.segments import segment_count, segment_users
from notifications.selectors import campaign_progress
from notifications.services import campaigns
from notifications.services.consent import suppression_add
from notifications.tests.factories import (
    CampaignFactory,
    DeviceFactory,
    ProfileFactory,
    SegmentFactory,
    UserFactory,
    opted_in,
)

pytestmark = pytest.mark.django_db


def run(campaign: Campaign, django_capture_on_commit_callbacks) -> Campaign:
    """Send and let every queued task run (inline, as without a broker)."""
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def test_an_empty_segment_is_every_active_customer_but_not_staff(staff_user):
    customers = UserFactory.create_batch(3)
    UserFactory(is_active=False)

    assert set(segment_users(SegmentFactory())) == set(customers)


def test_segments_filter_by_join_date():
    old = UserFactory(date_joined=timezone.now() - timedelta(days=400))
    new = UserFactory()
    cutoff = date.today() - timedelta(days=30)

    assert list(segment_users(SegmentFactory(joined_after=cutoff))) == [new]
    assert list(segment_users(SegmentFactory(joined_before=cutoff))) == [old]


def test_segments_filter_by_language_with_the_shops_language_as_the_default():
    indonesian = ProfileFactory(language="id").user
    english = ProfileFactory(language="en").user
    never_chose = UserFactory()

    assert list(segment_users(SegmentFactory(language="id"))) == [indonesian]
    assert set(segment_users(SegmentFactory(language="en"))) == {english, never_chose}


def test_segments_filter_by_marketing_consent_per_channel():
    email_only = UserFactory()
    opted_in(email_only, "email")
    sms_too = UserFactory()
    opted_in(sms_too, "email", "sms")
    UserFactory()

    assert set(segment_users(SegmentFactory(opted_in="email"))) == {email_only, sms_too}
    assert list(segment_users(SegmentFactory(opted_in="sms"))) == [sms_too]


def test_a_segment_on_purchases_says_clearly_when_the_shop_has_no_orders_yet(monkeypatch):
    real_get_model = apps.get_model

    def no_orders(app_label, model_name=None, **kwargs):
        if app_label == "orders":
            raise LookupError(f"No installed app with label '{app_label}'.")
        return real_get_model(app_label, model_name, **kwargs)

    monkeypatch.setattr(apps, "get_model", no_orders)  # a shop whose orders app has no Order model

    with pytest.raises(SegmentUnavailable, match="need the orders app"):
        segment_count(SegmentFactory(no_order_for_days=90))


def test_a_campaign_reaches_only_customers_who_opted_in_and_counts_the_rest(
    django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATIONS_CAMPAIGN_BATCH_SIZE = 2  # several batches
    yes = UserFactory.create_batch(3)
    for user in yes:
        opted_in(user)
    no = UserFactory.create_batch(2)
    bounced = UserFactory()
    opted_in(bounced)
    suppression_add(channel="email", address=bounced.email, reason="bounce")

    campaign = run(CampaignFactory(), django_capture_on_commit_callbacks)

    assert campaign.status == Campaign.Status.SENT and campaign.finished_at is not None
    assert campaign.recipients == 6
    assert sorted(e.to[0] for e in mail.outbox) == sorted(u.email for u in yes)
    progress = campaign_progress(campaign=campaign)
    assert (progress["sent"], progress["suppressed"], progress["failed"]) == (3, 3, 0)
    assert {m.user for m in Message.objects.filter(status="suppressed")} == {*no, bounced}


def test_campaign_emails_are_personal_and_carry_list_unsubscribe(django_capture_on_commit_callbacks):
    user = UserFactory(first_name="Ada")
    opted_in(user)

    run(CampaignFactory(), django_capture_on_commit_callbacks)

    (sent,) = mail.outbox
    assert sent.subject == "Summer sale, Ada"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in sent.extra_headers["List-Unsubscribe"]


def test_a_campaign_on_several_channels_sends_each_only_where_consented(django_capture_on_commit_callbacks, caplog):
    profile = ProfileFactory()
    DeviceFactory(user=profile.user)
    opted_in(profile.user, "sms", "push")  # not e-mail

    campaign = run(CampaignFactory(send_email=True, send_sms=True, send_push=True), django_capture_on_commit_callbacks)

    statuses = dict(Message.objects.filter(campaign=campaign).values_list("channel", "status"))
    assert statuses == {"email": "suppressed", "sms": "sent", "push": "sent"}
    assert "(promotional): Pasar: garden sale, 20% off this week, Customer" in caplog.text


def test_fanning_out_again_after_a_restart_queues_nobody_twice(django_capture_on_commit_callbacks):
    for user in UserFactory.create_batch(3):
        opted_in(user)
    campaign = CampaignFactory(status=Campaign.Status.SENDING)

    with django_capture_on_commit_callbacks():
        while campaigns.campaign_fanout_batch(campaign_id=campaign.pk):
            pass
    Campaign.objects.filter(pk=campaign.pk).update(fanout_cursor=0, fanout_done=False, recipients=0)  # a lost cursor
    with django_capture_on_commit_callbacks():
        while campaigns.campaign_fanout_batch(campaign_id=campaign.pk):
            pass

    assert Message.objects.filter(campaign=campaign).count() == 3


def test_a_cancelled_campaign_sends_nothing_more(django_capture_on_commit_callbacks):
    user = UserFactory()
    opted_in(user)
    campaign = CampaignFactory(status=Campaign.Status.SENDING)
    with django_capture_on_commit_callbacks():  # fanned out, delivery not yet run
        campaigns.campaign_fanout_batch(campaign_id=campaign.pk)

    campaigns.campaign_cancel(campaign=campaign)
    campaigns.campaign_deliver_range(campaign_id=campaign.pk, after=0, upto=user.pk)

    assert mail.outbox == []
    assert Message.objects.get().status == Message.Status.SUPPRESSED


def test_a_campaign_missing_its_text_cannot_be_sent():
    campaign = CampaignFactory(send_sms=True, sms_text="")

    with pytest.raises(CampaignNotReady, match="An SMS needs a text"):
        campaigns.campaign_send(campaign=campaign)
    with pytest.raises(CampaignNotReady):
        campaigns.campaign_schedule(campaign=campaign, send_at=timezone.now() + timedelta(hours=1))


def test_a_scheduled_campaign_starts_when_its_time_comes(django_capture_on_commit_callbacks):
    opted_in(UserFactory())
    campaign = campaigns.campaign_schedule(campaign=CampaignFactory(), send_at=timezone.now() + timedelta(hours=1))
    assert campaigns.campaigns_start_due() == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns.campaigns_start_due(now=timezone.now() + timedelta(hours=2)) == 1

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and len(mail.outbox) == 1


def test_a_test_send_reaches_the_staff_member_whatever_their_consent(django_capture_on_commit_callbacks, staff_user):
    campaign = CampaignFactory()

    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_test_send(campaign=campaign, user=staff_user)

    assert [e.to for e in mail.outbox] == [["staff@example.com"]]
    assert campaign_progress(campaign=campaign)["sent"] == 0  # tests are not counted
    assert not Preference.objects.exists()


def test_a_sent_campaign_cannot_be_changed_or_sent_again():
    campaign = CampaignFactory(status=Campaign.Status.SENT)

    with pytest.raises(CampaignNotReady):
        campaigns.campaign_save(campaign=campaign)
    with pytest.raises(CampaignNotReady):
        campaigns.campaign_send(campaign=campaign)


def test_the_rate_limit_lets_n_through_per_second_then_waits_for_the_next():
    now = [1000.25]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    for _ in range(4):
        rate_limit_acquire(name="test", per_second=3, clock=lambda: now[0], sleep=sleep)

    assert slept == [pytest.approx(0.75)]  # the fourth waited for the next second
