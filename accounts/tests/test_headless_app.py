"""The apps' sign-up and sign-in: allauth's headless API at /api/v1/auth/app/v1/, a session token,
and that token accepted by the shop's REST API in the X-Session-Token header."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from notifications.models import Device

pytestmark = pytest.mark.django_db
AUTH = "/api/v1/auth/app/v1"
NEW_PASSWORD = "plum-lantern-harbour-42"


def test_an_app_signs_up_verifies_the_emailed_key_signs_in_and_uses_the_session_token(client, committed):
    signed_up = committed(
        client.post,
        f"{AUTH}/auth/signup",
        {"email": "ada@example.com", "password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert signed_up.status_code == 401  # not signed in yet: the address must be verified
    body = signed_up.json()
    assert {"id": "verify_email", "is_pending": True} in [
        {k: f[k] for k in ("id", "is_pending") if k in f} for f in body["data"]["flows"]
    ]
    pending_token = body["meta"]["session_token"]
    [message] = mail.outbox
    found = re.search(r"/confirm-email/([^/\s]+)/", str(message.body))
    assert found, message.body
    key = found.group(1)

    verified = client.post(
        f"{AUTH}/auth/email/verify",
        {"key": key},
        content_type="application/json",
        headers={"X-Session-Token": pending_token},
    )
    # Verified; the app then signs in (a link-verified address does not sign the app in by itself).
    assert verified.status_code == 401 and verified.json()["meta"]["is_authenticated"] is False
    assert EmailAddress.objects.get(email="ada@example.com").verified

    signed_in = client.post(
        f"{AUTH}/auth/login", {"email": "ada@example.com", "password": NEW_PASSWORD}, content_type="application/json"
    )
    assert signed_in.status_code == 200, signed_in.json()
    token = signed_in.json()["meta"]["session_token"]
    assert signed_in.json()["data"]["user"]["email"] == "ada@example.com"

    session = client.get(f"{AUTH}/auth/session", headers={"X-Session-Token": token})
    assert session.status_code == 200 and session.json()["meta"]["is_authenticated"] is True

    # The shop's own API (Django REST Framework) takes the same token.
    registered = client.post(
        "/api/v1/devices/",
        {"token": "push-token-1", "platform": "android"},
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert registered.status_code == 201, registered.content
    assert Device.objects.get().user == User.objects.get(email="ada@example.com")

    signed_out = client.delete(f"{AUTH}/auth/session", headers={"X-Session-Token": token})
    assert signed_out.status_code == 401
    refused = client.post(
        "/api/v1/devices/",
        {"token": "push-token-2", "platform": "android"},
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert refused.status_code in (401, 403)


def test_an_app_cannot_sign_in_before_verifying_and_the_answer_names_the_pending_step(client, committed):
    UserFactory(email="grace@example.com", verified=False)

    refused = committed(
        client.post,
        f"{AUTH}/auth/login",
        {"email": "grace@example.com", "password": PASSWORD},
        content_type="application/json",
    )

    assert refused.status_code == 401
    assert any(f["id"] == "verify_email" and f.get("is_pending") for f in refused.json()["data"]["flows"])
    assert [m.to for m in mail.outbox] == [["grace@example.com"]]


def test_the_apps_password_reset_answers_the_same_for_known_and_unknown_addresses(client, committed):
    UserFactory(email="grace@example.com")

    known = committed(
        client.post, f"{AUTH}/auth/password/request", {"email": "grace@example.com"}, content_type="application/json"
    )
    unknown = committed(
        client.post, f"{AUTH}/auth/password/request", {"email": "nobody@example.com"}, content_type="application/json"
    )

    assert known.status_code == unknown.status_code
    assert known.json() == unknown.json()


def test_an_invalid_or_missing_token_is_refused_by_the_rest_api(client):
    refused = client.post(
        "/api/v1/devices/",
        {"token": "push-token-1", "platform": "android"},
        content_type="application/json",
        headers={"X-Session-Token": "not-a-token"},
    )
    assert refused.status_code in (401, 403)
    assert not Device.objects.exists()


def test_the_auth_api_publishes_its_openapi_document_with_the_shops_paths(client):
    spec = client.get("/api/v1/auth/openapi.json")

    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "/api/v1/auth/{client}/v1/auth/signup" in paths and "/api/v1/auth/{client}/v1/auth/login" in paths
