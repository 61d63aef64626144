from django.conf import settings
from django.urls import include, path

from colead.accounts.admin_site import admin_site
from colead.api.api import api

urlpatterns = [
    path("", include("colead.home.urls")),
    path("accounts/", include("colead.accounts.urls")),
    path("org/", include("colead.org.urls")),
    path("audit/", include("colead.accounts.audit_log.urls")),
    path("surveys/", include("colead.surveys.urls")),
    path("direction/", include("colead.direction.urls")),
    path("insights/", include("colead.insights.urls")),
    # The respondent's side: no sign-in, nothing that identifies them (docs/privacy.md).
    path("take/", include("colead.surveys.urls_take")),
    path("api/v1/", api.urls),
    path("admin/", admin_site.urls),
]

if settings.OIDC_ENABLED:
    # OpenID Connect sign-in (NHSmail / Entra ID); see docs/access.md.
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

handler403 = "colead.home.views.permission_denied"
handler404 = "colead.home.views.page_not_found"
