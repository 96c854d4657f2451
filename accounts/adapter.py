"""How django-allauth fits the shop: its e-mails go through the notifications outbox."""

import hashlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from accounts.models import User

CONFIRMATION_TEMPLATES = ("account/email/email_confirmation_signup", "account/email/email_confirmation")
RESET_TEMPLATE = "account/email/password_reset_key"


def _key_digest(key: str) -> str:
    # The outbox keeps dedupe keys for good; store a digest, not a live sign-in link's secret.
    return hashlib.sha256(key.encode()).hexdigest()[:40]


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Verification and password-reset e-mails are the notifications app's
        `account_verification` and `password_reset` events: an outbox row written in this
        request's transaction and delivered by a Celery task after commit (SES in production, with
        retries, suppression of bounced addresses, the shop's e-mail layout, the shopper's language).

        allauth's other messages (someone signing up with an address that already has an account,
        a reset asked for an unknown address: the mails that keep the pages from revealing who has
        an account) have no event in the notifications app; they are rendered from allauth's
        templates and sent by accounts.tasks.account_mail_send, also after commit, so both kinds
        of request take the same time."""
        from notifications.events import Event
        from notifications.services import notify

        user = context.get("user")
        user = user if isinstance(user, User) else None
        name = user.first_name if user is not None else ""
        language = translation.get_language()
        if template_prefix in CONFIRMATION_TEMPLATES:
            notify(
                event=Event.ACCOUNT_VERIFICATION,
                context={"url": context["activate_url"], "name": name},
                dedupe_key=f"account_verification:{_key_digest(context['key'])}",
                user=user,
                email=email,
                language=language,
            )
        elif template_prefix == RESET_TEMPLATE:
            notify(
                event=Event.PASSWORD_RESET,
                context={"url": context["password_reset_url"], "name": name},
                dedupe_key=f"password_reset:{_key_digest(context['password_reset_url'])}",
                user=user,
                email=email,
                language=language,
            )
        else:
            from accounts.tasks import account_mail_send

            request = allauth_context.request
            ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
            message = self.render_mail(template_prefix, email, ctx)
            html = next(
                (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
            )
            account_mail_send.delay_on_commit(
                subject=message.subject, body=message.body, html=str(html), from_email=message.from_email, to=email
            )
