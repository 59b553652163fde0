"""Token authentication: `POST /api/token/` with a username and password gives a token to send
as `Authorization: Token <key>`. Tokens expire after `PPAOS_API_TOKEN_SECONDS`; asking again
after that gives a new one. `DELETE /api/token/` revokes the token it is sent with."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ppaos.api.authentication import expires_at

TokenResponse = inline_serializer(
    "TokenResponse",
    {
        "token": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
    },
)


class TokenView(APIView):
    """Exchange a username and password for an API token, or revoke the current token."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "api_token"
    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]
    serializer_class = AuthTokenSerializer

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: TokenResponse},
        auth=[],
        summary="Get an API token",
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # django-axes marks the request when the username is locked out after failures.
            if getattr(request, "axes_locked_out", False):
                raise Throttled(detail=_("Too many failed logins: try again later."))
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        with transaction.atomic():
            token, _created = Token.objects.select_for_update().get_or_create(user=user)
            if expires_at(token) <= timezone.now():
                token.delete()
                token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": expires_at(token)})

    @extend_schema(request=None, responses={204: None}, summary="Revoke this API token")
    def delete(self, request):
        if isinstance(request.auth, Token):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
