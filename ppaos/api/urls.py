"""`/api/`: the endpoints on the router, the token endpoint, the OpenAPI schema and its docs.

The docs (Swagger UI at /api/docs/, Redoc at /api/redoc/) load their assets from this site
(drf-spectacular-sidecar) and run no inline script, so the Content Security Policy holds."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ppaos.api.auth import TokenView
from ppaos.api.docs import redoc_view
from ppaos.api.routes import router

app_name = "api"
urlpatterns = [
    path("token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path(
        "redoc/",
        redoc_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    path("", include(router.urls)),
]
