"""Token authentication: `POST /api/token/` with a username and password gives a token to send
as `Authorization: Token <key>`. Tokens expire after `PPAOS_API_TOKEN_SECONDS`; asking again
after that gives a new one. `DELETE /api/token/` revokes the token it is sent with.

Two-factor: a user with a confirmed authenticator (TOTP) must send its current code as
`otp_token` too, exactly as the login form asks for it; a missing or wrong code is a failed
login (django-axes counts it). With PPAOS_2FA_REQUIRED, an admin or coordinator who has not
enrolled gets no token until they do (403)."""

from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ppaos.api.authentication import expires_at
from ppaos.privacy.auth import code_is_valid, confirmed_device
from ppaos.privacy.middleware import needs_second_factor
from ppaos.privacy.throttle import login_address_blocked, login_address_failure_record


class TokenRequestSerializer(AuthTokenSerializer):
    """Username and password, and the authenticator code for users who enrolled one."""

    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=8,
        help_text="The 6-digit code of your authenticator app: required once you enrolled one.",
    )


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
    serializer_class = TokenRequestSerializer

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponse},
        auth=[],
        summary="Get an API token",
    )
    def post(self, request):
        if login_address_blocked(request):
            raise Throttled(detail=_("Too many failed logins: try again later."))
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            login_address_failure_record(request)
            # django-axes marks the request when the username is locked out after failures.
            if getattr(request, "axes_locked_out", False):
                raise Throttled(detail=_("Too many failed logins: try again later."))
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        self._second_factor(request, user, serializer.validated_data.get("otp_token") or "")
        with transaction.atomic():
            token, _created = Token.objects.select_for_update().get_or_create(user=user)
            if expires_at(token) <= timezone.now():
                token.delete()
                token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": expires_at(token)})

    def _second_factor(self, request, user, code: str) -> None:
        """Refuse the token unless the user's authenticator code is right (when they have one)."""
        device = confirmed_device(user)
        if device is None:
            if needs_second_factor(user):
                raise PermissionDenied(
                    _("Turn on two-factor login at /accounts/2fa/ before asking for a token.")
                )
            return
        code = code.replace(" ", "")
        if code and code_is_valid(device, code):
            return
        login_address_failure_record(request)
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.get_username()},
            request=request,
        )
        if not code:
            raise ValidationError(
                {"otp_token": [_("Send the 6-digit code from your authenticator app.")]}
            )
        raise ValidationError(
            {"otp_token": [_("The authenticator code is wrong or too old. Try the current one.")]}
        )

    @extend_schema(request=None, responses={204: None}, summary="Revoke this API token")
    def delete(self, request):
        if isinstance(request.auth, Token):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
