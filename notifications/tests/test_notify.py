"""notify() and notify_staff(): which outbox rows an event writes, and when they are sent."""

import pytest
from django.core import mail
from django.db import transaction

from notifications.events import Event
from notifications.exceptions import NoRecipient, UnknownEvent
from notifications.models import Message
from notifications.services import notify, notify_staff
from notifications.services.consent import preference_set
from notifications.tests.factories import DeviceFactory, ProfileFactory, UserFactory, order_context

pytestmark = pytest.mark.django_db


def test_an_order_event_for_a_customer_with_default_choices_queues_email_and_push_but_not_sms():
    profile = ProfileFactory()
    device = DeviceFactory(user=profile.user)

    messages = notify(
        event=Event.ORDER_PLACED, context=order_context(), dedupe_key="order_placed:PSR-100042", user=profile.user
    )

    assert {(m.channel, m.recipient) for m in messages} == {
        ("email", profile.user.email),
        ("push", device.token),
    }
    assert all(m.status == Message.Status.PENDING for m in messages)


def test_sms_is_queued_when_the_customer_turned_it_on_and_stored_in_e164():
    profile = ProfileFactory(phone="07911 123456")
    preference_set(user=profile.user, kind="orders", channel="sms", enabled=True)

    messages = notify(event=Event.ORDER_SHIPPED, context=order_context(), dedupe_key="k", user=profile.user)

    assert ("sms", "+447911123456") in {(m.channel, m.recipient) for m in messages}


def test_transactional_email_cannot_be_turned_off():
    user = UserFactory()
    assert preference_set(user=user, kind="orders", channel="email", enabled=False) is None

    messages = notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="k", user=user)

    assert [m.channel for m in messages] == ["email"]


def test_account_messages_go_by_email_only_even_when_sms_and_push_are_on():
    profile = ProfileFactory()
    DeviceFactory(user=profile.user)
    preference_set(user=profile.user, kind="orders", channel="sms", enabled=True)

    messages = notify(
        event=Event.PASSWORD_RESET,
        context={"url": "https://shop.example.com/reset/abc/", "name": "Ada"},
        dedupe_key="reset:1",
        user=profile.user,
    )

    assert [m.channel for m in messages] == ["email"]


def test_a_guest_gets_email_at_the_given_address_in_the_given_language():
    messages = notify(
        event=Event.ORDER_PLACED, context=order_context(), dedupe_key="k", email="Guest@Example.com ", language="id"
    )

    assert [(m.channel, m.recipient, m.language, m.user) for m in messages] == [
        ("email", "guest@example.com", "id", None)
    ]


def test_the_order_address_wins_over_the_account_address_when_both_are_given():
    user = UserFactory(email="account@example.com")

    messages = notify(
        event=Event.ORDER_PLACED, context=order_context(), dedupe_key="k", user=user, email="order@example.com"
    )

    assert messages[0].recipient == "order@example.com"
    assert messages[0].user == user


def test_language_defaults_to_the_customers_choice_then_the_shops():
    chose = ProfileFactory(language="id").user
    did_not = UserFactory()

    assert notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="a", user=chose)[0].language == "id"
    assert notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="b", user=did_not)[0].language == "en"


def test_the_same_event_queued_twice_makes_one_message_per_channel_and_recipient():
    user = UserFactory()

    first = notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="order_placed:PSR-1", user=user)
    again = notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="order_placed:PSR-1", user=user)

    assert [m.pk for m in first] == [m.pk for m in again]
    assert Message.objects.count() == 1


def test_a_message_is_sent_only_after_the_callers_transaction_commits(django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="k", user=user)
        assert mail.outbox == []

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert Message.objects.get().status == Message.Status.SENT


def test_a_duplicate_notify_queues_no_second_delivery(django_capture_on_commit_callbacks):
    user = UserFactory()
    notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="k", user=user)

    with django_capture_on_commit_callbacks() as callbacks:
        notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="k", user=user)

    assert callbacks == []


def test_staff_alerts_go_to_every_staff_address(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        messages = notify_staff(
            event=Event.LOW_STOCK,
            context={"variant": {"sku": "85123A", "title": "White Hanging Heart T-Light Holder", "stock": 3}},
            dedupe_key="low_stock:85123A:3",
        )

    assert sorted(m.recipient for m in messages) == ["buyer@example.com", "owner@example.com"]
    assert sorted(e.to[0] for e in mail.outbox) == ["buyer@example.com", "owner@example.com"]
    assert mail.outbox[0].subject == "Low stock: 85123A White Hanging Heart T-Light Holder (3 left)"


def test_no_staff_addresses_configured_queues_nothing(settings):
    settings.SHOP_STAFF_EMAILS = []

    assert notify_staff(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="k") == []


def test_an_unknown_event_or_a_missing_recipient_is_refused():
    with pytest.raises(UnknownEvent):
        notify(event="order_teleported", context={}, dedupe_key="k", email="a@example.com")
    with pytest.raises(UnknownEvent):
        notify(event=Event.LOW_STOCK, context={}, dedupe_key="k", email="a@example.com")
    with pytest.raises(NoRecipient):
        notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="k")
