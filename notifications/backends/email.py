"""E-mail through Django's EMAIL_BACKEND (the console locally; Amazon SES through django-anymail in
production), with the failure sorted into "try again" and "give up"."""

import smtplib
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from notifications.backends.aws import aws_error_classify
from notifications.backends.base import DeliveryError, PermanentDeliveryError, TransientDeliveryError


@dataclass
class EmailContent:
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


def email_error_classify(exc: BaseException) -> DeliveryError:
    # anymail wraps boto3's error; the original says whether it was throttling or a 5xx.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ClientError | BotoCoreError):
            return aws_error_classify(seen)
        seen = seen.__cause__ or seen.__context__
    if type(exc).__name__ == "AnymailRecipientsRefused":
        return PermanentDeliveryError(str(exc), invalid_address=True)
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500 and status != 429:
        return PermanentDeliveryError(str(exc))
    if isinstance(exc, smtplib.SMTPResponseException):
        error = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        return TransientDeliveryError(error) if exc.smtp_code < 500 else PermanentDeliveryError(error)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return PermanentDeliveryError(str(exc), invalid_address=True)
    return TransientDeliveryError(f"{type(exc).__name__}: {exc}")


def email_connection() -> Any:
    """One connection (SMTP session or boto3 client) for a batch of e-mails."""
    return get_connection(fail_silently=False)


def email_send(*, to: str, content: EmailContent, connection: Any = None) -> str:
    """Send one e-mail; return the provider's message id ('' when the backend has none)."""
    message = EmailMultiAlternatives(
        subject=content.subject,
        body=content.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=content.headers,
        connection=connection,
    )
    message.attach_alternative(content.html, "text/html")
    if content.tags:
        message.tags = content.tags  # type: ignore[attr-defined]  # anymail: SES message tags
    try:
        message.send()
    except Exception as exc:
        raise email_error_classify(exc) from exc
    status = getattr(message, "anymail_status", None)
    return str(getattr(status, "message_id", "") or "")
