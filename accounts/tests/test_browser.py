"""Signing up, verifying from the e-mail and signing in, in real headless Chromium."""

import re
from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from shop.testing import chromium, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

require_chromium()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as browser:
        yield browser


def test_a_shopper_signs_up_follows_the_emailed_link_and_signs_in(browser, live_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Account").click()  # the cached home page links to the account page
    page.wait_for_url("**/account/login/**")
    page.get_by_role("link", name="sign up").click()
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill("plum-lantern-harbour-42")
    page.get_by_label("Password (again)").fill("plum-lantern-harbour-42")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/account/confirm-email/")
    assert "Verify" in page.inner_text("main")

    [message] = mail.outbox
    found = re.search(r"https?://\S+/confirm-email/\S+/", str(message.body))
    assert found, message.body
    link = found.group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/account/login/")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill("plum-lantern-harbour-42")
    page.get_by_label("Remember me on this device").check()
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/account/")

    assert "Signed in as ada@example.com" in page.inner_text("main")
    assert page.get_by_role("link", name="Order history").count() == 1
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert cookie["httpOnly"] and cookie["expires"] > 0  # remembered: not a browser-session cookie
    assert EmailAddress.objects.get(user=User.objects.get()).verified
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the header's account icon fits
    assert errors == []
