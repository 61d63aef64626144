from django.urls import path

from colead.direction.views import (
    coverage,
    export,
    objective_forms,
    quality_settings,
    thread,
    vision,
)

app_name = "direction"
urlpatterns = [
    path("", thread.thread, name="thread"),
    path("mine/", thread.mine, name="mine"),
    path("vision/", vision.vision, name="vision"),
    path("vision/edit/", vision.vision_edit, name="vision_edit"),
    path("vision/approve/", vision.vision_approve, name="vision_approve"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("coverage/<slug:kind>/", coverage.coverage_list, name="coverage_list"),
    path("export/", export.export, name="export"),
    path("settings/", quality_settings.quality_settings, name="settings"),
    path("units/<str:code>/", thread.unit_objectives, name="unit"),
    path("objectives/new/", objective_forms.objective_new, name="objective_new"),
    path("objectives/<str:code>/", thread.objective_detail, name="objective"),
    path("objectives/<str:code>/edit/", objective_forms.objective_edit, name="objective_edit"),
    path(
        "objectives/<str:code>/status/", objective_forms.objective_status, name="objective_status"
    ),
    path("objectives/<str:code>/branch/", thread.objective_branch, name="branch"),
    path("objectives/<str:code>/acts/", thread.objective_act, name="act"),
    path("objectives/<str:code>/check-ins/", thread.objective_check_in, name="check_in"),
]
