"""Pages and endpoints of the notifications app: the customer's preferences, one-click
unsubscribe from marketing e-mail, and the SNS webhooks for SES bounces/complaints and for
inbound SMS (STOP replies)."""

import json
import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from notifications.exceptions import InvalidUnsubscribeLink, SnsMessageInvalid
from notifications.forms import PreferencesForm
from notifications.services import consent
from notifications.sns import sns_message_verify, sns_subscription_confirm

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert user.is_authenticated
    form = PreferencesForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        consent.profile_update(
            user=user, phone=form.cleaned_data["phone"] or "", language=form.cleaned_data["language"]
        )
        consent.preferences_save(user=user, choices=form.choices())
        messages.success(request, _("Your choices are saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


@csrf_exempt  # mail clients POST the one-click unsubscribe (RFC 8058) without a session or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET (the link in the e-mail) and POST (the mail client's List-Unsubscribe-Post button)
    both unsubscribe at once; the page offers to resubscribe."""
    try:
        if request.method == "POST" and request.POST.get("resubscribe"):
            consent.resubscribe_user(token=token)
            return render(request, "notifications/unsubscribed.html", {"resubscribed": True, "token": token})
        consent.unsubscribe_user(token=token)
    except InvalidUnsubscribeLink as exc:
        return render(request, "notifications/unsubscribed.html", {"error": str(exc)}, status=400)
    return render(request, "notifications/unsubscribed.html", {"token": token})


def _sns_payload(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "The body is not an SNS message (JSON expected)."}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": "The body is not an SNS message (JSON object expected)."}, status=400)
    try:
        sns_message_verify(payload)
    except SnsMessageInvalid as exc:
        logger.warning("Rejected SNS message: %s", exc)
        return JsonResponse({"error": str(exc)}, status=403)
    return payload


def _sns_inner(payload: dict[str, Any]) -> dict[str, Any] | HttpResponse | None:
    """The notification's own JSON, or a response for subscription messages."""
    kind = payload.get("Type")
    if kind == "SubscriptionConfirmation":
        try:
            sns_subscription_confirm(payload)
        except SnsMessageInvalid as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        return JsonResponse({"status": "subscribed"})
    if kind == "UnsubscribeConfirmation":
        return JsonResponse({"status": "ignored"})
    try:
        inner = json.loads(str(payload.get("Message", "")))
    except ValueError:
        return JsonResponse({"error": "The SNS message's Message is not JSON."}, status=400)
    return inner if isinstance(inner, dict) else None


@csrf_exempt
@require_POST
def ses_events(request: HttpRequest) -> HttpResponse:
    """SES bounce and complaint notifications, delivered by SNS (HTTPS subscription)."""
    payload = _sns_payload(request)
    if isinstance(payload, HttpResponse):
        return payload
    inner = _sns_inner(payload)
    if isinstance(inner, HttpResponse):
        return inner
    suppressed = consent.ses_event_record(event=inner or {})
    return JsonResponse({"suppressed": suppressed})


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """Replies to the shop's SMS number (End User Messaging two-way SMS, published to SNS)."""
    payload = _sns_payload(request)
    if isinstance(payload, HttpResponse):
        return payload
    inner = _sns_inner(payload)
    if isinstance(inner, HttpResponse):
        return inner
    inner = inner or {}
    number, text = str(inner.get("originationNumber", "")), str(inner.get("messageBody", ""))
    if not number:
        return JsonResponse({"error": "The inbound SMS has no originationNumber."}, status=400)
    return JsonResponse({"action": consent.sms_reply_record(number=number, text=text) or "none"})
