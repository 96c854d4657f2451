"""Celery tasks: thin, take plain values, send."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=8)
def account_mail_send(*, subject: str, body: str, html: str, from_email: str, to: str) -> None:
    """One of allauth's account e-mails that the notifications app has no event for (see
    accounts.adapter), through EMAIL_BACKEND (SES in production); network errors are retried."""
    message = EmailMultiAlternatives(subject, body, from_email, [to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
