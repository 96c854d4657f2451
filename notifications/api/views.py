from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.api.serializers import DeviceSerializer
from notifications.exceptions import InvalidDevice
from notifications.services import consent


class DeviceListView(APIView):
    """POST /api/v1/devices/: register this phone for push notifications (201 when new, 200
    when the token was already known)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=DeviceSerializer, responses={200: DeviceSerializer, 201: DeviceSerializer})
    def post(self, request: Request) -> Response:
        serializer = DeviceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        assert user.is_authenticated
        try:
            device, created = consent.device_register(
                user=user,
                token=serializer.validated_data["token"],
                platform=serializer.validated_data["platform"],
                sandbox=serializer.validated_data.get("sandbox", False),
            )
        except InvalidDevice as exc:
            raise ValidationError({"token": [str(exc)]}) from None
        return Response(
            DeviceSerializer(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class DeviceDetailView(APIView):
    """DELETE /api/v1/devices/<token>/: stop push to this phone (on sign-out)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: OpenApiResponse(description="Unregistered.")})
    def delete(self, request: Request, token: str) -> Response:
        user = request.user
        assert user.is_authenticated
        if not consent.device_unregister(user=user, token=token):
            raise NotFound(_("No such device."))
        return Response(status=status.HTTP_204_NO_CONTENT)
