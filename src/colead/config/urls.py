from django.urls import include, path

from colead.accounts.admin_site import admin_site
from colead.api.api import api

urlpatterns = [
    path("", include("colead.core.urls")),
    path("accounts/", include("colead.accounts.urls")),
    path("org/", include("colead.org.urls")),
    path("audit/", include("colead.audit.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin_site.urls),
]

handler403 = "colead.core.views.permission_denied"
handler404 = "colead.core.views.page_not_found"
