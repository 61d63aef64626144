from django.conf import settings
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from colead.accounts.admin_site import admin_site
from colead.api.api import api


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the Django admin's): the
    NHS.UK frontend's, rather than a 404 on every admin page."""
    return redirect(static("assets/images/favicon.ico"))


urlpatterns = [
    path("favicon.ico", favicon),
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
