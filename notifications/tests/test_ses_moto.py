"""E-mail through Amazon SES, for real over HTTP: django-anymail's SES backend talks to moto's SES
server on a local port, and the tests read the sent messages back from moto."""

import email
import email.policy
import io
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core import mail
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from notifications.events import Event
from notifications.models import Message
from notifications.services import notify
from notifications.services.delivery import message_deliver
from notifications.tests.factories import CampaignFactory, UserFactory, opted_in, order_context

pytestmark = pytest.mark.django_db


class SesServer(ThreadedMotoServer):
    """moto's threaded server, also keeping the body of each request it is sent (to check the
    parameters anymail sends that moto does not store, such as the configuration set)."""

    def __init__(self) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.requests: list[dict[str, Any]] = []

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)

        def recording_app(environ: dict[str, Any], start_response: Any) -> Any:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size) if size else b""
            environ["wsgi.input"] = io.BytesIO(body)
            if environ.get("PATH_INFO", "").startswith("/v2/email/outbound-emails"):
                self.requests.append(json.loads(body or b"{}"))
            return app(environ, start_response)

        self._server = make_server(
            self._ip_address, self._port, recording_app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


@pytest.fixture
def ses(settings, monkeypatch) -> Iterator[tuple[str, SesServer]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = SesServer()
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto keeps its state per process; each test starts from an empty SES.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=5).close()
    settings.EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
    settings.ANYMAIL = {
        "AMAZON_SES_CONFIGURATION_SET_NAME": "pasar-transactional",
        "AMAZON_SES_MESSAGE_TAG_NAME": "event",
        "AMAZON_SES_CLIENT_PARAMS": {"region_name": "eu-west-2", "endpoint_url": endpoint},
    }
    settings.DEFAULT_FROM_EMAIL = "Pasar <shop@example.com>"
    client = boto3.client("sesv2", region_name="eu-west-2", endpoint_url=endpoint)
    client.create_email_identity(EmailIdentity="example.com")
    client.create_configuration_set(ConfigurationSetName="pasar-transactional")
    yield endpoint, server
    server.stop()


def sent_messages(endpoint: str) -> list[email.message.Message]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=5) as response:
        data = json.load(response)
    return [email.message_from_string(m["raw_data"], policy=email.policy.default) for m in data["ses"]["RawMessage"]]


def test_an_order_email_is_sent_through_ses_with_the_configuration_set(ses):
    endpoint, server = ses
    (message,) = notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="k", email="ada@example.com")

    outcome = message_deliver(message_id=message.pk)

    assert outcome is not None
    assert outcome.status == Message.Status.SENT, outcome.last_error
    assert outcome.provider_message_id  # SES's message id, kept for tracing
    (raw,) = sent_messages(endpoint)
    assert raw["To"] == "ada@example.com" and raw["Subject"] == "Your Pasar order PSR-100042"
    parts = {
        part.get_content_type(): str(part.get_content())  # type: ignore[attr-defined]
        for part in raw.walk()
        if not part.is_multipart()
    }
    assert "£15.98" in parts["text/plain"] and "£15.98" in parts["text/html"]
    (request,) = server.requests
    assert request["ConfigurationSetName"] == "pasar-transactional"
    assert request["EmailTags"] == [{"Name": "event", "Value": "order_placed"}]
    assert mail.outbox == []  # it really went through SES, not the test outbox


def test_a_campaign_email_through_ses_carries_the_unsubscribe_headers(ses):
    endpoint, _server = ses
    user = UserFactory()
    opted_in(user)
    campaign = CampaignFactory(status="sending")
    from notifications.services.campaigns import campaign_deliver_range, campaign_fanout_batch

    campaign_fanout_batch(campaign_id=campaign.pk)
    campaign_deliver_range(campaign_id=campaign.pk, after=0, upto=user.pk)

    (raw,) = sent_messages(endpoint)
    assert "".join(raw["List-Unsubscribe"].split()).startswith("<https://shop.example.com/notifications/unsubscribe/")
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_unverified_sender_is_refused_by_ses_and_the_message_fails_with_the_reason(ses, settings):
    endpoint, _server = ses
    settings.DEFAULT_FROM_EMAIL = "Pasar <shop@not-verified.example.org>"
    (message,) = notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="k", email="ada@example.com")

    outcome = message_deliver(message_id=message.pk)

    assert outcome is not None and outcome.status == Message.Status.FAILED
    assert "MessageRejected" in outcome.last_error
    assert sent_messages(endpoint) == []
