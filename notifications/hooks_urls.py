"""Webhooks from AWS (SNS), outside the language prefix."""

from django.urls import path

from notifications import views

app_name = "notifications_hooks"

urlpatterns = [
    path("ses/", views.ses_events, name="ses_events"),
    path("sms/", views.sms_inbound, name="sms_inbound"),
]
