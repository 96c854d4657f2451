from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from notifications.models import Device


class DeviceSerializer(serializers.ModelSerializer[Device]):
    token = serializers.CharField(max_length=255, trim_whitespace=True)
    platform = serializers.ChoiceField(
        choices=Device.Platform.choices,
        error_messages={"invalid_choice": _("The platform must be “ios” or “android”, not “{input}”.")},
    )

    class Meta:
        model = Device
        fields = ["id", "token", "platform", "sandbox", "is_active", "created_at"]
        read_only_fields = ["id", "is_active", "created_at"]

    def validate_token(self, value: str) -> str:
        if any(c.isspace() for c in value):
            raise serializers.ValidationError(_("A device token is a single word without spaces."))
        return value
