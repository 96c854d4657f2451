"""The account API: GET|PATCH /api/v1/me/ and the address book under /api/v1/me/addresses/.

Signed-in customers only (X-Session-Token from /api/v1/auth/). Another customer's address is a 404,
whatever id is tried: the selectors and services look addresses up by customer and id together.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import AddressSerializer, ProfileSerializer, address_fields
from accounts.exceptions import AddressNotFound
from accounts.models import User

MAX_ID = 2**63 - 1


def _customer(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _checked_id(address_id: int) -> int:
    if address_id > MAX_ID:
        raise AddressNotFound()
    return address_id


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="me_retrieve", responses={200: ProfileSerializer}, summary="The customer's profile.")
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(_customer(request)).data)

    @extend_schema(
        operation_id="me_partial_update",
        request=ProfileSerializer,
        responses={200: ProfileSerializer},
        summary="Change the customer's name. The e-mail address changes through the auth API, verified.",
    )
    def patch(self, request: Request) -> Response:
        serializer = ProfileSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.profile_update(user=_customer(request), **serializer.validated_data)
        return Response(ProfileSerializer(user).data)


class AddressListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_addresses_list",
        responses={200: AddressSerializer(many=True)},
        summary="The address book, the default shipping address first.",
    )
    def get(self, request: Request) -> Response:
        return Response(AddressSerializer(selectors.address_list(user=_customer(request)), many=True).data)  # type: ignore[arg-type]

    @extend_schema(
        operation_id="me_addresses_create",
        request=AddressSerializer,
        responses={201: AddressSerializer},
        summary="Add an address (the first one becomes the default).",
    )
    def post(self, request: Request) -> Response:
        serializer = AddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_create(user=_customer(request), **address_fields(serializer.validated_data))
        return Response(AddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="me_addresses_retrieve", responses={200: AddressSerializer}, summary="One address.")
    def get(self, request: Request, address_id: int) -> Response:
        address = selectors.address_get(user=_customer(request), address_id=_checked_id(address_id))
        return Response(AddressSerializer(address).data)

    @extend_schema(
        operation_id="me_addresses_partial_update",
        request=AddressSerializer,
        responses={200: AddressSerializer},
        summary="Change an address; is_default true makes it the default.",
    )
    def patch(self, request: Request, address_id: int) -> Response:
        serializer = AddressSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        address = services.address_update(
            user=_customer(request), address_id=_checked_id(address_id), **address_fields(serializer.validated_data)
        )
        return Response(AddressSerializer(address).data)

    @extend_schema(
        operation_id="me_addresses_destroy",
        responses={204: OpenApiResponse(description="Deleted; the newest other address becomes the default.")},
        summary="Delete an address.",
    )
    def delete(self, request: Request, address_id: int) -> Response:
        services.address_delete(user=_customer(request), address_id=_checked_id(address_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
