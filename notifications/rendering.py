"""Turns an outbox message into what is sent: an e-mail (HTML with inlined CSS and plain text), an
SMS or a push notification, in the recipient's language."""

import functools
from typing import TYPE_CHECKING, Any

import css_inline
from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation

from notifications import content
from notifications.backends.email import EmailContent
from notifications.events import Event

if TYPE_CHECKING:
    from notifications.models import Campaign, Message

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@functools.cache
def _inliner() -> css_inline.CSSInliner:
    # Mail clients (Gmail, Outlook) drop <style> blocks, so the CSS goes into style attributes;
    # media queries stay in a <style> for the clients that honour them. Nothing is fetched.
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return str(settings.SHOP_URL).rstrip("/") + path


def unsubscribe_token(*, user_id: int) -> str:
    return str(signing.dumps({"u": user_id}, salt=UNSUBSCRIBE_SALT, compress=True))


def unsubscribe_url(*, user_id: int, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user_id=user_id)}))


def preferences_url(*, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("notifications:preferences"))


def campaign_text(text: str, *, first_name: str) -> str:
    return text.replace("{name}", first_name).strip()


def _base_context(*, language: str) -> dict[str, Any]:
    return {
        "language": language,
        "shop_name": settings.SHOP_NAME,
        "shop_url": absolute_url("/"),
        "logo_url": absolute_url(static("notifications/email-logo.png")),
    }


def email_render(
    *,
    event: str,
    context: dict[str, Any],
    language: str,
    user_id: int | None = None,
    first_name: str = "",
    campaign: "Campaign | None" = None,
) -> EmailContent:
    """Render an event's e-mail, or a campaign's (with its one-click unsubscribe link and the
    List-Unsubscribe headers that mail clients show as an unsubscribe button)."""
    with translation.override(language):
        data = {**_base_context(language=language), **context}
        headers: dict[str, str] = {}
        if campaign is not None:
            if user_id is None:
                raise ValueError("A campaign e-mail goes to a customer with an account.")
            link = unsubscribe_url(user_id=user_id, language=language)
            headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
            subject = campaign_text(campaign.subject, first_name=first_name)
            body = campaign_text(campaign.body, first_name=first_name)
            data.update(
                subject=subject,
                campaign=campaign,
                body_text=body,
                unsubscribe_url=link,
                preferences_url=preferences_url(language=language),
            )
            template = "campaign"
        else:
            subject = content.subject_for(event, context)
            data.update(
                subject=subject,
                preferences_url=preferences_url(language=language) if user_id is not None else "",
                staff=event == Event.LOW_STOCK or context.get("staff", False),
            )
            template = str(event)
        html = render_to_string(f"notifications/email/{template}.html", data)
        text = render_to_string(f"notifications/email/{template}.txt", data)
    return EmailContent(
        subject=" ".join(subject.split()),
        text=text.strip() + "\n",
        html=_inliner().inline(html),
        headers=headers,
        tags=[str(event)],
    )


def sms_render(*, message: "Message", first_name: str = "") -> str:
    with translation.override(message.language):
        if message.campaign is not None:
            return campaign_text(message.campaign.sms_text, first_name=first_name)
        return content.sms_for(message.event, message.context)


def push_render(*, message: "Message", first_name: str = "") -> tuple[str, str, dict[str, str]]:
    with translation.override(message.language):
        campaign = message.campaign
        if campaign is not None:
            data = {"event": "campaign", "campaign": str(campaign.pk)}
            if campaign.link_url:
                data["url"] = campaign.link_url
            return (
                campaign_text(campaign.push_title, first_name=first_name),
                campaign_text(campaign.push_body, first_name=first_name),
                data,
            )
        return content.push_for(message.event, message.context)


def message_email_render(*, message: "Message") -> EmailContent:
    user = message.user
    return email_render(
        event=message.event,
        context=message.context,
        language=message.language,
        user_id=message.user_id,
        first_name=user.first_name if user else "",
        campaign=message.campaign,
    )
