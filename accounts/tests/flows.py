"""Steps the accounts tests share."""

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD


def link_in_last_mail(to: str) -> str:
    """The path of the first link in the newest e-mail to this address."""
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    match = re.search(r"https?://testserver(/\S+)", str(message.body))
    assert match, message.body
    return match.group(1)


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


def reauthenticate(client: Client, password: str = PASSWORD) -> None:
    """Confirm the password again, as allauth asks before deleting an account."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
