from typing import Any

import factory

from accounts.models import User
from notifications.models import Campaign, Device, Preference, Profile, Segment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = factory.Sequence(lambda n: f"Customer{n}")
    password = factory.django.Password("a-long-customer-password")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    phone = "+447911123456"
    language = ""


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    user = factory.SubFactory(UserFactory)
    platform = Device.Platform.ANDROID
    token = factory.Sequence(lambda n: f"fcm-token-{n:06d}-" + "x" * 40)


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preference

    user = factory.SubFactory(UserFactory)
    kind = "marketing"
    channel = "email"
    enabled = True


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    segment = factory.SubFactory(SegmentFactory)
    subject = "Summer sale, {name}"
    body = "Hello {name},\n\nEverything in the garden is 20% off this week."
    link_url = "https://shop.example.com/c/garden/"
    link_label = "Shop the sale"
    sms_text = "Pasar: garden sale, 20% off this week, {name}."
    push_title = "Garden sale"
    push_body = "20% off this week"


def opted_in(user: User, *channels: str) -> None:
    for channel in channels or ("email",):
        PreferenceFactory(user=user, kind="marketing", channel=channel, enabled=True)


def order_context(**order: Any) -> dict[str, Any]:
    """An order event's context, as the orders app sends it (amounts as Decimal strings)."""
    base = {
        "number": "PSR-100042",
        "url": "https://shop.example.com/orders/PSR-100042/",
        "status": "awaiting_payment",
        "currency": "GBP",
        "lines": [
            {"title": "White Metal Lantern", "sku": "71053", "quantity": 2, "unit_price": "3.39", "line_total": "6.78"},
            {
                "title": "Knitted Union Flag Hot Water Bottle",
                "sku": "84029E",
                "quantity": 1,
                "unit_price": "4.25",
                "line_total": "4.25",
            },
        ],
        "subtotal": "11.03",
        "shipping": "4.95",
        "tax": "0.00",
        "total": "15.98",
        "payment_method": "Cash on delivery",
        "shipping_method": "Standard delivery",
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "1 High St",
            "line2": "",
            "city": "London",
            "postcode": "N1 9GU",
            "country": "GB",
        },
        "carrier": "",
        "tracking_number": "",
        "reason": "",
    }
    return {"order": {**base, **order}}
