"""The customer's side: the preferences page, one-click unsubscribe, and registering a device."""

import pytest
from django.urls import reverse

from notifications.events import Channel, Kind
from notifications.models import Device, Preference, Profile
from notifications.rendering import unsubscribe_token, unsubscribe_url
from notifications.selectors import channel_enabled, preferences_get
from notifications.tests.factories import DeviceFactory, UserFactory, opted_in

pytestmark = pytest.mark.django_db


def test_the_preferences_page_shows_each_kind_with_transactional_email_locked_on(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:preferences"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="pref_orders_email"' in html and "disabled" in html
    assert 'name="pref_marketing_email"' in html


def test_saving_preferences_stores_the_choices_and_the_phone_in_e164(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("notifications:preferences"),
        {"pref_orders_sms": "on", "pref_marketing_email": "on", "phone": "07911 123456", "language": "id"},
    )

    assert response.status_code == 302, response.context["form"].errors
    profile = Profile.objects.get(user=user)
    assert profile.phone.as_e164 == "+447911123456" and profile.language == "id"
    choices = preferences_get(user_ids=[user.pk], kind=Kind.ORDERS)
    assert channel_enabled(choices=choices, user_id=user.pk, kind=Kind.ORDERS, channel=Channel.SMS)
    assert not channel_enabled(choices=choices, user_id=user.pk, kind=Kind.ORDERS, channel=Channel.PUSH)
    assert Preference.objects.get(user=user, kind="marketing", channel="email").enabled


def test_a_bad_phone_number_is_a_clear_form_error(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("notifications:preferences"), {"phone": "12", "language": "en"})

    assert response.status_code == 400
    assert "Enter a valid phone number" in response.content.decode()
    assert not Profile.objects.exists()


def test_the_preferences_page_needs_a_signed_in_customer(client):
    response = client.get(reverse("notifications:preferences"))

    assert response.status_code == 302


def test_the_unsubscribe_link_turns_marketing_off_with_one_click(client):
    user = UserFactory()
    opted_in(user, "email", "sms")
    link = unsubscribe_url(user_id=user.pk, language="en").removeprefix("https://shop.example.com")

    response = client.get(link)

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not Preference.objects.filter(user=user, kind="marketing", enabled=True).exists()


def test_a_mail_clients_one_click_post_unsubscribes_without_a_csrf_token(client):
    user = UserFactory()
    opted_in(user)
    csrf_client = client.__class__(enforce_csrf_checks=True)

    response = csrf_client.post(
        reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user_id=user.pk)}),
        {"List-Unsubscribe": "One-Click"},
    )

    assert response.status_code == 200
    assert not Preference.objects.get(user=user, kind="marketing", channel="email").enabled


def test_a_customer_who_unsubscribed_by_mistake_can_subscribe_again(client):
    user = UserFactory()
    token = unsubscribe_token(user_id=user.pk)
    client.get(reverse("notifications:unsubscribe", kwargs={"token": token}))

    response = client.post(reverse("notifications:unsubscribe", kwargs={"token": token}), {"resubscribe": "1"})

    assert "Welcome back" in response.content.decode()
    assert Preference.objects.get(user=user, kind="marketing", channel="email").enabled


def test_a_tampered_unsubscribe_link_is_a_clear_400(client):
    user = UserFactory()
    token = unsubscribe_token(user_id=user.pk)

    response = client.get(reverse("notifications:unsubscribe", kwargs={"token": token[:-2] + "xx"}))

    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_a_customer_registers_a_device_for_push(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        "/api/v1/devices/", {"token": "fcm-abc123", "platform": "android"}, content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["token"] == "fcm-abc123" and body["platform"] == "android" and body["is_active"] is True
    assert Device.objects.get().user == user


def test_registering_a_known_token_moves_it_to_the_current_customer(client):
    device = DeviceFactory(token="apns-1", platform="ios", is_active=False)
    user = UserFactory()
    client.force_login(user)

    response = client.post("/api/v1/devices/", {"token": "apns-1", "platform": "ios"}, content_type="application/json")

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.user == user and device.is_active


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"platform": "android"}, "token", "This field is required."),
        ({"token": "a b", "platform": "android"}, "token", "A device token is a single word without spaces."),
        (
            {"token": "abc", "platform": "windows"},
            "platform",
            "The platform must be “ios” or “android”, not “windows”.",
        ),
    ],
)
def test_a_bad_device_is_a_400_with_a_clear_message(client, payload, field, message):
    client.force_login(UserFactory())

    response = client.post("/api/v1/devices/", payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": message, "fields": {field: [message]}}


def test_registering_a_device_needs_a_signed_in_customer_and_says_so_with_a_401(client):
    response = client.post("/api/v1/devices/", {"token": "abc", "platform": "ios"}, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_customer_unregisters_their_device_on_sign_out(client):
    device = DeviceFactory()
    client.force_login(device.user)

    assert client.delete(f"/api/v1/devices/{device.token}/").status_code == 204
    assert client.delete(f"/api/v1/devices/{device.token}/").status_code == 404
    assert not Device.objects.get().is_active
