"""Building blocks shared by every API endpoint: pagination, audited reads, error mapping.

Endpoints added by other apps (see `ppaos.api.routes`) should use these too, so that every
list page and every detail read of personal data leaves an audit row, and so that service
errors (Django `ValidationError`, `StaleEditError`) answer the same way everywhere.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from ppaos.audit.models import Action
from ppaos.audit.services import audit_export, audit_record
from ppaos.lib.i18n import Deferred

MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M`; the default size is `PPAOS_PAGE_SIZE`, never more than 200."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return min(super().get_page_size(request) or MAX_PAGE_SIZE, MAX_PAGE_SIZE)


class AuditedListMixin:
    """Every list page is an export of personal data: one audit row per page served."""

    audit_name = ""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        audit_export(
            actor=request.user,
            description=Deferred(
                gettext_noop("API list of %(name)s"), name=self.audit_name or self.basename
            ),
            row_count=len(page),
        )
        return self.get_paginated_response(serializer.data)


class AuditedRetrieveMixin:
    """Every read of one record of personal data is audited, like the household page."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        audit_record(actor=request.user, action=Action.VIEW, obj=instance)
        return Response(self.get_serializer(instance).data)


def validation_error(error: DjangoValidationError, rename: dict[str, str] | None = None):
    """A service's Django ValidationError as the DRF one (400), with API field names."""
    rename = rename or {}
    if hasattr(error, "error_dict"):
        detail: dict[str, Any] = {}
        for name, messages in error.message_dict.items():
            key = "non_field_errors" if name == "__all__" else rename.get(name, name)
            detail.setdefault(key, []).extend(messages)
        return ValidationError(detail)
    return ValidationError({"non_field_errors": error.messages})


def conflict(current: dict[str, Any]) -> Response:
    """409: someone saved first. The body carries their version so the client can merge."""
    return Response(
        {
            "detail": _(
                "Not saved: someone else saved this record after you read it. The current "
                "record is in `current`; apply your change to it and send its version."
            ),
            "current": current,
        },
        status=status.HTTP_409_CONFLICT,
    )


class VersionField(serializers.IntegerField):
    """The version the client last read: the precondition of an update, never assigned."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault(
            "help_text",
            "The `version` of the record as you last read it. If the record has changed "
            "since, nothing is saved and the answer is 409 with the current record.",
        )
        super().__init__(**kwargs)
