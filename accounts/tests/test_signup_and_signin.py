"""Sign-up with a verified e-mail address, sign-in, "remember me" and sign-out, through the site."""

import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.flows import link_in_last_mail, sign_in
from catalog.tests.factories import VariantFactory
from notifications.models import Message

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "plum-lantern-harbour-42"


def test_a_shopper_signs_up_confirms_the_emailed_link_and_then_signs_in(client, committed):
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200 and "E-mail" in page.content.decode()

    signed_up = committed(
        client.post,
        reverse("account_signup"),
        {"email": "Ada@Example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )

    assert signed_up.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ada@example.com")
    assert not signed_up.wsgi_request.user.is_authenticated
    assert not EmailAddress.objects.get(user=user).verified
    assert identify_hasher(user.password).algorithm == "argon2"
    [message] = mail.outbox
    assert message.to == ["ada@example.com"] and "confirm" in message.subject.lower()
    # Sent through the notifications outbox, as its account_verification event.
    outbox_row = Message.objects.get(event="account_verification")
    assert outbox_row.status == Message.Status.SENT and outbox_row.user == user

    assert sign_in(client, "ada@example.com", NEW_PASSWORD).url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    confirm_path = link_in_last_mail("ada@example.com")
    assert "Confirm" in client.get(confirm_path).content.decode()
    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    signed_in = sign_in(client, "ada@example.com", NEW_PASSWORD)
    assert signed_in.url == reverse("accounts:overview")
    overview = client.get(signed_in.url)
    assert "ada@example.com" in overview.content.decode()
    assert reverse("orders:history") in overview.content.decode()


def test_a_wrong_password_is_refused_with_the_same_message_for_known_and_unknown_addresses(client):
    UserFactory(email="grace@example.com")

    known = sign_in(client, "grace@example.com", "not-the-password")
    unknown = sign_in(client, "nobody@example.com", "not-the-password")

    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_signing_up_with_a_taken_address_looks_the_same_and_tells_the_owner_by_email(client, committed):
    UserFactory(email="grace@example.com")
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}

    taken = committed(client.post, reverse("account_signup"), {"email": "grace@example.com", **data})
    new = committed(client.post, reverse("account_signup"), {"email": "new@example.com", **data})

    assert taken.status_code == new.status_code == 302
    assert taken.url == new.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email="grace@example.com").count() == 1
    to_owner = next(m for m in mail.outbox if m.to == ["grace@example.com"])
    assert "already" in to_owner.body.lower()


def test_remember_me_keeps_the_session_and_without_it_the_session_ends_with_the_browser(client, settings):
    UserFactory(email="grace@example.com")

    sign_in(client, "grace@example.com", remember="on")
    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE

    client.post(reverse("account_logout"))
    sign_in(client, "grace@example.com")
    assert client.session.get_expire_at_browser_close() is True


def test_signing_out_ends_the_session_and_the_old_url_names_still_work(client):
    UserFactory(email="grace@example.com")
    assert reverse("accounts:login") == reverse("account_login")
    assert reverse("accounts:logout") == reverse("account_logout")

    sign_in(client, "grace@example.com")
    assert "_auth_user_id" in client.session
    out = client.post(reverse("accounts:logout"))

    assert out.status_code == 302 and out.url == reverse("catalog:home")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:overview")).url.startswith(reverse("account_login"))


def test_a_guest_cart_follows_the_shopper_when_they_sign_in(client):
    UserFactory(email="grace@example.com")
    VariantFactory(sku="22632", price=Decimal("2.10"), stock=10)
    client.post(reverse("orders:cart_add"), {"sku": "22632", "quantity": 2}, headers={"Origin": "http://testserver"})

    sign_in(client, "grace@example.com")

    cart = client.get(reverse("orders:cart")).context["priced"]
    assert cart.count == 2


def test_an_older_password_hash_is_upgraded_to_argon2_at_sign_in(client):
    user = UserFactory(email="grace@example.com")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))

    sign_in(client, "grace@example.com")

    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_the_header_says_sign_in_to_strangers_and_account_to_customers(client):
    UserFactory(email="grace@example.com")
    stranger = client.get(reverse("orders:cart")).content.decode()
    assert re.search(
        r'class="account-link" href="/account/login/">.*?<span class="account-link-text">Sign in<', stranger
    )
    sign_in(client, "grace@example.com")
    customer = client.get(reverse("orders:cart")).content.decode()
    assert re.search(r'class="account-link" href="/account/">.*?<span class="account-link-text">Account<', customer)


def test_the_account_pages_speak_indonesian_under_id(client):
    UserFactory(email="grace@example.com")
    assert "Ingat saya di perangkat ini" in client.get("/id/account/login/").content.decode()
    sign_in(client, "grace@example.com")
    page = client.get("/id/account/").content.decode()
    assert "Akun Anda" in page and "Buku alamat" in page and "Riwayat pesanan" in page
