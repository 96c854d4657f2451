from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import User
from notifications.models import Campaign, Segment
from notifications.selectors import preference_table, profile_get


class PreferencesForm(forms.Form):
    """The customer's channels per kind of message, SMS number and language. Transactional
    e-mail is shown ticked and cannot be unticked."""

    phone = PhoneNumberField(
        label=_("Mobile number for SMS"),
        required=False,
        help_text=_("With the country code if it is not a UK number, e.g. +62 812 3456 7890."),
    )
    language = forms.ChoiceField(label=_("Language for messages"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = profile_get(user=user)
        self.fields["phone"].initial = profile.phone or ""
        self.fields["language"].initial = profile.language or settings.LANGUAGE_CODE
        self.table = []
        for kind, channels in preference_table(user=user):
            row = []
            for channel, on, locked in channels:
                name = f"pref_{kind}_{channel}"
                self.fields[name] = forms.BooleanField(label=channel.label, required=False, initial=on, disabled=locked)
                row.append(name)
            self.table.append((kind, row))

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(kind.label), [self[name] for name in names]) for kind, names in self.table]

    def choices(self) -> dict[tuple[str, str], bool]:
        chosen = {}
        for kind, names in self.table:
            for name in names:
                if not self.fields[name].disabled:
                    chosen[(str(kind), name.rsplit("_", 1)[1])] = bool(self.cleaned_data.get(name))
        return chosen


class SegmentForm(forms.ModelForm[Segment]):
    class Meta:
        model = Segment
        fields = [
            "name",
            "joined_after",
            "joined_before",
            "language",
            "opted_in",
            "bought_in_category",
            "spent_above",
            "no_order_for_days",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        after, before = data.get("joined_after"), data.get("joined_before")
        if after and before and after >= before:
            self.add_error("joined_before", _("“Joined before” must be later than “joined on or after”."))
        spent = data.get("spent_above")
        if spent is not None and spent < 0:
            self.add_error("spent_above", _("The amount cannot be negative."))
        return data


class CampaignForm(forms.ModelForm[Campaign]):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "segment",
            "send_email",
            "send_sms",
            "send_push",
            "subject",
            "body",
            "link_url",
            "link_label",
            "sms_text",
            "push_title",
            "push_body",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 10}), "sms_text": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("send_email") or data.get("send_sms") or data.get("send_push")):
            raise forms.ValidationError(_("Choose at least one channel."))
        return data


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
