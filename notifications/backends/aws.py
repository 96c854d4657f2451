"""AWS End User Messaging: SMS through the `pinpoint-sms-voice-v2` API, push through Pinpoint's
SendMessages (FCM and APNs). Pinpoint's engagement features (segments, campaigns, journeys) end on
2026-10-30; Pasar keeps those itself and uses AWS only to deliver."""

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ImproperlyConfigured

from notifications.backends.base import (
    DeliveryError,
    PermanentDeliveryError,
    PushBackend,
    SmsBackend,
    TransientDeliveryError,
)

# Error codes worth another try later, whatever the HTTP status says.
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalServerException",
        "InternalFailure",
        "InternalServiceError",
        "RequestTimeout",
        "RequestTimeoutException",
        "LimitExceededException",
        "SendingPausedException",
        "AccountSendingPausedException",
    }
)


def aws_error_classify(exc: BaseException) -> DeliveryError:
    """Map a boto3 failure to a retry (throttling, 5xx, network) or a permanent failure."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        text = f"{code}: {error.get('Message', '')}".strip()
        if code in TRANSIENT_CODES or status == 429 or status >= 500:
            return TransientDeliveryError(text)
        reason = str(exc.response.get("Reason", ""))
        opted_out = "OPTED_OUT" in reason or "OptedOut" in code
        return PermanentDeliveryError(f"{text} {reason}".strip(), opted_out=opted_out)
    if isinstance(exc, BotoCoreError):  # connection refused, timeouts, DNS: the request never got an answer
        return TransientDeliveryError(f"{type(exc).__name__}: {exc}")
    return TransientDeliveryError(f"{type(exc).__name__}: {exc}")


def _client(service: str, options: dict[str, Any]) -> Any:
    params: dict[str, Any] = {
        # Retries are the outbox's job (with backoff, visible in admin); botocore tries once more.
        "config": Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=10)
    }
    if options.get("region_name"):
        params["region_name"] = options["region_name"]
    if options.get("endpoint_url"):
        params["endpoint_url"] = options["endpoint_url"]
    return boto3.session.Session().client(service, **params)


class EndUserMessagingSmsBackend(SmsBackend):
    """Options: origination_identity (a phone number, sender id or pool, required),
    configuration_set (optional, for delivery events), region_name, endpoint_url."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if not options.get("origination_identity"):
            raise ImproperlyConfigured(
                "EndUserMessagingSmsBackend needs NOTIFICATIONS_SMS_ORIGINATION_IDENTITY "
                "(a phone number, sender ID or pool ID from AWS End User Messaging SMS)."
            )
        self.client = _client("pinpoint-sms-voice-v2", options)

    def send(self, *, to: str, body: str, promotional: bool, reference: str) -> str:
        params: dict[str, Any] = {
            "DestinationPhoneNumber": to,
            "OriginationIdentity": self.options["origination_identity"],
            "MessageBody": body,
            "MessageType": "PROMOTIONAL" if promotional else "TRANSACTIONAL",
            "Context": {"pasar_message": reference},
        }
        if self.options.get("configuration_set"):
            params["ConfigurationSetName"] = self.options["configuration_set"]
        try:
            response = self.client.send_text_message(**params)
        except (ClientError, BotoCoreError) as exc:
            raise aws_error_classify(exc) from exc
        return str(response["MessageId"])


# Pinpoint's per-address delivery status in a SendMessages response.
PUSH_TRANSIENT = frozenset({"THROTTLED", "TEMPORARY_FAILURE", "UNKNOWN_FAILURE", "TIMEOUT"})


class PinpointPushBackend(PushBackend):
    """Options: application_id (the Pinpoint project with the FCM and APNs channels, required),
    region_name, endpoint_url."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if not options.get("application_id"):
            raise ImproperlyConfigured(
                "PinpointPushBackend needs NOTIFICATIONS_PUSH_APPLICATION_ID (the Pinpoint project with the "
                "FCM and APNs channels)."
            )
        self.client = _client("pinpoint", options)

    def send(
        self, *, token: str, platform: str, sandbox: bool, title: str, body: str, data: dict[str, str], reference: str
    ) -> str:
        # "GCM" is Pinpoint's name for its FCM channel.
        channel_type = ("APNS_SANDBOX" if sandbox else "APNS") if platform == "ios" else "GCM"
        common = {"Action": "OPEN_APP", "Title": title, "Body": body, "Data": data}
        request = {
            "Addresses": {token: {"ChannelType": channel_type}},
            "MessageConfiguration": {
                "GCMMessage": {**common, "Priority": "high"},
                "APNSMessage": {**common, "Priority": "10", "Sound": "default"},
            },
            "TraceId": reference,
        }
        try:
            response = self.client.send_messages(ApplicationId=self.options["application_id"], MessageRequest=request)
        except (ClientError, BotoCoreError) as exc:
            raise aws_error_classify(exc) from exc
        result = response.get("MessageResponse", {}).get("Result", {}).get(token, {})
        status = str(result.get("DeliveryStatus", "UNKNOWN_FAILURE"))
        detail = f"{status} {result.get('StatusCode', '')}: {result.get('StatusMessage', '')}".strip()
        if status == "SUCCESSFUL":
            return str(result.get("MessageId", ""))
        if status in PUSH_TRANSIENT:
            raise TransientDeliveryError(detail)
        # PERMANENT_FAILURE (the token is no longer valid), OPT_OUT, DUPLICATE.
        raise PermanentDeliveryError(
            detail, invalid_address=status == "PERMANENT_FAILURE", opted_out=status == "OPT_OUT"
        )
