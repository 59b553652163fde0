"""API tokens that expire. Kept apart from the views: DRF imports this module while it loads
its own settings, before `rest_framework.views` can be imported."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def expires_at(token) -> dt.datetime:
    return token.created + dt.timedelta(seconds=settings.API_TOKEN_SECONDS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than `PPAOS_API_TOKEN_SECONDS`."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if expires_at(token) <= timezone.now():
            token.delete()
            raise AuthenticationFailed(_("Token expired: ask /api/token/ for a new one."))
        return user, token
