from django.urls import path

from colead.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.wave_list, name="wave_list"),
    path("new/", views.wave_new, name="wave_new"),
    path("<int:wave_id>/", views.wave_detail, name="wave"),
    path("<int:wave_id>/preview/", views.wave_preview, name="preview"),
    path("<int:wave_id>/launch/", views.wave_launch, name="launch"),
    path("<int:wave_id>/reminders/", views.wave_reminders, name="reminders"),
    path("<int:wave_id>/extend/", views.wave_extend, name="extend"),
    path("<int:wave_id>/close/", views.wave_close, name="close"),
    path("<int:wave_id>/device/", views.device_link_create, name="device_link"),
    path("<int:wave_id>/device/<str:slug>/poster.pdf", views.device_poster, name="device_poster"),
    path("<int:wave_id>/rates/", views.wave_rates, name="rates"),
]
