"""JSON shapes of the account API: the profile and the address book. Serializers check types only;
the rules (countries shipped to, postcodes) are the services', which raise AddressInvalid."""

from typing import Any

from rest_framework import serializers

from accounts.models import Address, User


class ProfileSerializer(serializers.Serializer[User]):
    email = serializers.EmailField(
        read_only=True, help_text="Changed (and verified) through /api/v1/auth/app/v1/account/email."
    )
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    date_joined = serializers.DateTimeField(read_only=True)


class AddressSerializer(serializers.Serializer[Address]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, allow_blank=True, required=False)
    city = serializers.CharField(max_length=100)
    postcode = serializers.CharField(max_length=20)
    country = serializers.CharField(max_length=2, help_text="ISO 3166 code; see GET /api/v1/checkout/countries/.")
    phone = serializers.CharField(max_length=32, allow_blank=True, required=False)
    is_default = serializers.BooleanField(
        required=False, help_text="The default shipping address; setting it true moves the default here."
    )
    created_at = serializers.DateTimeField(read_only=True)


def address_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: data[name]
        for name in ("name", "line1", "line2", "city", "postcode", "country", "phone", "is_default")
        if name in data
    }
