"""Staff screens: the outbox with each message's status and last error, suppressed addresses,
customers' notification profiles and devices, segments with a live count, and campaigns (preview,
test send, schedule or send, progress). Every write goes through notifications.services."""

from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notifications.events import Channel, Event
from notifications.exceptions import NotificationError
from notifications.forms import CampaignForm, ScheduleForm, SegmentForm
from notifications.models import Campaign, Device, Message, Profile, Segment, Suppression
from notifications.rendering import campaign_text, email_render, push_render, sms_render
from notifications.segments import segment_count
from notifications.selectors import campaign_progress
from notifications.services import campaigns, consent, messages_retry


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ("created_at", "event", "channel", "recipient", "status", "attempts", "short_error", "sent_at")
    list_filter = ("status", "channel", "event", "campaign")
    search_fields = ("recipient", "dedupe_key", "provider_message_id")
    date_hierarchy = "created_at"
    list_select_related = ("campaign",)
    actions = ["send_again"]
    readonly_fields = [f.name for f in Message._meta.fields]
    show_full_result_count = False  # the outbox grows large; COUNT(*) of all of it on every page is wasted

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a message is never dropped: it ends sent, failed or suppressed

    @admin.display(description=gettext_lazy("last error"))
    def short_error(self, obj: Message) -> str:
        return obj.last_error[:120]

    @admin.action(description=gettext_lazy("Send the selected failed messages again"), permissions=["view"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = messages_retry(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin[Suppression]):
    list_display = ("address", "channel", "reason", "created_at")
    list_filter = ("channel", "reason")
    search_fields = ("address",)
    fields = ("channel", "address", "reason", "detail")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("channel", "address", "reason", "detail") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Suppression, form: Any, change: bool) -> None:
        saved = consent.suppression_add(
            channel=obj.channel, address=obj.address, reason=obj.reason or Suppression.Reason.MANUAL, detail=obj.detail
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Suppression) -> None:
        consent.suppression_remove(channel=obj.channel, address=obj.address)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Suppression]) -> None:
        for obj in queryset:
            consent.suppression_remove(channel=obj.channel, address=obj.address)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ("user", "phone", "language", "updated_at")
    search_fields = ("user__email", "phone")
    list_select_related = ("user",)
    readonly_fields = ("user", "phone", "language", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = ("__str__", "user", "platform", "is_active", "last_seen_at")
    list_filter = ("platform", "is_active")
    search_fields = ("user__email", "token")
    list_select_related = ("user",)
    readonly_fields = ("user", "platform", "token", "sandbox", "is_active", "created_at", "last_seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin[Segment]):
    form = SegmentForm
    list_display = ("name", "joined_after", "joined_before", "language", "opted_in", "updated_at")
    search_fields = ("name",)
    change_form_template = "notifications/admin/segment_change_form.html"

    def get_urls(self) -> list[Any]:
        return [
            path("count/", self.admin_site.admin_view(self.count_view), name="notifications_segment_count"),
            *super().get_urls(),
        ]

    def count_view(self, request: HttpRequest) -> JsonResponse:
        """The live count: how many customers the filters as typed so far match."""
        if not self.has_view_permission(request):
            return JsonResponse({"error": _("Not allowed.")}, status=403)
        data = request.GET.copy()
        data.setdefault("name", "count")
        form = SegmentForm(data)
        if not form.is_valid():
            errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
            return JsonResponse({"count": None, "errors": errors}, status=400)
        try:
            count = segment_count(form.save(commit=False))
        except NotificationError as exc:
            return JsonResponse({"count": None, "errors": {"__all__": [str(exc)]}}, status=400)
        return JsonResponse({"count": count})

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        obj = kwargs.get("obj")
        count: int | None = None
        unavailable = ""
        if obj is not None:
            try:
                count = segment_count(obj)
            except NotificationError as exc:
                unavailable = str(exc)
        context.update(segment_count=count, segment_unavailable=unavailable)
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: Segment, form: Any, change: bool) -> None:
        campaigns.segment_save(segment=obj)


class ProgressFilterMixin:
    @staticmethod
    def annotate_progress(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
        counted = ~Q(messages__dedupe_key__startswith="campaign-test:")
        return queryset.annotate(
            n_sent=Count("messages", filter=counted & Q(messages__status=Message.Status.SENT)),
            n_failed=Count("messages", filter=counted & Q(messages__status=Message.Status.FAILED)),
            n_opted_out=Count("messages", filter=counted & Q(messages__status=Message.Status.SUPPRESSED)),
            n_waiting=Count(
                "messages",
                filter=counted & Q(messages__status__in=(Message.Status.PENDING, Message.Status.SENDING)),
            ),
        )


@admin.register(Campaign)
class CampaignAdmin(ProgressFilterMixin, admin.ModelAdmin[Campaign]):
    form = CampaignForm
    list_display = ("name", "status", "segment", "channel_list", "scheduled_at", "progress")
    list_filter = ("status",)
    search_fields = ("name", "subject")
    list_select_related = ("segment",)
    change_form_template = "notifications/admin/campaign_change_form.html"
    fieldsets = (
        (None, {"fields": ("name", "segment", ("send_email", "send_sms", "send_push"))}),
        (gettext_lazy("E-mail"), {"fields": ("subject", "body", ("link_url", "link_label"))}),
        (gettext_lazy("SMS"), {"fields": ("sms_text",)}),
        (gettext_lazy("Push notification"), {"fields": ("push_title", "push_body")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return self.annotate_progress(super().get_queryset(request))

    def has_change_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        if obj is not None and obj.status not in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
            return False  # what was sent stays as it was sent
        return super().has_change_permission(request, obj)

    @admin.display(description=gettext_lazy("channels"))
    def channel_list(self, obj: Campaign) -> str:
        return ", ".join(str(c.label) for c in obj.channels)

    @admin.display(description=gettext_lazy("sent / failed / opted out / waiting"))
    def progress(self, obj: Campaign) -> str:
        return f"{obj.n_sent} / {obj.n_failed} / {obj.n_opted_out} / {obj.n_waiting}"  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        campaigns.campaign_save(campaign=obj, user=request.user if request.user.is_authenticated else None)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="notifications_campaign_preview"),
            path("<int:pk>/preview/email/", view(self.preview_email_view), name="notifications_campaign_preview_email"),
            path("<int:pk>/test/", view(self.test_view), name="notifications_campaign_test"),
            path("<int:pk>/send/", view(self.send_view), name="notifications_campaign_send"),
            path("<int:pk>/schedule/", view(self.schedule_view), name="notifications_campaign_schedule"),
            path("<int:pk>/cancel/", view(self.cancel_view), name="notifications_campaign_cancel"),
            *super().get_urls(),
        ]

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        obj: Campaign | None = kwargs.get("obj")
        if obj is not None:
            progress = campaign_progress(campaign=obj)
            context.update(
                campaign=obj,
                progress=progress,
                progress_done=progress[Message.Status.SENT]
                + progress[Message.Status.FAILED]
                + progress[Message.Status.SUPPRESSED],
                problems=campaigns.campaign_problems(obj),
                schedule_form=ScheduleForm(),
            )
        return super().render_change_form(request, context, *args, **kwargs)

    def _campaign(self, request: HttpRequest, pk: int) -> Campaign:
        campaign = get_object_or_404(Campaign.objects.select_related("segment"), pk=pk)
        if not self.has_view_permission(request, campaign):
            raise PermissionError
        return campaign

    def _back(self, campaign: Campaign) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:notifications_campaign_change", args=[campaign.pk]))

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk)
        user = request.user
        first_name = getattr(user, "first_name", "") or _("Ada")
        sample = Message(event=Event.CAMPAIGN, campaign=campaign, language=request.LANGUAGE_CODE, channel=Channel.SMS)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(name)s") % {"name": campaign.name},
            "campaign": campaign,
            "opts": self.model._meta,
            "subject": campaign_text(campaign.subject, first_name=first_name),
            "sms": sms_render(message=sample, first_name=first_name) if campaign.send_sms else "",
            "push": push_render(message=sample, first_name=first_name) if campaign.send_push else None,
            "problems": campaigns.campaign_problems(campaign),
        }
        return TemplateResponse(request, "notifications/admin/campaign_preview.html", context)

    def preview_email_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk)
        email = email_render(
            event=Event.CAMPAIGN,
            context={},
            language=request.LANGUAGE_CODE,
            user_id=request.user.pk,
            first_name=getattr(request.user, "first_name", "") or _("Ada"),
            campaign=campaign,
        )
        response = HttpResponse(email.html)
        response["Content-Security-Policy"] = "default-src 'none'; img-src * data:; style-src 'unsafe-inline'"
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    def _post_action(self, request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
        campaign = self._campaign(request, pk)
        if not self.has_change_permission(request, None):
            messages.error(request, _("You may not send campaigns."))
            return self._back(campaign)
        try:
            action(campaign)
        except NotificationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return self._back(campaign)

    def test_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405)
        user = request.user
        assert user.is_authenticated
        return self._post_action(
            request,
            pk,
            lambda c: campaigns.campaign_test_send(campaign=c, user=user),
            _("A test is on its way to you (%(email)s).") % {"email": user.email},
        )

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405)
        return self._post_action(
            request, pk, lambda c: campaigns.campaign_send(campaign=c), _("Sending started. Progress shows below.")
        )

    def schedule_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405)
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter the date and time to send at."))
            return self._back(self._campaign(request, pk))
        send_at: datetime = form.cleaned_data["send_at"]
        if timezone.is_naive(send_at):
            send_at = timezone.make_aware(send_at)
        return self._post_action(
            request,
            pk,
            lambda c: campaigns.campaign_schedule(campaign=c, send_at=send_at),
            _("Scheduled for %(when)s.") % {"when": timezone.localtime(send_at).strftime("%Y-%m-%d %H:%M")},
        )

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405)
        return self._post_action(
            request, pk, lambda c: campaigns.campaign_cancel(campaign=c), _("Cancelled; nothing more will be sent.")
        )
