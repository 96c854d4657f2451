"""Staff screens: the outbox, segments with their live count, campaigns from draft to sent."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.events import Event
from notifications.models import Campaign, Message
from notifications.services import notify
from notifications.services.delivery import message_deliver
from notifications.tests.factories import (
    CampaignFactory,
    ProfileFactory,
    SegmentFactory,
    UserFactory,
    opted_in,
    order_context,
)

pytestmark = pytest.mark.django_db


def test_the_outbox_lists_messages_with_status_and_last_error_in_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    for n in range(30):
        notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key=f"k{n}", email=f"c{n}@example.com")
    Message.objects.filter(dedupe_key="k0").update(
        status="failed", last_error="MessageRejected: Email address is not verified."
    )

    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("admin:notifications_message_changelist"))

    assert response.status_code == 200
    assert "MessageRejected: Email address is not verified." in response.content.decode()


def test_staff_send_failed_messages_again_from_the_outbox(staff_client, django_capture_on_commit_callbacks):
    (message,) = notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="k", email="ada@example.com")
    Message.objects.filter(pk=message.pk).update(status="failed", last_error="boom")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "send_again", "_selected_action": [message.pk]},
            follow=True,
        )

    assert "1 message queued again." in response.content.decode()
    message.refresh_from_db()
    assert message.status == "sent" and len(mail.outbox) == 1


def test_a_message_cannot_be_deleted_from_the_outbox(staff_client):
    (message,) = notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="k", email="ada@example.com")

    response = staff_client.post(reverse("admin:notifications_message_delete", args=[message.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Message.objects.filter(pk=message.pk).exists()


def test_the_segment_form_shows_a_live_count(staff_client):
    ProfileFactory(language="id")
    ProfileFactory(language="en")
    UserFactory()
    url = reverse("admin:notifications_segment_count")

    assert staff_client.get(url, {"language": "id"}).json() == {"count": 1}
    assert staff_client.get(url, {}).json() == {"count": 3}
    response = staff_client.get(url, {"joined_after": "2026-02-01", "joined_before": "2026-01-01"})
    assert response.status_code == 400
    assert "must be later" in response.json()["errors"]["joined_before"][0]


def test_the_segment_page_shows_its_count(staff_client):
    UserFactory.create_batch(2)
    segment = SegmentFactory()

    response = staff_client.get(reverse("admin:notifications_segment_change", args=[segment.pk]))

    assert response.status_code == 200
    assert 'id="segment-count"' in response.content.decode()
    assert response.context["segment_count"] == 2


def test_staff_create_preview_test_and_send_a_campaign(staff_client, staff_user, django_capture_on_commit_callbacks):
    customer = UserFactory(first_name="Grace")
    opted_in(customer)
    segment = SegmentFactory(opted_in="email")
    response = staff_client.post(
        reverse("admin:notifications_campaign_add"),
        {
            "name": "Garden sale",
            "segment": segment.pk,
            "send_email": "on",
            "subject": "Garden sale, {name}",
            "body": "Everything in the garden is 20% off.",
            "link_url": "https://shop.example.com/c/garden/",
            "link_label": "Shop the sale",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.created_by == staff_user

    preview = staff_client.get(reverse("admin:notifications_campaign_preview", args=[campaign.pk]))
    assert preview.status_code == 200 and "Garden sale" in preview.content.decode()
    rendered = staff_client.get(reverse("admin:notifications_campaign_preview_email", args=[campaign.pk]))
    assert "Everything in the garden is 20% off." in rendered.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:notifications_campaign_test", args=[campaign.pk]))
        page = staff_client.post(reverse("admin:notifications_campaign_send", args=[campaign.pk]), follow=True)

    assert "Sending started." in page.content.decode()
    assert sorted(e.to[0] for e in mail.outbox) == sorted([customer.email, "staff@example.com"])
    assert "Garden sale, Grace" in {e.subject for e in mail.outbox}
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    detail = staff_client.get(reverse("admin:notifications_campaign_change", args=[campaign.pk]))
    assert detail.context["progress"]["sent"] == 1


def test_the_campaign_list_shows_results_in_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for user in UserFactory.create_batch(3):
        opted_in(user)
    for _ in range(5):
        campaign = CampaignFactory(status=Campaign.Status.SENDING)
        with django_capture_on_commit_callbacks(execute=True):
            from notifications.services.campaigns import campaign_fanout_batch

            campaign_fanout_batch(campaign_id=campaign.pk)

    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("admin:notifications_campaign_changelist"))

    assert response.status_code == 200
    assert "3 / 0 / 0 / 0" in response.content.decode()


def test_a_campaign_with_a_purchase_filter_explains_when_orders_are_missing(staff_client, monkeypatch):
    from django.apps import apps

    real_get_model = apps.get_model

    def no_orders(app_label, model_name=None, **kwargs):
        if app_label == "orders":
            raise LookupError(f"No installed app with label '{app_label}'.")
        return real_get_model(app_label, model_name, **kwargs)

    segment = SegmentFactory(spent_above="100.00")
    monkeypatch.setattr(apps, "get_model", no_orders)

    response = staff_client.get(reverse("admin:notifications_segment_change", args=[segment.pk]))

    assert "need the orders app" in response.content.decode()


def test_delivered_messages_are_read_only_in_admin(staff_client):
    (message,) = notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="k", email="ada@example.com")
    message_deliver(message_id=message.pk)

    response = staff_client.get(reverse("admin:notifications_message_change", args=[message.pk]))

    assert response.status_code == 200
    assert "ada@example.com" in response.content.decode()
