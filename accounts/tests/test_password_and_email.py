"""Password reset and change, e-mail change (verified before it counts), rate limits, and no
account enumeration through the reset page."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tests.flows import link_in_last_mail, sign_in
from notifications.models import Message

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "plum-lantern-harbour-42"


def test_a_customer_resets_a_forgotten_password_from_the_emailed_link(client, committed):
    UserFactory(email="grace@example.com")

    asked = committed(client.post, reverse("account_reset_password"), {"email": "Grace@example.com"})
    assert asked.url == reverse("account_reset_password_done")
    assert Message.objects.get(event="password_reset").recipient == "grace@example.com"

    reset_path = link_in_last_mail("grace@example.com")
    form_page = client.get(reset_path, follow=True)
    assert form_page.status_code == 200 and "password1" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.url == reverse("account_reset_password_from_key_done")

    assert sign_in(client, "grace@example.com", NEW_PASSWORD).url == reverse("accounts:overview")
    # The link works once.
    assert "password1" not in client.get(reset_path, follow=True).content.decode()


def test_the_reset_page_answers_the_same_for_known_and_unknown_addresses(client, committed):
    UserFactory(email="grace@example.com")

    known = committed(client.post, reverse("account_reset_password"), {"email": "grace@example.com"}, follow=True)
    unknown = committed(client.post, reverse("account_reset_password"), {"email": "nobody@example.com"}, follow=True)

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    # Each address gets a mail: the owner a link, the stranger a note that there is no account.
    assert {m.to[0] for m in mail.outbox} == {"grace@example.com", "nobody@example.com"}
    assert "/password/reset/key/" not in next(m for m in mail.outbox if m.to == ["nobody@example.com"]).body


def test_too_many_reset_requests_for_one_address_are_answered_429(client, committed):
    UserFactory(email="grace@example.com")
    statuses = [
        committed(client.post, reverse("account_reset_password"), {"email": "grace@example.com"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429


def test_after_five_failed_sign_ins_even_the_right_password_is_refused_for_a_while(client):
    UserFactory(email="grace@example.com")
    for _ in range(5):
        assert sign_in(client, "grace@example.com", "wrong-password").status_code == 200

    blocked = sign_in(client, "grace@example.com")

    assert blocked.status_code == 200
    assert "Too many failed login attempts" in str(blocked.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session


def test_too_many_sign_in_attempts_from_one_address_are_answered_429(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    statuses = [sign_in(client, f"s{n}@example.com", "wrong-password").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_too_many_sign_ups_from_one_address_are_answered_429(client, committed, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/m/ip"}
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    statuses = [
        committed(client.post, reverse("account_signup"), {"email": f"s{n}@example.com", **data}).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


def test_a_changed_email_address_counts_only_once_the_new_address_is_confirmed(client, committed):
    user = UserFactory(email="grace@example.com")
    sign_in(client, "grace@example.com")

    page = client.get(reverse("account_email"))
    assert page.status_code == 200 and "grace@example.com" in page.content.decode()
    committed(client.post, reverse("account_email"), {"action_add": "", "email": "grace.hopper@example.com"})

    user.refresh_from_db()
    assert user.email == "grace@example.com"
    assert Message.objects.get(event="account_verification").recipient == "grace.hopper@example.com"

    confirm_path = link_in_last_mail("grace.hopper@example.com")
    client.post(confirm_path)

    user.refresh_from_db()
    assert user.email == "grace.hopper@example.com"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("grace.hopper@example.com", True, True)
    ]
    client.post(reverse("account_logout"))
    assert sign_in(client, "grace.hopper@example.com").url == reverse("accounts:overview")


def test_a_customer_changes_their_password_stays_signed_in_and_is_told_by_email(client, committed):
    user = UserFactory(email="grace@example.com")
    sign_in(client, "grace@example.com")

    changed = committed(
        client.post,
        reverse("account_change_password"),
        {"oldpassword": "a-long-customer-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert changed.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:overview")).status_code == 200
    [note] = mail.outbox
    assert note.to == ["grace@example.com"] and "password has been changed" in note.body


def test_a_wrong_current_password_changes_nothing(client):
    user = UserFactory(email="grace@example.com")
    sign_in(client, "grace@example.com")

    refused = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert refused.status_code == 200 and refused.context["form"].errors["oldpassword"]
    assert User.objects.get(pk=user.pk).check_password("a-long-customer-password")
