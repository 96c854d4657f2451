"""The e-mails themselves: every event renders, in HTML with inlined CSS and in plain text, in
English and Indonesian, with the shop's name, logo, the order's lines and totals."""

import pytest
from django.core import mail

from notifications.events import Event
from notifications.rendering import email_render
from notifications.services import notify
from notifications.tests.factories import CampaignFactory, UserFactory, order_context

CONTEXTS = {
    Event.ORDER_PLACED: order_context(),
    Event.ORDER_PAID: order_context(status="paid"),
    Event.ORDER_SHIPPED: order_context(status="shipped", carrier="Royal Mail", tracking_number="RM123456789GB"),
    Event.ORDER_CANCELLED: order_context(status="cancelled", reason="Out of stock at the supplier."),
    Event.ORDER_REFUNDED: order_context(status="refunded", reason="Returned unopened."),
    Event.ACCOUNT_VERIFICATION: {"url": "https://shop.example.com/account/verify/abc/", "name": "Ada"},
    Event.PASSWORD_RESET: {"url": "https://shop.example.com/account/reset/abc/", "name": "Ada"},
    Event.BACK_IN_STOCK: {
        "product": {"title": "Lunch Bag Red Retrospot", "url": "https://shop.example.com/p/lunch-bag/"}
    },
    Event.LOW_STOCK: {"variant": {"sku": "85123A", "title": "White Hanging Heart", "stock": 2}},
}


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("event", list(CONTEXTS))
def test_every_event_renders_html_with_inline_css_and_plain_text(event, language):
    email = email_render(event=event, context=CONTEXTS[event], language=language, user_id=None)

    assert email.subject and "\n" not in email.subject
    # The rules are inlined into style attributes; only the media queries stay in a <style>.
    assert email.html.count("<style") == 1 and "@media" in email.html and ".button {" not in email.html
    assert 'style="' in email.html
    assert "Pasar" in email.html and "Pasar" in email.text
    assert "https://shop.example.com/static/notifications/email-logo.png" in email.html
    assert "{%" not in email.html + email.text and "{{" not in email.html + email.text
    assert "<" not in email.text  # plain text is plain


def test_an_order_email_lists_the_lines_and_totals_formatted_for_the_currency():
    email = email_render(event=Event.ORDER_PLACED, context=order_context(), language="en", user_id=None)

    for text in (email.html, email.text):
        assert "White Metal Lantern" in text and "71053" in text
        assert "£3.39" in text and "£6.78" in text  # unit price and line total
        assert "£11.03" in text and "£4.95" in text and "£15.98" in text  # subtotal, shipping, total
        assert "Ada Lovelace" in text and "N1 9GU" in text
        assert "https://shop.example.com/orders/PSR-100042/" in text
    assert email.subject == "Your Pasar order PSR-100042"


def test_an_indonesian_email_formats_money_the_indonesian_way():
    email = email_render(
        event=Event.ORDER_PLACED,
        context=order_context(currency="IDR", total="250000.00", subtotal="245000.00", shipping="5000.00"),
        language="id",
        user_id=None,
    )

    assert "Rp250.000,00" in email.html
    assert 'lang="id"' in email.html


def test_html_in_the_context_is_escaped():
    context = order_context(reason="<script>alert(1)</script>")

    email = email_render(event=Event.ORDER_CANCELLED, context=context, language="en", user_id=None)

    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html


@pytest.mark.django_db
def test_a_customer_email_links_to_their_preferences_but_a_guests_does_not():
    user = UserFactory()

    as_customer = email_render(event=Event.ORDER_PAID, context=order_context(), language="id", user_id=user.pk)
    as_guest = email_render(event=Event.ORDER_PAID, context=order_context(), language="en", user_id=None)

    assert "https://shop.example.com/id/notifications/preferences/" in as_customer.html
    assert "/notifications/preferences/" not in as_guest.html


@pytest.mark.django_db
def test_a_campaign_email_has_a_one_click_unsubscribe_link_and_headers():
    user = UserFactory(first_name="Ada")
    campaign = CampaignFactory()

    email = email_render(
        event=Event.CAMPAIGN, context={}, language="en", user_id=user.pk, first_name="Ada", campaign=campaign
    )

    assert email.subject == "Summer sale, Ada"
    assert ">Hello Ada,</p>" in email.html
    link = email.headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://shop.example.com/notifications/unsubscribe/")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.html and link in email.text


@pytest.mark.django_db
def test_the_sent_email_has_both_parts(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(event=Event.ORDER_SHIPPED, context=CONTEXTS[Event.ORDER_SHIPPED], dedupe_key="k", email="a@example.com")

    (sent,) = mail.outbox
    assert sent.subject == "Your order PSR-100042 is on its way"
    assert "RM123456789GB" in sent.body
    html, mimetype = sent.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html" and "RM123456789GB" in html
    assert "List-Unsubscribe" not in sent.extra_headers  # transactional mail has none
