from django.urls import path

from colead.org import views, views_imports

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("people/<str:employee_number>/", views.person_detail, name="person"),
    path("imports/", views_imports.import_index, name="import_index"),
    path("imports/<int:pk>/check/", views_imports.import_check, name="import_check"),
    path("imports/<int:pk>/preview/", views_imports.import_preview, name="import_preview"),
    path("imports/<int:pk>/confirm/", views_imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", views_imports.import_cancel, name="import_cancel"),
]
