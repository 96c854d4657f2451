"""Delivery from the outbox: sent at most once, retried with backoff on throttling and 5xx,
failed for good with the error kept, and consent checked again at the moment of sending.

Throttling and refusals come from the real End User Messaging SMS backend with botocore's Stubber
standing in for AWS (moto has no SMS backend; see test_aws_backends.py)."""

from datetime import timedelta

import pytest
from botocore.stub import Stubber
from django.core import mail
from django.utils import timezone

from notifications.backends.base import sms_backend
from notifications.events import Event
from notifications.models import Device, Message, Suppression
from notifications.services import messages_retry, notify
from notifications.services.consent import preference_set, suppression_add
from notifications.services.delivery import message_deliver, outbox_sweep, retry_delay
from notifications.tests.factories import DeviceFactory, ProfileFactory, order_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def aws_sms(settings):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.backends.aws.EndUserMessagingSmsBackend"
    settings.NOTIFICATIONS_SMS_BACKEND_OPTIONS = {"origination_identity": "+447700900000", "region_name": "eu-west-2"}
    with Stubber(sms_backend().client) as stubber:  # type: ignore[attr-defined]
        yield stubber


def sms_message() -> Message:
    profile = ProfileFactory()
    preference_set(user=profile.user, kind="orders", channel="sms", enabled=True)
    messages = notify(event=Event.ORDER_SHIPPED, context=order_context(), dedupe_key="k", user=profile.user)
    return next(m for m in messages if m.channel == "sms")


def email_message(**kwargs) -> Message:
    return notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="k", **kwargs)[0]


def test_a_message_delivered_twice_is_sent_once():
    message = email_message(email="ada@example.com")

    first = message_deliver(message_id=message.pk)
    second = message_deliver(message_id=message.pk)

    assert first is not None and first.status == Message.Status.SENT and first.sent_at is not None
    assert second is None
    assert len(mail.outbox) == 1
    assert Message.objects.get().attempts == 1


def test_throttling_puts_the_message_back_with_backoff_and_it_is_sent_when_due(aws_sms, settings):
    message = sms_message()
    aws_sms.add_client_error("send_text_message", service_error_code="ThrottlingException", http_status_code=400)

    outcome = message_deliver(message_id=message.pk)

    assert outcome is not None and outcome.status == Message.Status.PENDING
    message.refresh_from_db()
    assert message.attempts == 1 and "ThrottlingException" in message.last_error
    wait = message.next_attempt_at - timezone.now()
    assert timedelta(seconds=settings.NOTIFICATIONS_RETRY_BASE_SECONDS - 1) < wait < timedelta(minutes=1)
    assert message_deliver(message_id=message.pk) is None  # not due yet

    aws_sms.add_response("send_text_message", {"MessageId": "sms-1"})
    outcome = message_deliver(message_id=message.pk, now=message.next_attempt_at)

    assert outcome is not None and outcome.status == Message.Status.SENT and outcome.provider_message_id == "sms-1"
    assert outcome.attempts == 2


def test_backoff_doubles_and_stops_at_an_hour(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    delays = [retry_delay(n) for n in (1, 2, 3, 12)]

    assert 30 <= delays[0] <= 33 and 60 <= delays[1] <= 66 and 120 <= delays[2] <= 132
    assert 3600 <= delays[3] <= 3960


def test_a_message_that_keeps_failing_is_marked_failed_with_the_last_error(aws_sms, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    message = sms_message()
    for _ in range(2):
        aws_sms.add_client_error(
            "send_text_message", service_error_code="InternalServerException", http_status_code=500
        )
        message.refresh_from_db()
        message_deliver(message_id=message.pk, now=message.next_attempt_at)

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 2
    assert "Gave up after 2 attempts" in message.last_error and "InternalServerException" in message.last_error


def test_a_permanent_refusal_fails_at_once(aws_sms):
    message = sms_message()
    aws_sms.add_client_error("send_text_message", service_error_code="ValidationException", http_status_code=400)

    outcome = message_deliver(message_id=message.pk)

    assert outcome is not None and outcome.status == Message.Status.FAILED and outcome.attempts == 1
    assert "ValidationException" in outcome.last_error


def test_an_sms_refused_because_the_number_opted_out_suppresses_the_number(aws_sms):
    message = sms_message()
    aws_sms.add_client_error(
        "send_text_message",
        service_error_code="ConflictException",
        http_status_code=400,
        modeled_fields={
            "Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT",
            "ResourceType": "opt-out-list",
            "ResourceId": "Default",
        },
    )

    outcome = message_deliver(message_id=message.pk)

    assert outcome is not None and outcome.status == Message.Status.SUPPRESSED
    assert Suppression.objects.filter(channel="sms", address=message.recipient, reason="sms_stop").exists()


def test_an_address_that_bounced_after_queueing_gets_nothing():
    message = email_message(email="gone@example.com")
    suppression_add(channel="email", address="Gone@Example.com", reason="bounce")

    outcome = message_deliver(message_id=message.pk)

    assert outcome is not None and outcome.status == Message.Status.SUPPRESSED
    assert "Bounced" in outcome.last_error
    assert mail.outbox == []


def test_a_customer_who_turns_push_off_after_queueing_gets_no_push():
    device = DeviceFactory()
    messages = notify(event=Event.ORDER_SHIPPED, context=order_context(), dedupe_key="k", user=device.user)
    push = next(m for m in messages if m.channel == "push")
    preference_set(user=device.user, kind="orders", channel="push", enabled=False)

    outcome = message_deliver(message_id=push.pk)

    assert outcome is not None and outcome.status == Message.Status.SUPPRESSED
    assert "Opted out" in outcome.last_error


def test_a_push_to_a_token_the_provider_no_longer_knows_deactivates_the_device(settings):
    settings.NOTIFICATIONS_PUSH_BACKEND = "notifications.backends.aws.PinpointPushBackend"
    settings.NOTIFICATIONS_PUSH_BACKEND_OPTIONS = {"application_id": "app", "region_name": "eu-west-2"}
    from notifications.backends.base import push_backend

    device = DeviceFactory()
    push = next(
        m
        for m in notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="k", user=device.user)
        if m.channel == "push"
    )
    with Stubber(push_backend().client) as stubber:  # type: ignore[attr-defined]
        stubber.add_response(
            "send_messages",
            {
                "MessageResponse": {
                    "ApplicationId": "app",
                    "Result": {device.token: {"DeliveryStatus": "PERMANENT_FAILURE", "StatusCode": 410}},
                }
            },
        )
        outcome = message_deliver(message_id=push.pk)

    assert outcome is not None and outcome.status == Message.Status.FAILED
    assert not Device.objects.get(pk=device.pk).is_active


def test_the_sweep_sends_messages_whose_task_was_lost_and_fails_those_stuck_mid_send(
    django_capture_on_commit_callbacks,
):
    lost = email_message(email="lost@example.com")
    stuck = notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="other", email="stuck@example.com")[0]
    long_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
    Message.objects.filter(pk=stuck.pk).update(status=Message.Status.SENDING, claimed_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        result = outbox_sweep()

    assert result == {"requeued": 1, "stuck": 1}
    lost.refresh_from_db()
    stuck.refresh_from_db()
    assert lost.status == Message.Status.SENT  # tasks run inline without a broker
    assert stuck.status == Message.Status.FAILED and "not sent again" in stuck.last_error
    assert [e.to for e in mail.outbox] == [["lost@example.com"]]


def test_staff_can_send_a_failed_message_again(aws_sms, django_capture_on_commit_callbacks):
    message = sms_message()
    aws_sms.add_client_error("send_text_message", service_error_code="ValidationException", http_status_code=400)
    message_deliver(message_id=message.pk)
    aws_sms.add_response("send_text_message", {"MessageId": "sms-2"})

    with django_capture_on_commit_callbacks(execute=True):
        assert messages_retry(message_ids=[message.pk]) == 1

    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_a_sent_message_cannot_be_sent_again_by_staff():
    message = email_message(email="ada@example.com")
    message_deliver(message_id=message.pk)

    assert messages_retry(message_ids=[message.pk]) == 0
    assert len(mail.outbox) == 1


def test_the_console_backends_deliver_sms_and_push_locally(caplog):
    profile = ProfileFactory()
    DeviceFactory(user=profile.user)
    preference_set(user=profile.user, kind="orders", channel="sms", enabled=True)
    messages = notify(
        event=Event.ORDER_SHIPPED, context=order_context(carrier="DPD"), dedupe_key="k", user=profile.user
    )

    outcomes = [message_deliver(message_id=m.pk) for m in messages]

    assert {o.status for o in outcomes if o} == {Message.Status.SENT}
    assert "SMS to +447911123456 (transactional): Pasar: order PSR-100042 is on its way. DPD" in caplog.text
    assert "Order PSR-100042 has been shipped." in caplog.text
