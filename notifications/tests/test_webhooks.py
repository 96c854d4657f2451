"""The SNS webhooks: SES bounces and complaints suppress an address, SMS STOP replies suppress a
number, and nothing unsigned is believed.

SNS cannot reach this machine and its certificate URL cannot be fetched here, so the tests sign
messages exactly as SNS does with a key and certificate they generate, serve the certificate from a
real local HTTP server, and point NOTIFICATIONS_SNS_TRUSTED_URL_PATTERN at it."""

import base64
import datetime
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.urls import reverse

from notifications.models import Suppression
from notifications.sns import sns_string_to_sign
from notifications.tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

TOPIC = "arn:aws:sns:eu-west-2:123456789012:pasar-ses-events"


class SnsStandIn:
    """A local signer and certificate server in SNS's place."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(self.key, hashes.SHA256())
        )
        pem = cert.public_bytes(serialization.Encoding.PEM)
        self.confirmed: list[str] = []
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/confirm"):
                    stand_in.confirmed.append(self.path)
                    body = b"<ConfirmSubscriptionResponse/>"
                else:
                    body = pem
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def sign(self, payload: dict[str, Any], *, version: str = "2") -> dict[str, Any]:
        payload = {
            **payload,
            "SignatureVersion": version,
            "SigningCertURL": f"{self.base}/SimpleNotificationService-test.pem",
        }
        algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()  # noqa: S303  # SNS's version 1 is SHA1
        signature = self.key.sign(sns_string_to_sign(payload), padding.PKCS1v15(), algorithm)
        return {**payload, "Signature": base64.b64encode(signature).decode()}

    def notification(self, message: dict[str, Any], *, version: str = "2") -> dict[str, Any]:
        return self.sign(
            {
                "Type": "Notification",
                "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
                "TopicArn": TOPIC,
                "Message": json.dumps(message),
                "Timestamp": "2026-11-25T10:00:00.000Z",
            },
            version=version,
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sns(settings) -> Iterator[SnsStandIn]:
    stand_in = SnsStandIn()
    settings.NOTIFICATIONS_SNS_TRUSTED_URL_PATTERN = "^" + stand_in.base.replace(".", r"\.") + "/"
    yield stand_in
    stand_in.close()


def post(client, name: str, payload: dict[str, Any]):
    return client.post(reverse(name), data=json.dumps(payload), content_type="text/plain; charset=UTF-8")


def bounce(bounce_type: str, address: str) -> dict[str, Any]:
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address, "status": "5.1.1"}],
        },
        "mail": {"destination": [address]},
    }


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_hard_bounce_suppresses_the_address(client, sns, version):
    response = post(
        client,
        "notifications_hooks:ses_events",
        sns.notification(bounce("Permanent", "Gone@Example.com"), version=version),
    )

    assert response.status_code == 200
    assert response.json() == {"suppressed": ["gone@example.com"]}
    assert Suppression.objects.get(channel="email", address="gone@example.com").reason == "bounce"


def test_a_soft_bounce_suppresses_nothing(client, sns):
    response = post(client, "notifications_hooks:ses_events", sns.notification(bounce("Transient", "full@example.com")))

    assert response.status_code == 200
    assert not Suppression.objects.exists()


def test_a_complaint_suppresses_the_address(client, sns):
    complaint = {
        "eventType": "Complaint",  # SES event publishing (configuration set) uses eventType
        "complaint": {
            "complainedRecipients": [{"emailAddress": "angry@example.com"}],
            "complaintFeedbackType": "abuse",
        },
    }

    response = post(client, "notifications_hooks:ses_events", sns.notification(complaint))

    assert response.status_code == 200
    assert Suppression.objects.get(address="angry@example.com").reason == "complaint"


def test_a_message_with_a_forged_signature_is_refused(client, sns):
    payload = sns.notification(bounce("Permanent", "victim@example.com"))
    payload["Message"] = json.dumps(bounce("Permanent", "someone-else@example.com"))

    response = post(client, "notifications_hooks:ses_events", payload)

    assert response.status_code == 403
    assert "signature does not match" in response.json()["error"]
    assert not Suppression.objects.exists()


def test_a_certificate_from_anywhere_but_sns_is_refused(client, sns, settings):
    settings.NOTIFICATIONS_SNS_TRUSTED_URL_PATTERN = r"^https://sns\.[a-z0-9-]+\.amazonaws\.com/"

    response = post(client, "notifications_hooks:ses_events", sns.notification(bounce("Permanent", "a@example.com")))

    assert response.status_code == 403
    assert "not an SNS address" in response.json()["error"]


def test_a_topic_that_is_not_ours_is_refused(client, sns, settings):
    settings.NOTIFICATIONS_SNS_TOPIC_ARNS = ["arn:aws:sns:eu-west-2:123456789012:another-topic"]

    response = post(client, "notifications_hooks:ses_events", sns.notification(bounce("Permanent", "a@example.com")))

    assert response.status_code == 403


def test_a_body_that_is_not_json_is_a_clear_400(client, sns):
    response = client.post(reverse("notifications_hooks:ses_events"), data="hello", content_type="text/plain")

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_a_subscription_is_confirmed_by_visiting_its_url(client, sns):
    payload = sns.sign(
        {
            "Type": "SubscriptionConfirmation",
            "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
            "Token": "2336412f37",
            "TopicArn": TOPIC,
            "Message": "You have chosen to subscribe to the topic.",
            "SubscribeURL": f"{sns.base}/confirm?Action=ConfirmSubscription&Token=2336412f37",
            "Timestamp": "2026-11-25T10:00:00.000Z",
        }
    )

    response = post(client, "notifications_hooks:ses_events", payload)

    assert response.status_code == 200
    assert sns.confirmed == ["/confirm?Action=ConfirmSubscription&Token=2336412f37"]


@pytest.mark.parametrize("word", ["STOP", "stop please", "Berhenti"])
def test_an_sms_stop_reply_suppresses_the_number(client, sns, word):
    inbound = {
        "originationNumber": "+447911123456",
        "destinationNumber": "+447700900000",
        "messageKeyword": "KEYWORD",
        "messageBody": word,
    }

    response = post(client, "notifications_hooks:sms_inbound", sns.notification(inbound))

    assert response.json() == {"action": "stop"}
    assert Suppression.objects.get(channel="sms", address="+447911123456").reason == "sms_stop"


def test_an_sms_start_reply_lifts_the_stop_and_the_customer_gets_sms_again(
    client, sns, django_capture_on_commit_callbacks
):
    from notifications.events import Event
    from notifications.services import notify
    from notifications.services.consent import preference_set
    from notifications.tests.factories import order_context

    profile = ProfileFactory(phone="+447911123456")
    preference_set(user=profile.user, kind="orders", channel="sms", enabled=True)
    stop = {"originationNumber": "+447911123456", "messageBody": "STOP"}
    start = {"originationNumber": "+447911123456", "messageBody": "START"}
    post(client, "notifications_hooks:sms_inbound", sns.notification(stop))
    with django_capture_on_commit_callbacks(execute=True):
        stopped = notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="a", user=profile.user)

    assert post(client, "notifications_hooks:sms_inbound", sns.notification(start)).json() == {"action": "start"}
    with django_capture_on_commit_callbacks(execute=True):
        started = notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="b", user=profile.user)

    sms_status = lambda messages: next(m for m in messages if m.channel == "sms").status  # noqa: E731
    from notifications.models import Message

    for m in stopped + started:
        m.refresh_from_db()
    assert sms_status(stopped) == Message.Status.SUPPRESSED
    assert sms_status(started) == Message.Status.SENT
