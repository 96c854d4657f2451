"""Verifying Amazon SNS messages (SES bounce and complaint notifications, inbound SMS) before
believing them: the signature (SignatureVersion 1, SHA1, or 2, SHA256) against the certificate
at SigningCertURL, which must be an SNS address; optionally only from known topics.

The certificate is fetched once and kept in the cache for a day. The trusted URL pattern and
topics come from settings (NOTIFICATIONS_SNS_TRUSTED_URL_PATTERN, NOTIFICATIONS_SNS_TOPIC_ARNS).
"""

import base64
import hashlib
import re
import urllib.request
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.cache import cache

from notifications.exceptions import SnsMessageInvalid

SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}


def sns_trusted_url(url: str) -> bool:
    return bool(re.match(settings.NOTIFICATIONS_SNS_TRUSTED_URL_PATTERN, url or ""))


def sns_string_to_sign(payload: dict[str, Any]) -> bytes:
    fields = SIGNED_FIELDS.get(str(payload.get("Type")))
    if fields is None:
        raise SnsMessageInvalid(f"Unknown SNS message type {payload.get('Type')!r}.")
    # Subject is signed only when present; every other field is required.
    return "".join(f"{name}\n{payload[name]}\n" for name in fields if name in payload).encode()


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  # only trusted https SNS URLs get here
        body: bytes = response.read(64 * 1024)
        return body


def _certificate(url: str) -> x509.Certificate:
    key = "notifications:sns-cert:" + hashlib.sha256(url.encode()).hexdigest()
    pem = cache.get(key)
    if pem is None:
        try:
            pem = _fetch(url)
        except OSError as exc:
            raise SnsMessageInvalid(f"Could not fetch the signing certificate: {exc}") from exc
        cache.set(key, pem, 24 * 3600)
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise SnsMessageInvalid("The signing certificate is not a PEM certificate.") from exc


def sns_message_verify(payload: dict[str, Any]) -> None:
    """Raise SnsMessageInvalid unless the message is signed by SNS from an accepted topic."""
    allowed = settings.NOTIFICATIONS_SNS_TOPIC_ARNS
    if allowed and payload.get("TopicArn") not in allowed:
        raise SnsMessageInvalid(f"Messages from topic {payload.get('TopicArn')!r} are not accepted.")
    algorithm = HASHES.get(str(payload.get("SignatureVersion")))
    if algorithm is None:
        raise SnsMessageInvalid(f"Unsupported SignatureVersion {payload.get('SignatureVersion')!r}.")
    cert_url = str(payload.get("SigningCertURL", ""))
    if not sns_trusted_url(cert_url):
        raise SnsMessageInvalid(f"The signing certificate URL {cert_url!r} is not an SNS address.")
    try:
        signature = base64.b64decode(str(payload["Signature"]), validate=True)
        signed = sns_string_to_sign(payload)
    except (KeyError, ValueError) as exc:
        raise SnsMessageInvalid(f"The message is missing a signed field ({exc}).") from exc
    public_key = _certificate(cert_url).public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsMessageInvalid("The signing certificate does not hold an RSA key.")
    try:
        public_key.verify(signature, signed, padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise SnsMessageInvalid("The signature does not match the message.") from None


def sns_subscription_confirm(payload: dict[str, Any]) -> None:
    """Confirm a (verified) subscription by visiting its SubscribeURL, an SNS address."""
    url = str(payload.get("SubscribeURL", ""))
    if not sns_trusted_url(url):
        raise SnsMessageInvalid(f"The subscription URL {url!r} is not an SNS address.")
    try:
        _fetch(url)
    except OSError as exc:
        raise SnsMessageInvalid(f"Could not confirm the subscription: {exc}") from exc
