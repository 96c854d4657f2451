"""SMS through AWS End User Messaging (pinpoint-sms-voice-v2) and push through Pinpoint
SendMessages. moto has no backend for either API, so these check the request shapes and the error
handling with botocore's Stubber, which validates every request against the real service model
shipped with botocore; nothing is sent over the network."""

import pytest
from botocore.stub import ANY, Stubber

from notifications.backends.aws import EndUserMessagingSmsBackend, PinpointPushBackend
from notifications.backends.base import PermanentDeliveryError, TransientDeliveryError


@pytest.fixture
def sms():
    backend = EndUserMessagingSmsBackend(
        origination_identity="+447700900000", configuration_set="pasar-sms", region_name="eu-west-2"
    )
    with Stubber(backend.client) as stubber:
        yield backend, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def push():
    backend = PinpointPushBackend(application_id="0123456789abcdef0123456789abcdef", region_name="eu-west-2")
    with Stubber(backend.client) as stubber:
        yield backend, stubber
        stubber.assert_no_pending_responses()


def test_an_sms_is_sent_as_a_transactional_text_message_from_the_shops_number(sms):
    backend, stubber = sms
    stubber.add_response(
        "send_text_message",
        {"MessageId": "sms-123"},
        {
            "DestinationPhoneNumber": "+447911123456",
            "OriginationIdentity": "+447700900000",
            "MessageBody": "Pasar: order PSR-1 is on its way.",
            "MessageType": "TRANSACTIONAL",
            "ConfigurationSetName": "pasar-sms",
            "Context": {"pasar_message": "pasar-7"},
        },
    )

    assert (
        backend.send(
            to="+447911123456", body="Pasar: order PSR-1 is on its way.", promotional=False, reference="pasar-7"
        )
        == "sms-123"
    )


def test_a_campaign_sms_is_promotional(sms):
    backend, stubber = sms
    stubber.add_response("send_text_message", {"MessageId": "sms-9"}, {
        "DestinationPhoneNumber": ANY, "OriginationIdentity": ANY, "MessageBody": ANY,
        "MessageType": "PROMOTIONAL", "ConfigurationSetName": ANY, "Context": ANY,
    })  # fmt: skip

    backend.send(to="+447911123456", body="Sale!", promotional=True, reference="pasar-8")


def test_sms_throttling_is_worth_a_retry(sms):
    backend, stubber = sms
    stubber.add_client_error("send_text_message", service_error_code="ThrottlingException", http_status_code=400)

    with pytest.raises(TransientDeliveryError, match="ThrottlingException"):
        backend.send(to="+447911123456", body="x", promotional=False, reference="r")


def test_an_sms_server_error_is_worth_a_retry(sms):
    backend, stubber = sms
    stubber.add_client_error("send_text_message", service_error_code="InternalServerException", http_status_code=500)

    with pytest.raises(TransientDeliveryError):
        backend.send(to="+447911123456", body="x", promotional=False, reference="r")


def test_an_sms_to_an_opted_out_number_fails_for_good_and_says_so(sms):
    backend, stubber = sms
    stubber.add_client_error(
        "send_text_message",
        service_error_code="ConflictException",
        service_message="The destination phone number is opted out.",
        http_status_code=400,
        modeled_fields={
            "Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT",
            "ResourceType": "opt-out-list",
            "ResourceId": "Default",
        },
    )

    with pytest.raises(PermanentDeliveryError) as raised:
        backend.send(to="+447911123456", body="x", promotional=False, reference="r")
    assert raised.value.opted_out


def test_an_invalid_sms_request_fails_for_good(sms):
    backend, stubber = sms
    stubber.add_client_error("send_text_message", service_error_code="ValidationException", http_status_code=400)

    with pytest.raises(PermanentDeliveryError) as raised:
        backend.send(to="+447911123456", body="x", promotional=False, reference="r")
    assert not raised.value.opted_out


def _push_request(token: str, channel_type: str):
    common = {
        "Action": "OPEN_APP",
        "Title": "On its way",
        "Body": "Order PSR-1 has been shipped.",
        "Data": {"event": "order_shipped", "url": "https://shop.example.com/orders/PSR-1/"},
    }
    return {
        "ApplicationId": "0123456789abcdef0123456789abcdef",
        "MessageRequest": {
            "Addresses": {token: {"ChannelType": channel_type}},
            "MessageConfiguration": {
                "GCMMessage": {**common, "Priority": "high"},
                "APNSMessage": {**common, "Priority": "10", "Sound": "default"},
            },
            "TraceId": "pasar-5",
        },
    }


def _push_response(token: str, status: str, code: int = 200):
    return {"MessageResponse": {"ApplicationId": "0123456789abcdef0123456789abcdef", "Result": {
        token: {"DeliveryStatus": status, "StatusCode": code, "MessageId": "push-1", "StatusMessage": status},
    }}}  # fmt: skip


@pytest.mark.parametrize(
    ("platform", "sandbox", "channel_type"),
    [("android", False, "GCM"), ("ios", False, "APNS"), ("ios", True, "APNS_SANDBOX")],
)
def test_a_push_goes_to_the_devices_channel(push, platform, sandbox, channel_type):
    backend, stubber = push
    stubber.add_response("send_messages", _push_response("tok", "SUCCESSFUL"), _push_request("tok", channel_type))

    message_id = backend.send(
        token="tok",
        platform=platform,
        sandbox=sandbox,
        title="On its way",
        body="Order PSR-1 has been shipped.",
        data={"event": "order_shipped", "url": "https://shop.example.com/orders/PSR-1/"},
        reference="pasar-5",
    )

    assert message_id == "push-1"


@pytest.mark.parametrize(
    ("status", "error", "invalid"),
    [
        ("THROTTLED", TransientDeliveryError, False),
        ("TEMPORARY_FAILURE", TransientDeliveryError, False),
        ("PERMANENT_FAILURE", PermanentDeliveryError, True),
    ],
)
def test_a_push_refused_for_one_address_is_sorted_by_its_delivery_status(push, status, error, invalid):
    backend, stubber = push
    stubber.add_response("send_messages", _push_response("tok", status, 410), _push_request("tok", "GCM"))

    with pytest.raises(error) as raised:
        backend.send(
            token="tok",
            platform="android",
            sandbox=False,
            title="On its way",
            body="Order PSR-1 has been shipped.",
            data={"event": "order_shipped", "url": "https://shop.example.com/orders/PSR-1/"},
            reference="pasar-5",
        )
    assert getattr(raised.value, "invalid_address", False) is invalid


def test_the_aws_backends_refuse_to_start_without_their_identity():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="ORIGINATION_IDENTITY"):
        EndUserMessagingSmsBackend(origination_identity="", region_name="eu-west-2")
    with pytest.raises(ImproperlyConfigured, match="APPLICATION_ID"):
        PinpointPushBackend(application_id="", region_name="eu-west-2")
