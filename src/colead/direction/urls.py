from django.urls import path

from colead.direction import (
    coverage_views,
    edit_views,
    export_views,
    settings_views,
    views,
    vision_views,
)

app_name = "direction"
urlpatterns = [
    path("", views.thread, name="thread"),
    path("mine/", views.mine, name="mine"),
    path("vision/", vision_views.vision, name="vision"),
    path("vision/edit/", vision_views.vision_edit, name="vision_edit"),
    path("vision/approve/", vision_views.vision_approve, name="vision_approve"),
    path("coverage/", coverage_views.coverage, name="coverage"),
    path("coverage/<slug:kind>/", coverage_views.coverage_list, name="coverage_list"),
    path("export/", export_views.export, name="export"),
    path("settings/", settings_views.quality_settings, name="settings"),
    path("units/<str:code>/", views.unit_objectives, name="unit"),
    path("objectives/new/", edit_views.objective_new, name="objective_new"),
    path("objectives/<str:code>/", views.objective_detail, name="objective"),
    path("objectives/<str:code>/edit/", edit_views.objective_edit, name="objective_edit"),
    path("objectives/<str:code>/status/", edit_views.objective_status, name="objective_status"),
    path("objectives/<str:code>/branch/", views.objective_branch, name="branch"),
    path("objectives/<str:code>/acts/", views.objective_act, name="act"),
    path("objectives/<str:code>/check-ins/", views.objective_check_in, name="check_in"),
]
