from django.urls import path

from colead.surveys.views import waves

app_name = "surveys"
urlpatterns = [
    path("", waves.wave_list, name="wave_list"),
    path("new/", waves.wave_new, name="wave_new"),
    path("<int:wave_id>/", waves.wave_detail, name="wave"),
    path("<int:wave_id>/preview/", waves.wave_preview, name="preview"),
    path("<int:wave_id>/launch/", waves.wave_launch, name="launch"),
    path("<int:wave_id>/sending/", waves.wave_sending, name="sending"),
    path("<int:wave_id>/reminders/", waves.wave_reminders, name="reminders"),
    path("<int:wave_id>/extend/", waves.wave_extend, name="extend"),
    path("<int:wave_id>/close/", waves.wave_close, name="close"),
    path("<int:wave_id>/device/", waves.device_link_create, name="device_link"),
    path("<int:wave_id>/device/<str:slug>/poster.pdf", waves.device_poster, name="device_poster"),
    path("<int:wave_id>/rates/", waves.wave_rates, name="rates"),
]
