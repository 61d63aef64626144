from django.urls import path

from colead.org.views import imports, structure

app_name = "org"
urlpatterns = [
    path("", structure.tree, name="tree"),
    path("units/<str:code>/", structure.unit_detail, name="unit"),
    path("people/<str:employee_number>/", structure.person_detail, name="person"),
    path("imports/", imports.import_index, name="import_index"),
    path("imports/<int:pk>/check/", imports.import_check, name="import_check"),
    path("imports/<int:pk>/preview/", imports.import_preview, name="import_preview"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", imports.import_cancel, name="import_cancel"),
]
